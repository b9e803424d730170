package mnistlib

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gonb-mnist/workbook/internal/canvas"
)

func TestLineChartSVG(t *testing.T) {
	c := LineChart{
		Title: "训练历史", XLabel: "训练次数", YLabel: "准确率",
		Series: []Series{
			{Name: "训练准确率", Values: []float64{0.91, 0.95, 0.97}},
			{Name: "验证准确率 <val>", Values: []float64{0.93, 0.96, 0.965}},
		},
	}
	svg := c.SVG()
	doc := parseSVG(t, svg)
	// Two series and their legend keys, plus the grid and the frame.
	if doc.counts["polyline"] < 4 || doc.counts["circle"] != 6 {
		t.Errorf("%d lines and %d points, want 4 or more and 6", doc.counts["polyline"], doc.counts["circle"])
	}
	// Every label is there as words, drawn as glyphs or as <text>.
	all := "|" + strings.Join(append(doc.labels, doc.texts...), "|") + "|"
	for _, want := range []string{"训练历史", "训练次数", "准确率", "训练准确率", "验证准确率 <val>", "|1|2|3|"} {
		if !strings.Contains(all, want) {
			t.Errorf("chart text lacks %q: %s", want, all)
		}
	}
	for _, tag := range []string{"<script", "<image", "<foreignObject", "@import", "url("} {
		if strings.Contains(svg, tag) {
			t.Errorf("chart must be self-contained, has %s", tag)
		}
	}
	for _, href := range doc.hrefs {
		if !strings.HasPrefix(href, "#") {
			t.Errorf("chart links outside itself: %s", href)
		}
	}
}

// Labels are glyph outlines, so that a browser without Chinese fonts draws
// them: with the set-up's CJK font no <text> is left, each label's words are
// in its aria-label, and each glyph is defined once however often it is used.
// A rune that no font has falls back to <text> for its label.
func TestChartLabelsAsGlyphs(t *testing.T) {
	c := tutorialAccuracyChart(History{Accuracy: []float64{0.9, 0.95, 0.97}, ValAccuracy: []float64{0.93, 0.96, 0.965}})
	mixed := LineChart{Title: "validation accuracy · 验证准确率", XLabel: "epoch · 训练次数", YLabel: "accuracy · 准确率",
		Series: []Series{{Name: "MLP <dense> & \"dropout\"", Values: []float64{0.9, 0.95}}}}
	odd := c
	odd.Title = "训练历史 \U0010fffd" // private use, in no font
	cases := []struct {
		name    string
		chart   LineChart
		noCJK   bool     // as on a machine without the CJK font
		asText  []string // labels that must fall back to <text>
		glyphed []string // labels that must be drawn as glyphs
	}{
		{"chinese", c, false, nil, []string{"训练历史", "训练次数", "准确率", "训练准确率", "验证准确率", "0.92", "3"}},
		{"mixed scripts", mixed, false, nil, []string{mixed.Title, mixed.XLabel, mixed.YLabel, mixed.Series[0].Name}},
		{"rune in no font", odd, false, []string{odd.Title}, []string{"训练次数", "训练准确率"}},
		{"no CJK font", c, true, []string{"训练历史", "训练次数", "准确率", "训练准确率", "验证准确率"}, []string{"0.92", "3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.noCJK {
				withoutCJKFont(t)
			} else {
				needCJKFont(t)
			}
			doc := parseSVG(t, tc.chart.SVG())
			if got := strings.Join(doc.texts, "|"); got != strings.Join(tc.asText, "|") {
				t.Errorf("<text> holds %q, want %q", doc.texts, tc.asText)
			}
			for _, want := range tc.glyphed {
				if !slices.Contains(doc.labels, want) {
					t.Errorf("no glyph group labelled %q in %q", want, doc.labels)
				}
			}
			if len(doc.hrefs) < 10 {
				t.Errorf("%d glyphs used, want a chart's worth", len(doc.hrefs))
			}
			for _, href := range doc.hrefs {
				if doc.ids[strings.TrimPrefix(href, "#")] != 1 {
					t.Errorf("glyph %s is defined %d times, want once", href, doc.ids[strings.TrimPrefix(href, "#")])
				}
			}
		})
	}
}

// svgDoc is what the tests read from a chart's SVG.
type svgDoc struct {
	counts map[string]int // elements by name
	texts  []string       // the contents of <text> elements
	labels []string       // aria-labels
	ids    map[string]int // defined ids, with how often each is defined
	hrefs  []string       // links, such as <use>'s
}

