package mnistlib

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// canvas is what a chart draws on; coordinates are in CSS pixels. The SVG
// and the PNG of a chart come from the same drawing code.
type canvas interface {
	begin(w, h float64)
	line(pts []point, color string, width float64)
	dot(p point, r float64, color string)
	text(x, y, size float64, a anchor, s string)
	verticalText(x, y, size float64, s string) // centred on (x, y), read bottom to top
}

type point struct{ X, Y float64 }

type anchor int

const (
	start anchor = iota
	middle
	end
)

// svgCanvas writes SVG elements.
type svgCanvas struct{ strings.Builder }

// fontFamilies lists families that carry Chinese glyphs, for the tutorial's
// 训练准确率-style labels, before the generic fallback.
const fontFamilies = `'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',SimHei,sans-serif`

func (c *svgCanvas) begin(w, h float64) {
	fmt.Fprintf(c, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="%s" font-size="12">`,
		w, h, w, h, fontFamilies)
	fmt.Fprintf(c, `<rect width="%g" height="%g" fill="white"/>`, w, h)
}

func (c *svgCanvas) String() string { return c.Builder.String() + `</svg>` }

func (c *svgCanvas) line(pts []point, col string, width float64) {
	var s []string
	for _, p := range pts {
		s = append(s, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
	}
	fmt.Fprintf(c, `<polyline fill="none" stroke="%s" stroke-width="%g" points="%s"/>`, col, width, strings.Join(s, " "))
}

func (c *svgCanvas) dot(p point, r float64, col string) {
	fmt.Fprintf(c, `<circle cx="%.1f" cy="%.1f" r="%g" fill="%s"/>`, p.X, p.Y, r, col)
}

func (c *svgCanvas) text(x, y, size float64, a anchor, s string) {
	fmt.Fprintf(c, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="%s">%s</text>`,
		x, y, size, [...]string{"start", "middle", "end"}[a], html.EscapeString(s))
}

func (c *svgCanvas) verticalText(x, y, size float64, s string) {
	fmt.Fprintf(c, `<text transform="translate(%g %g) rotate(-90)" font-size="%g" text-anchor="middle">%s</text>`,
		x, y, size, html.EscapeString(s))
}

// rasterCanvas draws antialiased shapes and text into an RGBA image, scale
// image pixels per CSS pixel.
type rasterCanvas struct {
	img   *image.RGBA
	scale float64
}

func newRasterCanvas(w, h int, scale float64) *rasterCanvas {
	return &rasterCanvas{img: image.NewRGBA(image.Rect(0, 0, int(float64(w)*scale), int(float64(h)*scale))), scale: scale}
}

func (c *rasterCanvas) PNG() ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, c.img); err != nil {
		return nil, fmt.Errorf("encoding chart as PNG: %w", err)
	}
	return b.Bytes(), nil
}

func (c *rasterCanvas) begin(w, h float64) {
	draw.Draw(c.img, c.img.Bounds(), image.White, image.Point{}, draw.Src)
}

// fill paints the path that add builds, in colour col.
func (c *rasterCanvas) fill(col string, add func(z *vector.Rasterizer)) {
	b := c.img.Bounds()
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	add(z)
	z.Draw(c.img, b, image.NewUniform(parseHex(col)), image.Point{})
}

// line strokes each segment as a quadrilateral; round joins come from a
// disc at every inner point.
func (c *rasterCanvas) line(pts []point, col string, width float64) {
	s, hw := c.scale, width*c.scale/2
	c.fill(col, func(z *vector.Rasterizer) {
		for i := 1; i < len(pts); i++ {
			a, b := pts[i-1], pts[i]
			dx, dy := (b.X-a.X)*s, (b.Y-a.Y)*s
			l := math.Hypot(dx, dy)
			if l == 0 {
				continue
			}
			nx, ny := -dy/l*hw, dx/l*hw
			z.MoveTo(float32(a.X*s+nx), float32(a.Y*s+ny))
			z.LineTo(float32(b.X*s+nx), float32(b.Y*s+ny))
			z.LineTo(float32(b.X*s-nx), float32(b.Y*s-ny))
			z.LineTo(float32(a.X*s-nx), float32(a.Y*s-ny))
			z.ClosePath()
		}
	})
	if width > 1 {
		for _, p := range pts[1 : len(pts)-1] {
			c.dot(p, width/2, col)
		}
	}
}

