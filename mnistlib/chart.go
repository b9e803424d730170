package mnistlib

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gonb-mnist/workbook/internal/canvas"
)

// LineChart is a small self-contained SVG line chart: no JavaScript and no
// web fonts, so it shows the same in JupyterLab, in an HTML export opened
// offline and in a plain browser.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	Width, Height         int // pixels; default 640×360
}

// Series is one line: Values[i] is plotted at x = i+1 (epochs count from 1),
// or at X[i] when X is set (a step's loss at its fraction of an epoch).
type Series struct {
	Name   string
	Values []float64
	X      []float64
}

// x is where value i is plotted.
func (s Series) x(i int) float64 {
	if i < len(s.X) {
		return s.X[i]
	}
	return float64(i + 1)
}

// The colours of matplotlib's default cycle, so charts look familiar.
var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"}

// SVG renders the chart.
func (c LineChart) SVG() string {
	cv := &canvas.SVG{}
	c.draw(cv)
	return cv.String()
}

// PNG renders the same chart as a picture at twice its size in pixels, for
// viewers that drop SVG (nbconvert's SanitizeHTML preprocessor, for one,
// keeps only PNG and JPEG images).
func (c LineChart) PNG() ([]byte, error) {
	w, h := c.size()
	cv := canvas.NewRaster(w, h, 2)
	c.draw(cv)
	return cv.PNG()
}

// size is the chart's size in CSS pixels: Width×Height, by default 640×360.
func (c LineChart) size() (w, h int) { return orDefault(c.Width, 640), orDefault(c.Height, 360) }

// text says in words what the chart shows, for viewers of plain text.
func (c LineChart) text() string { return fmt.Sprintf(tr("chart: %s"), tr(c.Title)) }

// draw lays the chart out on a canvas: title, grid, axes, lines, legend.
func (c LineChart) draw(cv canvas.Canvas) {
	c = c.translated()
	l := c.layout()
	left, top, pw, ph := l.left, l.top, l.pw, l.ph

	cv.Begin(l.w, l.h)
	cv.Text(left+pw/2, 22, 15, canvas.Middle, c.Title)
	for _, v := range ticks(l.lo, l.hi, 5) { // horizontal grid and y labels
		cv.Line([]canvas.Point{{X: left, Y: l.y(v)}, {X: left + pw, Y: l.y(v)}}, "#ddd", 1)
		cv.Text(left-6, l.y(v)+4, 12, canvas.End, trimFloat(v))
	}
	for _, i := range ticks(l.x0, l.x1, min(int(l.x1-l.x0)+1, 10)) { // x labels at whole epochs
		if i == math.Trunc(i) {
			cv.Text(l.x(i), top+ph+16, 12, canvas.Middle, fmt.Sprint(i))
		}
	}
	cv.Line([]canvas.Point{{X: left, Y: top}, {X: left + pw, Y: top}, {X: left + pw, Y: top + ph}, {X: left, Y: top + ph}, {X: left, Y: top}}, "#888", 1)
	cv.Text(left+pw/2, l.h-8, 12, canvas.Middle, c.XLabel)
	cv.VerticalText(16, top+ph/2, 12, c.YLabel)
	for k, s := range c.Series {
		col := palette[k%len(palette)]
		pts := l.points(s)
		cv.Line(pts, col, 2)
		for _, p := range pts {
			cv.Dot(p, 2.5, col)
		}
	}
	// The legend, drawn last, in the box layout chose where no line runs.
	for k, s := range c.Series {
		col := palette[k%len(palette)]
		ly := l.legend.y0 + legendBaseline + float64(k)*legendRow
		cv.Line([]canvas.Point{{X: l.legend.x0 + 4, Y: ly - 4}, {X: l.legend.x0 + 4 + legendKey, Y: ly - 4}}, col, 2)
		cv.Text(l.legend.x0+legendText, ly, 12, canvas.Start, s.Name)
	}
}

// translated is the chart with its labels in the workbook's language (see
// Language): the labels a notebook's code gives are English, or the
// tutorial's Chinese.
func (c LineChart) translated() LineChart {
	c.Title, c.XLabel, c.YLabel = tr(c.Title), tr(c.XLabel), tr(c.YLabel)
	c.Series = slices.Clone(c.Series)
	for i := range c.Series {
		c.Series[i].Name = tr(c.Series[i].Name)
	}
	return c
}

// The legend's rows: a key line legendKey wide, the series' name at
// legendText from the box's left edge, baselines legendRow apart.
const (
	legendRow      = 16.0
	legendKey      = 20.0
	legendText     = 30.0
	legendBaseline = 14.0 // the first row's baseline below the box's top
	legendClear    = 6.0  // how far lines and dots keep from the box
)

// rect is a box in CSS pixels.
type rect struct{ x0, y0, x1, y1 float64 }

