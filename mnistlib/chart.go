package mnistlib

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
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

// fonts lists families that carry Chinese glyphs, for the tutorial's
// 训练准确率-style labels, before the generic fallback.
const fonts = `font-family="'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',SimHei,sans-serif"`

// SVG renders the chart.
func (c LineChart) SVG() string {
	w, h := orDefault(c.Width, 640), orDefault(c.Height, 360)
	left, right, top, bottom := 64.0, 20.0, 36.0, 48.0
	pw, ph := float64(w)-left-right, float64(h)-top-bottom
	n, lo, hi := c.extent()
	x := func(i float64) float64 { return left + (i-1)/math.Max(float64(n-1), 1)*pw }
	y := func(v float64) float64 { return top + (hi-v)/(hi-lo)*ph }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" %s font-size="12">`, w, h, w, h, fonts)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`, w, h)
	fmt.Fprintf(&b, `<text x="%g" y="22" text-anchor="middle" font-size="15">%s</text>`, left+pw/2, html.EscapeString(c.Title))
	for _, v := range ticks(lo, hi, 5) { // horizontal grid and y labels
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, left, left+pw, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, left-6, y(v)+4, trimFloat(v))
	}
	for _, i := range ticks(1, float64(n), min(n, 10)) { // x labels at whole epochs
		if i == math.Trunc(i) {
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%g</text>`, x(i), top+ph+16, i)
		}
	}
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#888"/>`, left, top, pw, ph)
	fmt.Fprintf(&b, `<text x="%g" y="%d" text-anchor="middle">%s</text>`, left+pw/2, h-8, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text transform="translate(16 %g) rotate(-90)" text-anchor="middle">%s</text>`, top+ph/2, html.EscapeString(c.YLabel))
	for k, s := range c.Series {
		col := palette[k%len(palette)]
		var pts []string
		for i, v := range s.Values {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(i+1)), y(v)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, col, strings.Join(pts, " "))
		for _, p := range pts {
			xy := strings.Split(p, ",")
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, xy[0], xy[1], col)
		}
		// Legend, top left inside the plot (matplotlib's loc='upper left').
		ly := top + 16 + float64(k)*16
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="%s" stroke-width="2"/>`, left+10, left+30, ly-4, ly-4, col)
		fmt.Fprintf(&b, `<text x="%g" y="%g">%s</text>`, left+36, ly, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return b.String()
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

// ShowChart displays the chart inline in a GoNB notebook (as SVG inside
// HTML, which the HTML export keeps verbatim). Outside a notebook it does
// nothing.
func ShowChart(c LineChart) { gonbui.DisplaySvg(c.SVG()) }
