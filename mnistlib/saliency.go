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
)

// Saliency returns, for each image of x (as for Predict: [N, 784] or
// [N, 28, 28, 1], pixels in [0, 1]), the gradient of the winning class's score
// with respect to its 784 pixels. The score is the class's logit, before the
// softmax: the softmax would mix in every other class. Dropout is off, as in
// Predict.
func (m *Model) Saliency(xs *tensors.Tensor) ([][]float32, error) {
	if err := m.build(); err != nil {
		return nil, fmt.Errorf("saliency: %w", err)
	}
	x, err := rowsOf(xs, InputSize, "x (images)")
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
			px := color.RGBA{
				R: uint8(gray*(1-a) + 240*a),
				G: uint8(gray*(1-a) + 30*a),
				B: uint8(gray*(1-a) + 30*a),
				A: 255,
			}
			draw.Draw(img, image.Rect(c*scale, r*scale, (c+1)*scale, (r+1)*scale), image.NewUniform(px), image.Point{}, draw.Src)
		}
	}
	return img
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
// under it ("7->1": a 7 the model read as 1; in Chinese "7 预测为 1").
type SaliencyGallery struct {
	Images   Images
	Saliency [][]float32 // one map per image
	Captions []string    // one per image, or nil
	Columns  int         // default 6
	Scale    int         // pixel size (default 4)
}

// Image draws the gallery.
func (g SaliencyGallery) Image() *image.RGBA {
	cols, scale := orDefault(g.Columns, 6), orDefault(g.Scale, 4)
	n := min(g.Images.N, len(g.Saliency))
	cols = max(min(cols, n), 1)
	rows := (n + cols - 1) / cols
	captions := make([]string, len(g.Captions))
	widest := 0
	for i, c := range g.Captions {
		captions[i] = translatedCaption(c)
		widest = max(widest, captionWidth(captions[i]))
	}
	cellW := max(g.Images.Cols*scale, widest) + 2*cellPad
	cellH := g.Images.Rows*scale + captionH + 2*cellPad
	img := image.NewRGBA(image.Rect(0, 0, cols*cellW, max(rows, 1)*cellH))
	draw.Draw(img, img.Rect, image.NewUniform(paper), image.Point{}, draw.Src)
	for i := range n {
		x0, y0 := (i%cols)*cellW, (i/cols)*cellH
		s := SaliencyImage(g.Images.Digit(i), g.Saliency[i], scale)
		at := image.Pt(x0+(cellW-s.Rect.Dx())/2, y0+cellPad)
		draw.Draw(img, s.Rect.Add(at), s, image.Point{}, draw.Src)
		if i < len(captions) {
			caption(img, captions[i], x0+cellW/2, y0+cellPad+s.Rect.Dy()+captionH-2, ink)
		}
	}
	return img
}