// parseSVG reads the chart, failing the test unless it is well-formed XML:
// browsers show nothing otherwise.
func parseSVG(t *testing.T, svg string) svgDoc {
	t.Helper()
	doc := svgDoc{counts: map[string]int{}, ids: map[string]int{}}
	dec := xml.NewDecoder(strings.NewReader(svg))
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return doc
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			doc.counts[tok.Name.Local]++
			inText = tok.Name.Local == "text"
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "aria-label":
					doc.labels = append(doc.labels, a.Value)
				case "id":
					doc.ids[a.Value]++
				case "href":
					doc.hrefs = append(doc.hrefs, a.Value)
				}
			}
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				doc.texts = append(doc.texts, string(tok))
			}
		}
	}
}

// needCJKFont skips a test that needs the set-up's font with Chinese glyphs.
func needCJKFont(t *testing.T) {
	t.Helper()
	path := os.Getenv("WORKBOOK_CJK_FONT")
	if _, err := os.Stat(path); path == "" || err != nil {
		t.Skipf("no CJK font (WORKBOOK_CJK_FONT=%q): run `make setup`, then `source scripts/env.sh`", path)
	}
	if !canvas.HasCJKFont() {
		t.Fatalf("WORKBOOK_CJK_FONT=%s did not load as a font", path)
	}
}

// withoutCJKFont draws charts as on a machine without a CJK font, for the
// rest of the test.
func withoutCJKFont(t *testing.T) {
	t.Cleanup(canvas.WithoutCJKFont())
}

// The PNG copy is the same chart, drawn at twice the size: both lines and
// the title must be in it.
func TestLineChartPNG(t *testing.T) {
	c := LineChart{
		Title: "训练历史", XLabel: "epoch", YLabel: "准确率",
		Series: []Series{{Name: "train", Values: []float64{0.5, 0.9}}, {Name: "验证", Values: []float64{0.9, 0.5}}},
	}
	raw, err := c.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(1280, 720) {
		t.Fatalf("size %v, want 1280x720", got)
	}
	count := func(want color.RGBA, r image.Rectangle) (n int) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if color.RGBAModel.Convert(img.At(x, y)) == want {
					n++
				}
			}
		}
		return n
	}
	for k, col := range palette[:2] {
		if n := count(canvas.ParseHex(col), img.Bounds()); n < 500 {
			t.Errorf("series %d: %d pixels of %s, want a drawn line", k, n, col)
		}
	}
	if n := count(color.RGBA{0, 0, 0, 255}, image.Rect(500, 0, 780, 60)); n < 50 {
		t.Errorf("title: %d black pixels where it should be", n)
	}
	// The y label is turned on its side and centred on (16, 174) CSS pixels,
	// left of the tick labels: its ink must be taller than wide, centred there.
	ink := image.Rectangle{}
	for y := 72; y < 624; y++ {
		for x := 0; x < 60; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				ink = ink.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	mid := ink.Min.Add(ink.Max).Div(2)
	if ink.Dy() <= ink.Dx() || mid.X < 29 || mid.X > 35 || mid.Y < 344 || mid.Y > 352 {
		t.Errorf("y label ink at %v (centre %v), want a tall box centred on (32, 348)", ink, mid)
	}
}

func TestTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		n      int
		want   string
	}{
		{0.9, 1.0, 5, "[0.9 0.92 0.94 0.96 0.98 1]"},
		{1, 10, 10, "[1 2 3 4 5 6 7 8 9 10]"},
		{1, 20, 10, "[2 4 6 8 10 12 14 16 18 20]"},
	}
	for _, c := range cases {
		if got := fmtFloats(ticks(c.lo, c.hi, c.n)); got != c.want {
			t.Errorf("ticks(%v, %v, %d) = %s, want %s", c.lo, c.hi, c.n, got, c.want)
		}
	}
}

