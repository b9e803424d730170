package mnistlib

import (
	"fmt"
	"math"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// LineChart is a small self-contained SVG line chart: no JavaScript and no
// web fonts, so it shows the same in JupyterLab, in an HTML export opened
// offline and in a plain browser.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	Width, Height         int // pixels; default 640×360
}

// Series is one line: Values[i] is plotted at x = i+1 (epochs count from 1).
type Series struct {
	Name   string
	Values []float64
}

// The colours of matplotlib's default cycle, so charts look familiar.
var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"}

// SVG renders the chart.
func (c LineChart) SVG() string {
	cv := &svgCanvas{}
	c.draw(cv)
	return cv.String()
}

// PNG renders the same chart as a picture at twice its size in pixels, for
// viewers that drop SVG (nbconvert's SanitizeHTML preprocessor, for one,
// keeps only PNG and JPEG images).
func (c LineChart) PNG() ([]byte, error) {
	cv := newRasterCanvas(orDefault(c.Width, 640), orDefault(c.Height, 360), 2)
	c.draw(cv)
	return cv.PNG()
}

// draw lays the chart out on a canvas: title, grid, axes, lines, legend.
func (c LineChart) draw(cv canvas) {
	w, h := float64(orDefault(c.Width, 640)), float64(orDefault(c.Height, 360))
	left, right, top, bottom := 64.0, 20.0, 36.0, 48.0
	pw, ph := w-left-right, h-top-bottom
	n, lo, hi := c.extent()
	x := func(i float64) float64 { return left + (i-1)/math.Max(float64(n-1), 1)*pw }
	y := func(v float64) float64 { return top + (hi-v)/(hi-lo)*ph }

	cv.begin(w, h)
	cv.text(left+pw/2, 22, 15, middle, c.Title)
	for _, v := range ticks(lo, hi, 5) { // horizontal grid and y labels
		cv.line([]point{{left, y(v)}, {left + pw, y(v)}}, "#ddd", 1)
		cv.text(left-6, y(v)+4, 12, end, trimFloat(v))
	}
	for _, i := range ticks(1, float64(n), min(n, 10)) { // x labels at whole epochs
		if i == math.Trunc(i) {
			cv.text(x(i), top+ph+16, 12, middle, fmt.Sprint(i))
		}
	}
	cv.line([]point{{left, top}, {left + pw, top}, {left + pw, top + ph}, {left, top + ph}, {left, top}}, "#888", 1)
	cv.text(left+pw/2, h-8, 12, middle, c.XLabel)
	cv.verticalText(16, top+ph/2, 12, c.YLabel)
	for k, s := range c.Series {
		col := palette[k%len(palette)]
		var pts []point
		for i, v := range s.Values {
			pts = append(pts, point{x(float64(i + 1)), y(v)})
		}
		cv.line(pts, col, 2)
		for _, p := range pts {
			cv.dot(p, 2.5, col)
		}
		// Legend, top left inside the plot (matplotlib's loc='upper left').
		ly := top + 16 + float64(k)*16
		cv.line([]point{{left + 10, ly - 4}, {left + 30, ly - 4}}, col, 2)
		cv.text(left+36, ly, 12, start, s.Name)
	}
}

// extent returns the number of points and a y range with a little margin.
func (c LineChart) extent() (n int, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		n = max(n, len(s.Values))
		for _, v := range s.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if n == 0 || math.IsInf(lo, 0) {
		return 1, 0, 1
	}
	pad := math.Max((hi-lo)*0.08, 1e-3)
	return n, lo - pad, hi + pad
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
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

func trimFloat(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}

// ShowChart displays the chart inline in a GoNB notebook, as SVG with a PNG
// beside it: JupyterLab and its HTML export show the SVG, viewers that drop
// SVG the PNG. Never as raw HTML, which a sanitized export would escape into
// text. Outside a notebook it does nothing.
func ShowChart(c LineChart) { showChartAs("", c) }

// showChartAs shows the chart in the display with the given ID, replacing
// what that display showed; "" makes a new display.
func showChartAs(id string, c LineChart) {
	if !gonbui.IsNotebook {
		return
	}
	data := map[protocol.MIMEType]any{
		protocol.MIMEImageSVG:  c.SVG(),
		protocol.MIMETextPlain: "chart: " + c.Title,
	}
	if png, err := c.PNG(); err == nil {
		data[protocol.MIMEImagePNG] = png
	}
	w, h := orDefault(c.Width, 640), orDefault(c.Height, 360)
	display(id, data, map[string]any{
		string(protocol.MIMEImagePNG): map[string]int{"width": w, "height": h}, // drawn at 2×: show at 1× (gob knows map[string]int)
	})
}
