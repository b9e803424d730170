package mnistlib

// Pictures of how a network learns (learn.go): the loss of a few digits,
// the output layer's error and the change it asks of one unit's weights,
// the first layer's gradient through ReLU's gate, and one moment of training
// for the slider.

import (
	"fmt"
	"image"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-mnist/workbook/internal/canvas"
)

// LossExample is one digit for LossPicture: its pixels, the model's ten
// probabilities for it, its true label, and a heading.
type LossExample struct {
	Name  string // "sure and right", ...
	Index int    // which of the images it is
	Digit []float32
	Probs []float32
	Label int
}

// LossExamples picks three of the images x [N, 784] to show the loss with,
// from the model's probabilities for them and their labels: the surest right
// answer, the least sure right one and the surest wrong one (left out when
// every answer is right).
func LossExamples(xs *tensors.Tensor, probs [][]float32, labels Labels) ([]LossExample, error) {
	x, err := rowsOf(xs, InputSize, "x (images)")
	if err != nil {
		return nil, fmt.Errorf("loss examples: %w", err)
	}
	if len(probs) != len(x) || len(labels) < len(x) {
		return nil, fmt.Errorf("loss examples: %d images, %d rows of probabilities, %d labels", len(x), len(probs), len(labels))
	}
	sure, unsure, wrong := -1, -1, -1
	p := func(i int) float32 { return probs[i][labels[i]] }
	for i, guess := range Argmax(probs) {
		right := guess == int(labels[i])
		if right && (sure < 0 || p(i) > p(sure)) {
			sure = i
		}
		if right && (unsure < 0 || p(i) < p(unsure)) {
			unsure = i
		}
		if !right && (wrong < 0 || p(i) < p(wrong)) {
			wrong = i
		}
	}
	var out []LossExample
	for k, i := range []int{sure, unsure, wrong} {
		if i >= 0 {
			name := tr([]string{"sure and right", "right but unsure", "wrong"}[k]) // the edition's words: a notebook prints them
			out = append(out, LossExample{Name: name, Index: i, Digit: x[i], Probs: probs[i], Label: int(labels[i])})
		}
	}
	return out, nil
}

// Loss is the example's categorical cross-entropy, −log p(true digit).
func (e LossExample) Loss() float64 { return CrossEntropyByHand(e.Probs, e.Label) }

// LossPicture shows, for each example, the ten probabilities and what the
// loss makes of the one given to the true digit.
type LossPicture struct{ Examples []LossExample }

const lossColumn = 300

func (p LossPicture) Size() (int, int) { return lossColumn * max(len(p.Examples), 1), 300 }

func (p LossPicture) Text() string {
	var s []string
	for _, e := range p.Examples {
		s = append(s, fmt.Sprintf(tr("%s: true digit %d, p = %.4f, loss −log p = %.4f"), tr(e.Name), e.Label, e.Probs[e.Label], e.Loss()))
	}
	return strings.Join(s, "\n")
}

func (p LossPicture) draw(cv canvas.Canvas) {
	w, h := p.Size()
	cv.Begin(float64(w), float64(h))
	for i, e := range p.Examples {
		x0 := float64(i * lossColumn)
		ProbabilityPanel{Name: tr(e.Name), Probs: e.Probs}.draw(cv, x0, lossColumn, 190)
		cv.Pixels(x0+24, 204, 84, 84, grayImage(square(e.Digit)))
		cv.Box(x0+24, 204, 84, 84, "none", "#bbb")
		cv.Text(x0+122, 226, 13, canvas.Start, fmt.Sprintf(tr("true digit: %d"), e.Label))
		cv.Text(x0+122, 248, 13, canvas.Start, fmt.Sprintf(tr("p(%d) = %.4f"), e.Label, e.Probs[e.Label]))
		cv.Text(x0+122, 270, 13, canvas.Start, fmt.Sprintf(tr("loss = −log p = %.4f"), e.Loss()))
	}
}

// GradientPicture shows the output layer's gradient for one digit: the
// error of each score (probability − label) and, for one output unit, the
// change gradient descent asks of its weights: −hidden value × its error.
type GradientPicture struct {
	Gradient OutputGradient
	Unit     int // the output unit (digit) whose weights are drawn
}

func (p GradientPicture) Size() (int, int) { return 640, 290 }

func (p GradientPicture) Text() string {
	g := p.Gradient
	return fmt.Sprintf(tr("the error (probabilities − one-hot label of %d): %.4f; digit %d's %d weights are asked to change by −hidden × %.4f"),
		g.Label, g.Error, p.Unit, len(g.Hidden), g.Error[p.Unit])
}