func fmtFloats(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = trimFloat(f)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// After the first epoch a live chart has one point per line: it must draw.
func TestChartOfOneEpoch(t *testing.T) {
	h := History{Loss: []float64{0.5}, Accuracy: []float64{0.8}, ValLoss: []float64{0.4}, ValAccuracy: []float64{0.9}}
	accuracy, loss := fitCharts(h)
	for metric, c := range map[string]LineChart{"accuracy": accuracy, "loss": loss} {
		if svg := c.SVG(); !strings.Contains(svg, "<svg") {
			t.Errorf("%s: no SVG", metric)
		}
		if _, err := c.PNG(); err != nil {
			t.Errorf("%s: %v", metric, err)
		}
	}
}

// Ticks and labels never read "-0": a range that starts just below zero (a
// loss near 0, with the chart's margin under it) has a tick at 0, and
// whatever rounds to zero is written "0".
func TestNoNegativeZero(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   string
	}{
		{-0.0001, 0.3, "[0 0.1 0.2 0.3]"},
		{-0.04, 0.5, "[0 0.2 0.4]"},
		{-0.024, 0.324, "[0 0.1 0.2 0.3]"},
		{-0.3, 0.3, "[-0.2 0 0.2]"},
	}
	for _, c := range cases {
		got := ticks(c.lo, c.hi, 5)
		if s := fmtFloats(got); s != c.want {
			t.Errorf("ticks(%v, %v) read %s, want %s", c.lo, c.hi, s, c.want)
		}
		for _, v := range got {
			if v == 0 && math.Signbit(v) {
				t.Errorf("ticks(%v, %v) hold -0", c.lo, c.hi)
			}
		}
	}
	for _, v := range []float64{math.Copysign(0, -1), -0.00001, -0.00004999} {
		if s := trimFloat(v); s != "0" {
			t.Errorf("trimFloat(%g) = %q, want \"0\"", v, s)
		}
	}
	// A loss chart whose validation loss comes down to 0: the y axis starts
	// below 0 and its labels are plain numbers.
	c := HistoryChart(History{Loss: []float64{0.30, 0.08, 0.02, 0.004}, ValLoss: []float64{0.10, 0.04, 0.01, 0}}, "loss")
	doc := parseSVG(t, c.SVG())
	for _, l := range append(doc.labels, doc.texts...) {
		if strings.HasPrefix(l, "-0") && strings.Trim(l, "-0.") == "" {
			t.Errorf("a label reads %q", l)
		}
	}
	if !slices.Contains(doc.labels, "0") {
		t.Errorf("no tick labelled 0 in %q", doc.labels)
	}
}

// The legend stands where no line passes: in the first corner of the plot
// that the data leaves free, else beside the plot. Read from the SVG: the
// legend is its keys (the coloured lines without dots) and its names; the
// data is the lines through the dots.
func TestLegendCoversNoLine(t *testing.T) {
	cases := []struct {
		name   string
		series [][]float64
		where  string // upper left, upper right, lower right, lower left, upper middle, lower middle, outside
	}{
		// 08's CNN: training accuracy (with dropout on) starts low, validation
		// starts high, under the old legend in the upper left.
		{"accuracy, validation above from the start", [][]float64{
			{0.80, 0.975, 0.982, 0.986, 0.989, 0.991, 0.993, 0.994, 0.995, 0.996},
			{0.975, 0.985, 0.987, 0.988, 0.989, 0.989, 0.990, 0.990, 0.991, 0.991}}, "lower right"},
		{"accuracy, quick mode's two epochs", [][]float64{{0.55, 0.93}, {0.90, 0.95}}, "lower right"},
		{"loss", [][]float64{{0.5, 0.15, 0.1, 0.07, 0.05}, {0.2, 0.12, 0.09, 0.085, 0.08}}, "upper right"},
		{"loss, quick mode's two epochs", [][]float64{{1.2, 0.35}, {0.45, 0.30}}, "upper right"},
		{"one epoch", [][]float64{{0.8}, {0.9}}, "upper right"}, // the dots stand on the left edge, beside the old legend
		{"09's three models", [][]float64{
			{0.970, 0.975, 0.978, 0.977, 0.979},
			{0.960, 0.970, 0.974, 0.976, 0.977},
			{0.984, 0.987, 0.988, 0.989, 0.990}}, "lower right"},
		{"lines through every corner", [][]float64{{1, 0, 0.5, 0.5, 0, 1}, {0, 1, 0.5, 0.5, 1, 0}}, "upper middle"},
		{"lines through every corner and the middle", [][]float64{{1, 0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0}}, "outside"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := LineChart{Title: "chart", XLabel: "epoch", YLabel: "value"}
			for k, v := range tc.series {
				c.Series = append(c.Series, Series{Name: []string{"train accuracy", "validation accuracy", "cnn", "mlp_dropout"}[k], Values: v})
			}
			lines, keys, legend, plot := readChart(t, c.SVG(), c)
			if len(keys) != len(c.Series) {
				t.Fatalf("%d legend keys, want %d", len(keys), len(c.Series))
			}
			for _, seg := range lines {
				// A line is 2 px wide, its dots 2.5 px in radius: keep them clear of the box.
				if meets(seg, area{legend.x0 - 3, legend.y0 - 3, legend.x1 + 3, legend.y1 + 3}) {
					t.Errorf("the legend %v covers the line from %v to %v", legend, seg[0], seg[1])
				}
			}
			if legend.x0 < 0 || legend.y0 < 0 || legend.x1 > 640 || legend.y1 > 360 {
				t.Errorf("the legend %v leaves the 640×360 chart", legend)
			}
			where := map[bool]string{true: "upper", false: "lower"}[legend.y0 < (plot.y0+plot.y1)/2]
			switch mid := (legend.x0 + legend.x1) / 2; {
			case legend.x0 > plot.x1:
				where = "outside"
			case math.Abs(mid-(plot.x0+plot.x1)/2) < 2:
				where += " middle"
			case mid < (plot.x0+plot.x1)/2:
				where += " left"
			default:
				where += " right"
			}
			if where != tc.where {
				t.Errorf("the legend %v is in the %s, want the %s", legend, where, tc.where)
			}
		})
	}
}

