package mnistlib

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
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
	// It must be well-formed XML, or browsers show nothing.
	dec := xml.NewDecoder(strings.NewReader(svg))
	counts := map[string]int{}
	var texts []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			counts[tok.Name.Local]++
		case xml.CharData:
			texts = append(texts, string(tok))
		}
	}
	// Two series and their legend keys, plus the grid and the frame.
	if counts["polyline"] < 4 || counts["circle"] != 6 {
		t.Errorf("%d lines and %d points, want 4 or more and 6", counts["polyline"], counts["circle"])
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"训练历史", "训练次数", "准确率", "训练准确率", "验证准确率 <val>", "|1|2|3|"} {
		if !strings.Contains(all, want) {
			t.Errorf("chart text lacks %q: %s", want, all)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "http://") && !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("chart must be self-contained")
	}
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
		if n := count(parseHex(col), img.Bounds()); n < 500 {
			t.Errorf("series %d: %d pixels of %s, want a drawn line", k, n, col)
		}
	}
	if n := count(color.RGBA{0, 0, 0, 255}, image.Rect(500, 0, 780, 60)); n < 50 {
		t.Errorf("title: %d black pixels where it should be", n)
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
