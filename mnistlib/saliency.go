package mnistlib

// Saliency maps: which pixels the model's answer depends on. The gradient of
// the winning class's score with respect to the input pixels says, for each
// pixel, how much a small change of it would raise or lower that score; GoMLX's
// autodiff (graph.Gradient) computes it through the whole network.

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gonb-mnist/workbook/internal/canvas"
)

// Saliency returns, for each image of x (as for Predict: [N, 784] for an MLP,
// [N, 28, 28, 1] for a CNN, pixels in [0, 1]), the gradient of the winning class's score
// with respect to its 784 pixels. The score is the class's logit, before the
// softmax: the softmax would mix in every other class. Dropout is off, as in
// Predict.
func (m *Model) Saliency(xs *tensors.Tensor) ([][]float32, error) {
	if err := m.build(); err != nil {
		return nil, fmt.Errorf("saliency: %w", err)
	}
	x, err := m.imageRows(xs)
	if err != nil {
		return nil, fmt.Errorf("saliency: %w", err)
	}
	// Made for each call rather than kept: a notebook asks for a handful of
	// maps, and the model's own graphs stay as they are.
	exec, err := model.NewExec(m.backend, m.store, func(scope *model.Scope, in *Node) *Node {
		logits := m.logits(scope, in)
		winner := OneHot(ArgMax(logits, -1, dtypes.Int32), NumClasses, logits.DType())
		// Rows do not interact (no batch statistics), so the gradient of the sum
		// of the winners' scores is, row by row, the gradient of each one's own.
		score := ReduceAllSum(Mul(logits, StopGradient(winner)))
		return Gradient(score, in)[0]
	})
	if err != nil {
		return nil, fmt.Errorf("saliency: %w", err)
	}
	defer exec.Finalize()
	out := make([][]float32, 0, len(x))
	for start := 0; start < len(x); start += evalBatchSize {
		rows, used := evalBatch(start, len(x))
		res, err := callFreeing(exec, m.gatherRows(x, rows))
		if err != nil {
			return nil, fmt.Errorf("saliency: %w", err)
		}
		flat, err := tensors.CopyFlatData[float32](res[0])
		res[0].FinalizeAll()
		if err != nil {
			return nil, fmt.Errorf("saliency: %w", err)
		}
		width := len(flat) / len(rows)
		for i := range used {
			out = append(out, flat[i*width:(i+1)*width:(i+1)*width])
		}
	}
	return out, nil
}

// SaliencyImage draws a digit in gray with its saliency map over it in red:
// the stronger a pixel's gradient (either sign), the redder. Each pixel is a
// scale×scale square. A network's gradient reaches every pixel a little, so
// only the strongest fifth of the pixels is coloured, from faint (the 80th
// percentile of the map) to full red (the 99th); each image is scaled to its
// own map, so two images' reds do not compare.
func SaliencyImage(d Digit, saliency []float32, scale int) *image.RGBA {
	scale = max(scale, 1)
	low, top := percentileAbs(saliency, 0.8), percentileAbs(saliency, 0.99)
	if top <= low { // a map of a few pixels: scale to its largest
		low, top = 0, percentileAbs(saliency, 1)
	}
	img := image.NewRGBA(image.Rect(0, 0, d.Cols*scale, d.Rows*scale))
	for r := range d.Rows {
		for c := range d.Cols {
			gray := 0.55 * float64(d.At(r, c)) // dimmed, so the red stands out over strokes too
			a := 0.0
			if i := r*d.Cols + c; top > low && i < len(saliency) {
				a = math.Max(0, math.Min(1, (math.Abs(float64(saliency[i]))-low)/(top-low)))
			}
			draw.Draw(img, image.Rect(c*scale, r*scale, (c+1)*scale, (r+1)*scale), image.NewUniform(saliencyColor(gray, a)), image.Point{}, draw.Src)
		}
	}
	return img
}

// saliencyColor is a pixel of gray level gray (0 to 255) with red laid over
// it at strength a (0 to 1): one function, so that the scale under a gallery
// shows the very colours of its maps.
func saliencyColor(gray, a float64) color.RGBA {
	return color.RGBA{
		R: uint8(gray*(1-a) + 240*a),
		G: uint8(gray*(1-a) + 30*a),
		B: uint8(gray*(1-a) + 30*a),
		A: 255,
	}
}

// translatedCaption is a saliency caption in the workbook's language: a
// mistake "7->1" as Gallery writes one, anything else looked up as it is.
func translatedCaption(c string) string {
	if truth, predicted, ok := strings.Cut(c, "->"); ok {
		return mistakeCaption(tr(truth), tr(predicted))
	}
	return tr(c)
}

// percentileAbs is the value below which the fraction p of |v| lies.
func percentileAbs(v []float32, p float64) float64 {
	abs := make([]float64, len(v))
	for i, x := range v {
		abs[i] = math.Abs(float64(x))
	}
	slices.Sort(abs)
	if len(abs) == 0 {
		return 0
	}
	return abs[min(int(p*float64(len(abs))), len(abs)-1)]
}