func (p GradientPicture) draw(cv canvas.Canvas) {
	g := p.Gradient
	cv.Begin(640, 290)
	cv.Text(160, 20, 14, canvas.Middle, fmt.Sprintf(tr("the error of each score: p − y (true digit %d)"), g.Label))
	signedBars(cv, 40, 290, 40, 240, g.Error, 1)
	change := make([]float32, len(g.Hidden))
	for j, h := range g.Hidden {
		change[j] = -h * g.Error[p.Unit]
	}
	side := int(math.Ceil(math.Sqrt(float64(len(change)))))
	sq := zeros(side, side)
	copy(sq.Data, change)
	limit := math.Max(maxAbs(change), 1e-9)
	cv.Text(480, 20, 14, canvas.Middle, fmt.Sprintf(tr("digit %d's %d weights: −h × error"), p.Unit, len(change)))
	cv.Pixels(400, 36, 160, 160, heatmap(sq, limit))
	cv.Box(400, 36, 160, 160, "none", "#bbb")
	cv.Text(480, 212, 11, canvas.Middle, fmt.Sprintf(tr("one square per hidden unit (%d×%d)"), side, side))
	colourScale(cv, 380, 248, 200, limit, true, tr("change asked"))
}

// signedBars draws values as bars up (blue, above 0) and down (red) from a
// middle line, one per digit, on a scale of ±limit.
func signedBars(cv canvas.Canvas, left, right, top, bottom float64, values []float32, limit float64) {
	zeroY := (top + bottom) / 2
	for _, v := range []float64{-limit, 0, limit} {
		y := zeroY - v/limit*(bottom-top)/2
		cv.Line([]canvas.Point{{X: left, Y: y}, {X: right, Y: y}}, "#ddd", 1)
		cv.Text(left-5, y+4, 10, canvas.End, tickLabel(v))
	}
	slot := (right - left) / float64(len(values))
	for d, v := range values {
		x := left + slot*(float64(d)+0.5)
		y := zeroY - float64(v)/limit*(bottom-top)/2
		cv.Box(x-slot*0.35, math.Min(y, zeroY), slot*0.7, math.Max(math.Abs(y-zeroY), 0.5), hexColor(signedColor(float64(v), limit)), "")
		cv.Text(x, bottom+16, 12, canvas.Middle, fmt.Sprint(d))
	}
	cv.Line([]canvas.Point{{X: left, Y: zeroY}, {X: right, Y: zeroY}}, "#888", 1)
}

// GradientTemplates draws, for each listed unit of the first Dense layer,
// the gradient of the loss with respect to its 784 weights as a 28×28
// picture. kernel is that layer's gradient, [784, units], as Gradients
// gives it; hidden, the layer's output for the digit, says which units
// ReLU let through.
func GradientTemplates(kernel Array, hidden []float32, units []int) (Grid, error) {
	if len(kernel.Shape) != 2 || kernel.Shape[0] != InputSize || kernel.Shape[1] != len(hidden) {
		return Grid{}, fmt.Errorf("gradient templates: want the gradient of a layer that takes the 784 pixels, [784, %d], got %v", len(hidden), kernel.Shape)
	}
	g := Grid{Title: tr("the gradient of each unit's 784 weights for this digit"), Signed: true, Scale: tr("gradient"), Cell: 130}
	for _, u := range units {
		if u < 0 || u >= len(hidden) {
			return Grid{}, fmt.Errorf("gradient templates: unit %d: the layer has units 0 to %d", u, len(hidden)-1)
		}
		g.Images = append(g.Images, square(kernel.Column(u)))
		caption := fmt.Sprintf(tr("unit %d: ReLU passes"), u)
		if hidden[u] <= 0 {
			caption = fmt.Sprintf(tr("unit %d: ReLU gives 0"), u)
		}
		g.Captions = append(g.Captions, caption)
	}
	if g.limit() == 0 {
		g.Limit = 1 // every unit shut: a blank grid, with a scale
	}
	return g, nil
}

// StepPicture is one moment of training, for the slider of notebook 04b: the
// loss of every step's batch with this step marked, the first layer's weight
// templates after it, and what training has changed in them since the
// random start (the strokes it writes over the noise).
type StepPicture struct {
	Step    int       // 0 is the random start; k, after k steps
	Losses  []float64 // the loss of each step's batch: Losses[0] is step 1's
	Weights Grid      // the templates after Step steps (KernelTemplates)
	Change  Grid      // the same minus the random start's (KernelChange)
}

