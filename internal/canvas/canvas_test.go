package canvas

import (
	"image"
	"os"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// needCJKFont skips a test that needs the set-up's font with Chinese glyphs.
func needCJKFont(t *testing.T) {
	t.Helper()
	path := os.Getenv(EnvCJKFont)
	if _, err := os.Stat(path); path == "" || err != nil {
		t.Skipf("no CJK font (%s=%q): run `make setup`, then `source scripts/env.sh`", EnvCJKFont, path)
	}
	if !HasCJKFont() {
		t.Fatalf("%s=%s did not load as a font", EnvCJKFont, path)
	}
}

// The outlines are real glyphs: 训 and 练 are different shapes, both from the
// CJK font, and a space has none.
func TestGlyphOutlines(t *testing.T) {
	needCJKFont(t)
	var buf sfnt.Buffer
	path := func(r rune) string {
		g, ok := glyphFor(&buf, r)
		if !ok {
			t.Fatalf("no font has %q", r)
		}
		segs, err := g.font.LoadGlyph(&buf, g.index, emPPEM, nil)
		if err != nil {
			t.Fatalf("loading %q: %v", r, err)
		}
		return pathData(segs)
	}
	xun, lian := path('训'), path('练')
	if len(xun) < 50 || len(lian) < 50 {
		t.Errorf("outlines too short for a Chinese character: 训 %q, 练 %q", xun, lian)
	}
	if xun == lian {
		t.Errorf("训 and 练 have the same outline %q", xun)
	}
	if p := path(' '); p != "" {
		t.Errorf("a space has the outline %q", p)
	}
	if g, _ := glyphFor(&buf, '训'); g.font != fonts.cjk {
		t.Error("训 is not taken from the CJK font")
	}
}

// pathData writes relative steps between rounded points, restating only a
// changed command.
func TestPathData(t *testing.T) {
	pt := func(x, y int) fixed.Point26_6 { return fixed.P(x, y) }
	segs := sfnt.Segments{
		{Op: sfnt.SegmentOpMoveTo, Args: [3]fixed.Point26_6{pt(100, -200)}},
		{Op: sfnt.SegmentOpLineTo, Args: [3]fixed.Point26_6{pt(300, -200)}},
		{Op: sfnt.SegmentOpLineTo, Args: [3]fixed.Point26_6{pt(300, 0)}},
		{Op: sfnt.SegmentOpQuadTo, Args: [3]fixed.Point26_6{pt(200, 100), pt(100, 0)}},
		{Op: sfnt.SegmentOpMoveTo, Args: [3]fixed.Point26_6{{X: 500<<6 + 40, Y: -500 << 6}}}, // 500.6 rounds up
		{Op: sfnt.SegmentOpCubeTo, Args: [3]fixed.Point26_6{pt(600, -500), pt(701, -400), pt(701, -300)}},
	}
	want := "m100-200l200 0 0 200q-100 100-200 0zm401-300c99 0 200 100 200 200z"
	if got := pathData(segs); got != want {
		t.Errorf("pathData = %q, want %q", got, want)
	}
	if got := pathData(nil); got != "" {
		t.Errorf("no segments give %q", got)
	}
}

// fill rasterizes only a path's bounding box; the pixels are the ones a
// rasterizer as large as the image draws, to one level in 255 (its SIMD sums
// of coverage group the columns from another start), for every kind of path
// a chart or picture has, near the edges too.
func TestFillBoundedMatchesFullCanvas(t *testing.T) {
	draw := func(fullImage bool) *image.RGBA {
		cv := NewRaster(320, 180, 2) // 640×360 pixels
		cv.Begin(320, 180)
		cv.FullImage = fullImage
		cv.Line([]Point{{-5, 10}, {100, 90}, {330, 20}}, "#1f77b4", 3) // runs off both sides
		cv.Dot(Point{318, 178}, 4, "#d62728")                          // cut by the corner
		cv.Box(20.3, 30.7, 50.2, 20.1, "#2ca02c", "#000")
		cv.Text(160, 100, 14, Middle, "训练 epoch 0.97")
		cv.VerticalText(10, 90, 12, "准确率")
		return cv.Img
	}
	bounded, full := draw(false), draw(true)
	worst, inked := 0, 0
	for i := range full.Pix {
		d := int(bounded.Pix[i]) - int(full.Pix[i])
		worst = max(worst, d, -d)
		if full.Pix[i] != 255 {
			inked++
		}
	}
	if inked < 3000 || worst > 1 {
		t.Errorf("%d channel values inked; largest difference %d, want at most 1", inked, worst)
	}
}