// SaliencyGallery lays out saliency images in a grid, each with a caption
// under it ("7->1": a 7 the model read as 1; in Chinese "7 预测为 1"), and
// under the grid the scale of its red, as every picture of values has one.
// It is a Picture (ShowPicture); Image draws the same picture for Show.
type SaliencyGallery struct {
	Images   Images
	Saliency [][]float32 // one map per image
	Captions []string    // one per image, or nil
	Columns  int         // default 6
	Scale    int         // pixel size (default 4)
}

// The strip under the grid that holds the scale, in CSS pixels.
const (
	saliencyScaleH    = 50
	saliencyScaleW    = 200 // the bar
	saliencyLabelSize = 11
)

// saliencyLabel is the scale's label: its ends are percentiles of each map,
// not values, since every image is scaled to its own map.
func saliencyLabel() string {
	return tr("|gradient| of the winning score, each map on its own scale")
}

// saliencyLayout is where a gallery's cells go.
type saliencyLayout struct {
	n, cols, rows, cellW, cellH, scale int
	captions                           []string // translated
}

func (g SaliencyGallery) layout() saliencyLayout {
	l := saliencyLayout{n: min(g.Images.N, len(g.Saliency)), scale: orDefault(g.Scale, 4)}
	l.cols = max(min(orDefault(g.Columns, 6), l.n), 1)
	l.rows = max((l.n+l.cols-1)/l.cols, 1)
	widest := 0
	for _, c := range g.Captions {
		l.captions = append(l.captions, translatedCaption(c))
		widest = max(widest, labelWidth(l.captions[len(l.captions)-1], captionSize))
	}
	l.cellW = max(g.Images.Cols*l.scale, widest) + 2*cellPad
	l.cellH = g.Images.Rows*l.scale + captionH + 2*cellPad
	return l
}

// labelWidth is how wide a label of the label fonts is, in whole CSS pixels.
func labelWidth(s string, size float64) int {
	return int(math.Ceil(canvas.TextWidth(s, size)))
}

// Size is the gallery's size in CSS pixels: wide enough for the scale's label
// when only a few digits are shown.
func (g SaliencyGallery) Size() (w, h int) {
	l := g.layout()
	return max(l.cols*l.cellW, labelWidth(saliencyLabel(), saliencyLabelSize)+16, saliencyScaleW+16),
		l.rows*l.cellH + saliencyScaleH
}

// Text says what the gallery shows.
func (g SaliencyGallery) Text() string {
	return fmt.Sprintf(tr("saliency maps of %d digits"), g.layout().n)
}

// Image draws the gallery as a raster image, one pixel per CSS pixel.
func (g SaliencyGallery) Image() *image.RGBA {
	w, h := g.Size()
	cv := canvas.NewRaster(w, h, 1)
	cv.TextColor = hexColor(ink)
	g.draw(cv)
	return cv.Img
}

func (g SaliencyGallery) draw(cv canvas.Canvas) {
	w, h := g.Size()
	l := g.layout()
	cv.Begin(float64(w), float64(h))
	left := (w - l.cols*l.cellW) / 2 // the grid centred over a wider scale
	side, tall := g.Images.Cols*l.scale, g.Images.Rows*l.scale
	for i := range l.n {
		x0, y0 := left+(i%l.cols)*l.cellW, (i/l.cols)*l.cellH
		// One pixel per map pixel: the canvas enlarges it, sharp.
		s := SaliencyImage(g.Images.Digit(i), g.Saliency[i], 1)
		cv.Pixels(float64(x0+(l.cellW-side)/2), float64(y0+cellPad), float64(side), float64(tall), s)
		if i < len(l.captions) {
			cv.Text(float64(x0+l.cellW/2), float64(y0+cellPad+tall+captionH-2), captionSize, canvas.Middle, l.captions[i])
		}
	}
	saliencyScale(cv, float64(w-saliencyScaleW)/2, float64(h-26), saliencyScaleW)
}

// saliencyScale draws the key to SaliencyImage's red, as colourScale does for
// the blue/red palette: a bar from no red (a map's 80th percentile of
// |gradient|, and all below it) to full red (its 99th and above), over the
// black of the background.
func saliencyScale(cv canvas.Canvas, x, y, w float64) {
	const steps, h = 64, 10
	img := image.NewRGBA(image.Rect(0, 0, steps, 1))
	for i := range steps {
		img.SetRGBA(i, 0, saliencyColor(0, (float64(i)+0.5)/steps))
	}
	cv.Pixels(x, y, w, h, img)
	cv.Box(x, y, w, h, "none", "#888")
	cv.Text(x, y+h+12, 10, canvas.Start, tr("80th percentile"))
	cv.Text(x+w, y+h+12, 10, canvas.End, tr("99th percentile"))
	cv.Text(x+w/2, y-4, saliencyLabelSize, canvas.Middle, saliencyLabel())
}