const stepChartHeight = 176

func (p StepPicture) Size() (int, int) {
	w, h := p.Weights.Size()
	cw, ch := p.Change.Size()
	return max(w, cw, 560), stepChartHeight + h + ch
}

func (p StepPicture) Text() string {
	return fmt.Sprintf(tr("step %d of %d: %s"), p.Step, len(p.Losses), p.Weights.Text())
}

func (p StepPicture) draw(cv canvas.Canvas) {
	w, h := p.Size()
	cv.Begin(float64(w), float64(h))
	title := tr("the random start, before any step")
	if p.Step > 0 && p.Step <= len(p.Losses) {
		title = fmt.Sprintf(tr("after step %d of %d: this batch's loss %.3f"), p.Step, len(p.Losses), p.Losses[p.Step-1])
	}
	cv.Text(float64(w)/2, 20, 14, canvas.Middle, title)
	p.lossChart(w).draw(shifted{cv, 0, 8})
	_, wh := p.Weights.Size()
	p.Weights.draw(shifted{cv, 0, stepChartHeight})
	p.Change.draw(shifted{cv, 0, float64(stepChartHeight + wh)})
}

// lossChart is the loss of every step's batch, with this step's as a dot of
// its own.
func (p StepPicture) lossChart(w int) LineChart {
	c := LineChart{XLabel: "step (one batch of 200 each)", YLabel: "loss", Width: w, Height: stepChartHeight - 8,
		Series: []Series{{Name: "each step's batch", Values: p.Losses}}}
	if p.Step > 0 && p.Step <= len(p.Losses) {
		c.Series = append(c.Series, Series{Name: "this step", Values: p.Losses[p.Step-1 : p.Step], X: []float64{float64(p.Step)}})
	}
	return c
}

// KernelChange is KernelTemplates of kernel − start: what training has
// changed in each unit's 784 weights since the random start.
func KernelChange(layer string, kernel, start Array, units []int) (Grid, error) {
	if !slices.Equal(kernel.Shape, start.Shape) {
		return Grid{}, fmt.Errorf("%s: the kernel %v and its start %v differ in shape", layer, kernel.Shape, start.Shape)
	}
	diff := Array{Shape: kernel.Shape, Data: make([]float32, len(kernel.Data))}
	for i := range diff.Data {
		diff.Data[i] = kernel.Data[i] - start.Data[i]
	}
	g, err := KernelTemplates(layer, diff, units)
	g.Title, g.Scale = fmt.Sprintf(tr("%s: what training changed, the weights − the random start"), layer), tr("change")
	return g, err
}

// SameScale gives every grid the largest scale among them, so that a slider
// over them shows values growing rather than each drawn on its own scale.
func SameScale(grids []Grid) {
	limit := 0.0
	for _, g := range grids {
		limit = math.Max(limit, g.limit())
	}
	for i := range grids {
		grids[i].Limit = limit
	}
}

// shifted draws on cv moved down by dy and right by dx, so that a picture
// can be drawn inside another; its begin does nothing.
type shifted struct {
	canvas.Canvas
	dx, dy float64
}

func (s shifted) Begin(w, h float64) {}

func (s shifted) Line(pts []canvas.Point, col string, width float64) {
	moved := make([]canvas.Point, len(pts))
	for i, p := range pts {
		moved[i] = canvas.Point{X: p.X + s.dx, Y: p.Y + s.dy}
	}
	s.Canvas.Line(moved, col, width)
}

func (s shifted) Dot(p canvas.Point, r float64, col string) {
	s.Canvas.Dot(canvas.Point{X: p.X + s.dx, Y: p.Y + s.dy}, r, col)
}

func (s shifted) Text(x, y, size float64, a canvas.Anchor, str string) {
	s.Canvas.Text(x+s.dx, y+s.dy, size, a, str)
}

func (s shifted) VerticalText(x, y, size float64, str string) {
	s.Canvas.VerticalText(x+s.dx, y+s.dy, size, str)
}

func (s shifted) Box(x, y, w, h float64, fill, stroke string) {
	s.Canvas.Box(x+s.dx, y+s.dy, w, h, fill, stroke)
}

func (s shifted) Pixels(x, y, w, h float64, img *image.RGBA) {
	s.Canvas.Pixels(x+s.dx, y+s.dy, w, h, img)
}
