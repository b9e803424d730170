package mnistlib

// Digits as pictures: one digit enlarged (Digit.Image), a gallery of them
// with their captions (Gallery), and a PNG file of either (SavePNG). Show
// and ShowImage (show.go) put them in the notebook.

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"unicode/utf8"

	"github.com/gonb-mnist/workbook/internal/canvas"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Image renders the digit as a grayscale picture, each pixel a scale×scale
// square: enlarged without blurring, so every pixel stays visible.
func (d Digit) Image(scale int) *image.Gray {
	scale = max(scale, 1)
	img := image.NewGray(image.Rect(0, 0, d.Cols*scale, d.Rows*scale))
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			img.Pix[y*img.Stride+x] = d.At(y/scale, x/scale)
		}
	}
	return img
}

// Gallery lays digits out in a grid, each with its label underneath. With
// Predicted set, every mistake gets a red frame and the caption
// "true->predicted" (the bitmap font has no arrow; in Chinese "7 预测为 1").
type Gallery struct {
	Images     Images
	Labels     Labels   // true labels, shown as captions; nil for none
	Predicted  []int    // optional, one per image in Images
	Indices    []int    // which images to show; nil means the first Count
	Count      int      // how many when Indices is nil (default 25)
	Columns    int      // default 5
	Scale      int      // pixel size (default 3)
	ClassNames []string // caption per class; default the class number
}

var (
	paper    = color.RGBA{255, 255, 255, 255}
	ink      = color.RGBA{40, 40, 40, 255}
	mistake  = color.RGBA{214, 39, 40, 255}
	cellPad  = 4
	captionH = 14
)

// Image draws the gallery.
func (g Gallery) Image() *image.RGBA {
	idx := g.indices()
	cols, scale := orDefault(g.Columns, 5), orDefault(g.Scale, 3)
	cols = max(min(cols, len(idx)), 1)
	rows := (len(idx) + cols - 1) / cols
	cellW := max(g.Images.Cols*scale, g.captionWidth()) + 2*cellPad
	cellH := g.Images.Rows*scale + captionH + 2*cellPad
	img := image.NewRGBA(image.Rect(0, 0, cols*cellW, rows*cellH))
	draw.Draw(img, img.Rect, image.NewUniform(paper), image.Point{}, draw.Src)
	for k, i := range idx {
		x0, y0 := (k%cols)*cellW, (k/cols)*cellH
		digit := g.Images.Digit(i).Image(scale)
		at := image.Pt(x0+(cellW-digit.Rect.Dx())/2, y0+cellPad)
		draw.Draw(img, digit.Rect.Add(at), digit, image.Point{}, draw.Src)
		text, wrong := g.caption(i)
		col := ink
		if wrong {
			col = mistake
			frame(img, digit.Rect.Add(at).Inset(-2), col)
		}
		caption(img, text, x0+cellW/2, y0+cellPad+digit.Rect.Dy()+captionH-2, col)
	}
	return img
}

func (g Gallery) indices() []int {
	if g.Indices != nil {
		return g.Indices
	}
	n := min(orDefault(g.Count, 25), g.Images.N)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func (g Gallery) caption(i int) (text string, wrong bool) {
	if g.Labels == nil {
		return "", false
	}
	truth := int(g.Labels[i])
	if g.Predicted == nil || g.Predicted[i] == truth {
		return className(g.ClassNames, truth), false
	}
	return mistakeCaption(className(g.ClassNames, truth), className(g.ClassNames, g.Predicted[i])), true
}

// mistakeCaption is the caption of a digit read wrong: "7->1".
func mistakeCaption(truth, predicted string) string {
	return fmt.Sprintf(tr("%s->%s"), truth, predicted)
}

// captionWidth is the widest caption in pixels, to size the cells.
func (g Gallery) captionWidth() int {
	w := 0
	for _, i := range g.indices() {
		text, _ := g.caption(i)
		w = max(w, captionWidth(text))
	}
	return w
}

// captionSize is the size of the captions that the bitmap font cannot draw
// (Chinese ones), in pixels per em: about the bitmap font's 13-pixel line.
const captionSize = 12

// captionWidth is how wide caption draws text.
func captionWidth(text string) int {
	if isASCII(text) {
		return 7 * len(text)
	}
	return int(math.Ceil(canvas.TextWidth(text, captionSize)))
}

// caption writes text centred on centerX: in the 7×13 bitmap font when it
// can (ASCII), otherwise in the charts' label fonts, which have Chinese.
func caption(img *image.RGBA, text string, centerX, baseline int, c color.RGBA) {
	if !isASCII(text) {
		cv := &canvas.Raster{Img: img, Scale: 1, TextColor: hexColor(c)}
		cv.Text(float64(centerX), float64(baseline), captionSize, canvas.Middle, text)
		return
	}
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13}
	w := d.MeasureString(text).Round()
	d.Dot = fixed.P(centerX-w/2, baseline)
	d.DrawString(text)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func frame(img *image.RGBA, r image.Rectangle, c color.Color) {
	for x := r.Min.X; x < r.Max.X; x++ {
		for _, y := range []int{r.Min.Y, r.Min.Y + 1, r.Max.Y - 2, r.Max.Y - 1} {
			img.Set(x, y, c)
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for _, x := range []int{r.Min.X, r.Min.X + 1, r.Max.X - 2, r.Max.X - 1} {
			img.Set(x, y, c)
		}
	}
}

// SavePNG writes an image to a PNG file.
func SavePNG(img image.Image, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save PNG: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("save PNG %s: %w", path, err)
	}
	return f.Close()
}
