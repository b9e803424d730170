package mnistlib

// Bar charts of a model's ten probabilities, one panel per model side by
// side, drawn on the same canvases as the line charts (SVG and PNG alike).

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gonb-mnist/workbook/internal/canvas"
)

// ProbabilityChart shows what models answer for one image: each panel holds
// one model's probability for each digit, the winner's bar highlighted.
type ProbabilityChart struct {
	Panels        []ProbabilityPanel
	Width, Height int // pixels; default 280 per panel × 200
}

// ProbabilityPanel is one model's answer: its name and its ten probabilities.
type ProbabilityPanel struct {
	Name  string
	Probs []float32
}

// Unsure is the probability below which a model's answer is not taken as
// sure: under it the panel says "unsure" and names the next likeliest digit.
// A careful reader asks again when a digit could be either of two.
const Unsure = 0.6

// Title is the panel's heading: "CNN: 7 (98%)" (in Chinese "CNN：预测 7（98%）"),
// or, when the likeliest digit's probability is under Unsure, "CNN: unsure,
// 7 (45%) or 9".
func (p ProbabilityPanel) Title() string {
	if len(p.Probs) == 0 {
		return p.Name
	}
	best, second := topTwo(p.Probs)
	if p.Probs[best] < Unsure {
		return fmt.Sprintf(tr("%s: unsure, %d (%.0f%%) or %d"), p.Name, best, 100*p.Probs[best], second)
	}
	return fmt.Sprintf(tr("%s: %d (%.0f%%)"), p.Name, best, 100*p.Probs[best])
}

// LeastSure returns the row whose likeliest class has the lowest probability:
// the image a model hesitates over most (-1 for no rows).
func LeastSure(probs [][]float32) int {
	least, lowest := -1, float32(2)
	for i, p := range probs {
		if len(p) == 0 {
			continue
		}
		if top := slices.Max(p); top < lowest {
			least, lowest = i, top
		}
	}
	return least
}

// topTwo returns the likeliest class and the next likeliest.
func topTwo(probs []float32) (best, second int) {
	best, second = 0, -1
	for c := 1; c < len(probs); c++ {
		switch {
		case probs[c] > probs[best]:
			best, second = c, best
		case second < 0 || probs[c] > probs[second]:
			second = c
		}
	}
	return best, second
}

// SVG renders the chart.
func (c ProbabilityChart) SVG() string {
	cv := &canvas.SVG{}
	c.draw(cv)
	return cv.String()
}

// PNG renders the chart at twice its size in pixels.
func (c ProbabilityChart) PNG() ([]byte, error) {
	w, h := c.size()
	cv := canvas.NewRaster(w, h, 2)
	c.draw(cv)
	return cv.PNG()
}

func (c ProbabilityChart) size() (w, h int) {
	return orDefault(c.Width, 280*max(len(c.Panels), 1)), orDefault(c.Height, 200)
}

// text says in words what the chart shows: each panel's title.
func (c ProbabilityChart) text() string {
	var titles []string
	for _, p := range c.Panels {
		titles = append(titles, p.Title())
	}
	return fmt.Sprintf(tr("probabilities: %s"), strings.Join(titles, ", "))
}

// draw lays the panels out left to right.
func (c ProbabilityChart) draw(cv canvas.Canvas) {
	w, h := c.size()
	cv.Begin(float64(w), float64(h))
	pw := float64(w) / float64(max(len(c.Panels), 1))
	for i, p := range c.Panels {
		p.draw(cv, float64(i)*pw, pw, float64(h))
	}
}

// draw puts one panel in the column [x0, x0+w): heading, axis 0–1, ten bars.
func (p ProbabilityPanel) draw(cv canvas.Canvas, x0, w, h float64) {
	left, right, top, bottom := x0+36, x0+w-10, 30.0, h-24
	cv.Text((left+right)/2, 20, 14, canvas.Middle, p.Title())
	for _, v := range []float64{0, 0.5, 1} {
		y := bottom - v*(bottom-top)
		cv.Line([]canvas.Point{{X: left, Y: y}, {X: right, Y: y}}, "#ddd", 1)
		cv.Text(left-5, y+4, 11, canvas.End, trimFloat(v))
	}
	slot := (right - left) / NumClasses
	best := -1
	if len(p.Probs) > 0 {
		best = Argmax([][]float32{p.Probs})[0]
	}
	for d := range NumClasses {
		x := left + slot*(float64(d)+0.5)
		cv.Text(x, bottom+16, 12, canvas.Middle, fmt.Sprint(d))
		v := 0.0
		if d < len(p.Probs) {
			v = math.Max(0, math.Min(1, float64(p.Probs[d])))
		}
		if v <= 0 {
			continue
		}
		col := palette[0]
		if d == best {
			col = palette[1]
		}
		// A bar is a thick line with square ends: the canvases need no rectangle.
		cv.Line([]canvas.Point{{X: x, Y: bottom}, {X: x, Y: bottom - math.Max(v*(bottom-top), 0.5)}}, col, slot*0.7)
	}
	cv.Line([]canvas.Point{{X: left, Y: bottom}, {X: right, Y: bottom}}, "#888", 1)
}