// area is a box in CSS pixels.
type area struct{ x0, y0, x1, y1 float64 }

// meets reports whether a segment comes into the box, by walking along it in
// steps of a tenth of a pixel.
func meets(seg [2]canvas.Point, r area) bool {
	n := math.Ceil(math.Hypot(seg[1].X-seg[0].X, seg[1].Y-seg[0].Y) * 10)
	for i := 0.0; i <= n; i++ {
		f := i / math.Max(n, 1)
		x, y := seg[0].X+f*(seg[1].X-seg[0].X), seg[0].Y+f*(seg[1].Y-seg[0].Y)
		if x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1 {
			return true
		}
	}
	return false
}

// readChart reads the drawn segments of a chart's data and its legend from
// the SVG: a polyline of a series' colour whose every point has a dot is
// data, one without dots a legend key; the legend's box holds the keys and
// the names' glyphs (from their transform and the font's advances); the
// plot is the grey frame.
func readChart(t *testing.T, svg string, c LineChart) (lines [][2]canvas.Point, keys [][]canvas.Point, box, plot area) {
	t.Helper()
	parsePoints := func(s string) (pts []canvas.Point) {
		for _, xy := range strings.Fields(s) {
			var p canvas.Point
			if _, err := fmt.Sscanf(xy, "%g,%g", &p.X, &p.Y); err != nil {
				t.Fatalf("points %q: %v", s, err)
			}
			pts = append(pts, p)
		}
		return pts
	}
	dots := map[canvas.Point]bool{}
	var polylines [][]canvas.Point
	box = area{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	add := func(x0, y0, x1, y1 float64) {
		box = area{math.Min(box.x0, x0), math.Min(box.y0, y0), math.Max(box.x1, x1), math.Max(box.y1, y1)}
	}
	names := map[string]bool{}
	for _, s := range c.Series {
		names[s.Name] = true
	}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range el.Attr {
			attr[a.Name.Local] = a.Value
		}
		switch el.Name.Local {
		case "circle":
			var p canvas.Point
			fmt.Sscanf(attr["cx"]+" "+attr["cy"], "%g %g", &p.X, &p.Y)
			dots[p] = true
		case "polyline":
			if pts := parsePoints(attr["points"]); attr["stroke"] == "#888" && len(pts) == 5 {
				plot = area{pts[0].X, pts[0].Y, pts[2].X, pts[2].Y}
			}
			if slices.Contains(palette, attr["stroke"]) {
				polylines = append(polylines, parsePoints(attr["points"]))
			}
		case "g":
			if !names[attr["aria-label"]] {
				continue
			}
			var x, y, k float64
			if _, err := fmt.Sscanf(attr["transform"], "translate(%g %g) scale(%g)", &x, &y, &k); err != nil {
				t.Fatalf("legend name %q placed by %q: %v", attr["aria-label"], attr["transform"], err)
			}
			width, ascent, descent := canvas.Extent(attr["aria-label"])
			add(x, y-ascent*k, x+width*k, y+descent*k)
		}
	}
	for _, pts := range polylines {
		data := true
		for _, p := range pts {
			data = data && dots[p]
		}
		if !data {
			keys = append(keys, pts)
			for _, p := range pts {
				add(p.X, p.Y-1, p.X, p.Y+1) // the key is 2 px thick
			}
			continue
		}
		for i := range pts {
			lines = append(lines, [2]canvas.Point{pts[max(i-1, 0)], pts[i]})
		}
	}
	return lines, keys, box, plot
}
