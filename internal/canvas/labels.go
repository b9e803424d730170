package canvas

import (
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"strconv"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// EnvCJKFont names a font file with Chinese glyphs for the labels, tried
// before cjkFontPaths.
const EnvCJKFont = "WORKBOOK_CJK_FONT"

// cjkFontPaths are fonts with Chinese glyphs, tried in order for labels
// that the Go font lacks. WORKBOOK_CJK_FONT (set by scripts/env.sh to the
// font the set-up fetches) comes first.
var cjkFontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/System/Library/Fonts/STHeiti Light.ttc",
	`C:\Windows\Fonts\msyh.ttc`,
}

// labelFont is a font labels are drawn with. id, from a hash of the font
// file, prefixes the SVG ids of its glyphs: two charts inlined in one HTML
// page share ids only for the same glyph of the same font.
type labelFont struct {
	*sfnt.Font
	id string
}

func newLabelFont(f *sfnt.Font, data []byte) *labelFont {
	h := fnv.New32a()
	h.Write(data)
	return &labelFont{f, fmt.Sprintf("g%06x", h.Sum32()&0xffffff)}
}

var fonts struct {
	once       sync.Once
	latin, cjk *labelFont // cjk is nil when no CJK font was found
}

func loadFonts() {
	latin, _ := opentype.Parse(goregular.TTF) // embedded, cannot fail
	fonts.latin = newLabelFont(latin, goregular.TTF)
	for _, path := range append([]string{os.Getenv(EnvCJKFont)}, cjkFontPaths...) {
		data, err := os.ReadFile(path)
		if path == "" || err != nil {
			continue
		}
		if coll, err := opentype.ParseCollection(data); err == nil && coll.NumFonts() > 0 {
			if f, err := coll.Font(0); err == nil {
				fonts.cjk = newLabelFont(f, data)
				return
			}
		}
	}
}

// HasCJKFont reports whether a font with Chinese glyphs was found.
func HasCJKFont() bool {
	labelFonts()
	return fonts.cjk != nil
}

// WithoutCJKFont makes labels draw as on a machine without a font with
// Chinese glyphs, until restore is called: for tests.
func WithoutCJKFont() (restore func()) {
	labelFonts()
	saved := fonts.cjk
	fonts.cjk = nil
	return func() { fonts.cjk = saved }
}

// labelFonts returns the fonts in the order they are tried for each rune.
func labelFonts() []*labelFont {
	fonts.once.Do(loadFonts)
	if fonts.cjk == nil {
		return []*labelFont{fonts.latin}
	}
	return []*labelFont{fonts.latin, fonts.cjk}
}

// Glyphs are loaded at 1000 pixels per em, so outlines, advances and
// metrics come in thousandths of an em, whatever the font's own units.
const emUnits = 1000

var emPPEM = fixed.I(emUnits)

type glyphKey struct {
	font  *labelFont
	index sfnt.GlyphIndex
}

// placed is a glyph at pen position x along the label's baseline.
type placed struct {
	glyphKey
	x float64
}

// shaped is a label laid out from 0 along its baseline, in thousandths of
// an em. Both canvases draw from it, so the SVG and the PNG match.
type shaped struct {
	glyphs          []placed
	width           float64
	ascent, descent float64 // the largest of the fonts used
	missing         bool    // some rune is in no font: the PNG shows a box
}

// shape takes each rune from the first font that has it: the Go font for
// Latin, the CJK font for Chinese, so mixed labels ("epoch · 训练次数") draw
// whole. Kerning applies between glyphs of the same font.
func shape(s string) shaped {
	var (
		l    shaped
		buf  sfnt.Buffer
		prev glyphKey
	)
	for _, r := range s {
		g, ok := glyphFor(&buf, r)
		l.missing = l.missing || !ok
		if prev.font == g.font {
			if k, err := g.font.Kern(&buf, prev.index, g.index, emPPEM, font.HintingNone); err == nil {
				l.width += float64(k) / 64
			}
		}
		l.glyphs = append(l.glyphs, placed{g, l.width})
		if adv, err := g.font.GlyphAdvance(&buf, g.index, emPPEM, font.HintingNone); err == nil {
			l.width += float64(adv) / 64
		}
		if m, err := g.font.Metrics(&buf, emPPEM, font.HintingNone); err == nil {
			l.ascent = math.Max(l.ascent, float64(m.Ascent)/64)
			l.descent = math.Max(l.descent, float64(m.Descent)/64)
		}
		prev = g
	}
	return l
}

// glyphFor returns r's glyph in the first font that has it, or the Go
// font's missing-glyph box and false.
func glyphFor(buf *sfnt.Buffer, r rune) (glyphKey, bool) {
	fs := labelFonts()
	for _, f := range fs {
		if i, err := f.GlyphIndex(buf, r); err == nil && i != 0 {
			return glyphKey{f, i}, true
		}
	}
	return glyphKey{fs[0], 0}, false
}

// placement puts a shaped label on a canvas: the start of its baseline, the
// pixels per thousandth of an em, and whether it is turned to read bottom to
// top.
type placement struct {
	x, y, k float64
	up      bool
}

// horizontal places the label with its baseline at y, anchored at x.
func horizontal(l shaped, x, y, size float64, a Anchor) placement {
	k := size / emUnits
	return placement{x: x - l.width*k*float64(a)/2, y: y, k: k}
}

// vertical places the turned label with its middle, and the middle of its
// line (ascent to descent), on (x, y).
func vertical(l shaped, x, y, size float64) placement {
	k := size / emUnits
	return placement{x: x + (l.ascent-l.descent)*k/2, y: y + l.width*k/2, k: k, up: true}
}

// at maps a point of the label (along the baseline u, down v) to the canvas.
func (p placement) at(u, v float64) (float64, float64) {
	if p.up {
		return p.x + v*p.k, p.y - u*p.k
	}
	return p.x + u*p.k, p.y + v*p.k
}

// transform is the same mapping as at, as an SVG transform.
func (p placement) transform() string {
	turn := ""
	if p.up {
		turn = " rotate(-90)"
	}
	return fmt.Sprintf("translate(%s %s)%s scale(%s)", num(p.x), num(p.y), turn, strconv.FormatFloat(p.k, 'g', 6, 64))
}

// Extent is how wide s is drawn along its baseline, and how far it rises
// above and falls below it, in thousandths of an em.
func Extent(s string) (width, ascent, descent float64) {
	l := shape(s)
	return l.width, l.ascent, l.descent
}

// TextWidth is how wide s is drawn at size pixels per em.
func TextWidth(s string, size float64) float64 {
	return shape(s).width * size / emUnits
}