// chartLayout is where a LineChart draws: the plot area, the data's ranges
// and the legend's box.
type chartLayout struct {
	w, h, left, top, pw, ph float64
	x0, x1                  float64 // the data's x range
	lo, hi                  float64
	legend                  rect
}

func (l chartLayout) x(v float64) float64 {
	return l.left + (v-l.x0)/math.Max(l.x1-l.x0, 1e-9)*l.pw
}

func (l chartLayout) y(v float64) float64 { return l.top + (l.hi-v)/(l.hi-l.lo)*l.ph }

// points is where a series' values are drawn.
func (l chartLayout) points(s Series) []canvas.Point {
	pts := make([]canvas.Point, len(s.Values))
	for i, v := range s.Values {
		pts[i] = canvas.Point{X: l.x(s.x(i)), Y: l.y(v)}
	}
	return pts
}

// layout places the plot and the legend. The legend goes into the first
// corner of the plot (upper left, as the tutorial's loc='upper left', then
// upper right, lower right, lower left, then the middle of the top and of
// the bottom edge) where no line or dot of the data passes under it; when
// every one is crossed, the plot narrows and the legend stands to its right.
func (c LineChart) layout() chartLayout {
	cw, ch := c.size()
	w, h := float64(cw), float64(ch)
	l := chartLayout{w: w, h: h, left: 64, top: 36}
	l.pw, l.ph = w-l.left-20, h-l.top-48
	l.x0, l.x1, l.lo, l.hi = c.extent()
	bw, bh := legendText+4, legendRow*float64(len(c.Series))+4
	for _, s := range c.Series {
		bw = math.Max(bw, legendText+canvas.TextWidth(s.Name, 12)+4)
	}
	xl, xr, xm := l.left+6, l.left+l.pw-6-bw, l.left+(l.pw-bw)/2
	yt, yb := l.top+2, l.top+l.ph-2-bh
	for _, at := range []canvas.Point{{X: xl, Y: yt}, {X: xr, Y: yt}, {X: xr, Y: yb}, {X: xl, Y: yb}, {X: xm, Y: yt}, {X: xm, Y: yb}} {
		l.legend = rect{at.X, at.Y, at.X + bw, at.Y + bh}
		if !c.crosses(l, l.legend) {
			return l
		}
	}
	l.pw = math.Max(w-l.left-bw-16, w/3)
	l.legend = rect{l.left + l.pw + 8, l.top, l.left + l.pw + 8 + bw, l.top + bh}
	return l
}

// crosses reports whether a line or a dot of the data, as laid out by l,
// comes within legendClear of the box.
func (c LineChart) crosses(l chartLayout, box rect) bool {
	box = rect{box.x0 - legendClear, box.y0 - legendClear, box.x1 + legendClear, box.y1 + legendClear}
	for _, s := range c.Series {
		pts := l.points(s)
		for i := range pts {
			if segmentInRect(pts[max(i-1, 0)], pts[i], box) {
				return true
			}
		}
	}
	return false
}

// segmentInRect reports whether the segment from p to q meets the box
// (Liang–Barsky clipping; p == q is a point).
func segmentInRect(p, q canvas.Point, r rect) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := q.X-p.X, q.Y-p.Y
	for _, e := range [4][2]float64{{-dx, p.X - r.x0}, {dx, r.x1 - p.X}, {-dy, p.Y - r.y0}, {dy, r.y1 - p.Y}} {
		d, dist := e[0], e[1]
		switch {
		case d == 0:
			if dist < 0 { // parallel to this edge and outside it
				return false
			}
		case d < 0:
			t0 = math.Max(t0, dist/d)
		default:
			t1 = math.Min(t1, dist/d)
		}
	}
	return t0 <= t1
}

// extent returns the x range of the points (1 to the number of epochs when
// no series sets X) and a y range with a little margin.
func (c LineChart) extent() (x0, x1, lo, hi float64) {
	x0, x1, lo, hi = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for i, v := range s.Values {
			x0, x1 = math.Min(x0, s.x(i)), math.Max(x1, s.x(i))
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		return 1, 1, 0, 1
	}
	pad := math.Max((hi-lo)*0.08, 1e-3)
	return x0, x1, lo - pad, hi + pad
}

// ticks returns up to about count round values between lo and hi.
func ticks(lo, hi float64, count int) []float64 {
	if hi <= lo || count < 1 {
		return []float64{lo}
	}
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/float64(count))))
	for _, m := range []float64{1, 2, 5, 10} {
		if (hi-lo)/(step*m) <= float64(count) {
			step *= m
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		t := math.Round(v/step) * step
		if t == 0 {
			t = 0 // a tick just below 0 rounds to -0: make it 0
		}
		out = append(out, t)
	}
	return out
}

// trimFloat writes v with at most four decimals and no trailing zeros.
// Whatever rounds to zero reads "0", never "-0".
func trimFloat(v float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}