func (c *rasterCanvas) dot(p point, r float64, col string) {
	s := c.scale
	c.fill(col, func(z *vector.Rasterizer) {
		const n = 24
		z.MoveTo(float32((p.X+r)*s), float32(p.Y*s))
		for i := 1; i < n; i++ {
			a := 2 * math.Pi * float64(i) / n
			z.LineTo(float32((p.X+r*math.Cos(a))*s), float32((p.Y+r*math.Sin(a))*s))
		}
		z.ClosePath()
	})
}

func (c *rasterCanvas) text(x, y, size float64, a anchor, s string) {
	face := faceFor(s, size*c.scale)
	d := font.Drawer{Dst: c.img, Src: image.Black, Face: face}
	w := float64(d.MeasureString(s)) / 64
	d.Dot = fixed.P(int(x*c.scale-w*float64(a)/2), int(y*c.scale))
	d.DrawString(s)
}

// verticalText draws the text on its side: into a strip, then turned.
func (c *rasterCanvas) verticalText(x, y, size float64, s string) {
	face := faceFor(s, size*c.scale)
	m := face.Metrics()
	w := (font.MeasureString(face, s) + 63) / 64
	h := (m.Ascent + m.Descent + 63) / 64
	strip := image.NewRGBA(image.Rect(0, 0, int(w), int(h)))
	draw.Draw(strip, strip.Bounds(), image.White, image.Point{}, draw.Src)
	(&font.Drawer{Dst: strip, Src: image.Black, Face: face, Dot: fixed.Point26_6{Y: m.Ascent}}).DrawString(s)
	x0, y0 := int(x*c.scale)-int(h)/2, int(y*c.scale)-int(w)/2
	for i := 0; i < int(w); i++ {
		for j := 0; j < int(h); j++ {
			c.img.Set(x0+j, y0+int(w)-1-i, strip.At(i, j))
		}
	}
}

func parseHex(s string) color.RGBA {
	var r, g, b uint8
	if len(s) == 4 { // #rgb
		fmt.Sscanf(s, "#%1x%1x%1x", &r, &g, &b)
		return color.RGBA{r * 17, g * 17, b * 17, 255}
	}
	fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 255}
}

// cjkFontPaths are fonts with Chinese glyphs, tried in order for labels
// that the Go font lacks. WORKBOOK_CJK_FONT (set by scripts/env.sh to the
// font the set-up fetches) comes first.
var cjkFontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/System/Library/Fonts/STHeiti Light.ttc",
	`C:\Windows\Fonts\msyh.ttc`,
}

var fonts struct {
	once       sync.Once
	latin, cjk *sfnt.Font
}

func loadFonts() {
	fonts.latin, _ = opentype.Parse(goregular.TTF) // embedded, cannot fail
	for _, path := range append([]string{os.Getenv("WORKBOOK_CJK_FONT")}, cjkFontPaths...) {
		data, err := os.ReadFile(path)
		if path == "" || err != nil {
			continue
		}
		if coll, err := opentype.ParseCollection(data); err == nil && coll.NumFonts() > 0 {
			if fonts.cjk, err = coll.Font(0); err == nil {
				return
			}
		}
	}
}

// faceFor returns a face that has glyphs for s: the Go font when it can, a
// CJK font otherwise (without one, missing glyphs show as boxes).
func faceFor(s string, size float64) font.Face {
	fonts.once.Do(loadFonts)
	f := fonts.latin
	if fonts.cjk != nil {
		var buf sfnt.Buffer
		for _, r := range s {
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
				f = fonts.cjk
				break
			}
		}
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return basicfont.Face7x13
	}
	return face
}
