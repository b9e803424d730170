package mnistlib

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// canvas is what a chart draws on; coordinates are in CSS pixels. The SVG
// and the PNG of a chart come from the same drawing code.
type canvas interface {
	begin(w, h float64)
	line(pts []point, color string, width float64)
	dot(p point, r float64, color string)
	text(x, y, size float64, a anchor, s string)
	verticalText(x, y, size float64, s string) // centred on (x, y), read bottom to top
}

type point struct{ X, Y float64 }

type anchor int

const (
	start anchor = iota
	middle
	end
)

// svgCanvas writes SVG elements. Labels are glyph outlines from the fonts
// the PNG is drawn with, not <text>: a browser without Chinese fonts (Debian's
// Chromium, for one) would draw the tutorial's 训练准确率 as empty boxes.
type svgCanvas struct {
	strings.Builder                     // the elements, in drawing order
	head            string              // the <svg> tag and the background
	defs            strings.Builder     // one <path> per glyph that labels <use>
	ids             map[glyphKey]string // "" for a blank glyph, such as a space
	buf             sfnt.Buffer
}

// fontFamilies lists families that carry Chinese glyphs, for the labels that
// fall back to <text> (a rune in no bundled font), before the generic one.
const fontFamilies = `'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',SimHei,sans-serif`

func (c *svgCanvas) begin(w, h float64) {
	c.head = fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="%g" height="%g" viewBox="0 0 %g %g" font-family="%s" font-size="12">`,
		w, h, w, h, fontFamilies) + fmt.Sprintf(`<rect width="%g" height="%g" fill="white"/>`, w, h)
}

// String returns the document, the glyphs defined before their first use.
func (c *svgCanvas) String() string {
	defs := ""
	if c.defs.Len() > 0 {
		defs = "<defs>" + c.defs.String() + "</defs>"
	}
	return c.head + defs + c.Builder.String() + `</svg>`
}

func (c *svgCanvas) line(pts []point, col string, width float64) {
	var s []string
	for _, p := range pts {
		s = append(s, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
	}
	fmt.Fprintf(c, `<polyline fill="none" stroke="%s" stroke-width="%g" points="%s"/>`, col, width, strings.Join(s, " "))
}

func (c *svgCanvas) dot(p point, r float64, col string) {
	fmt.Fprintf(c, `<circle cx="%.1f" cy="%.1f" r="%g" fill="%s"/>`, p.X, p.Y, r, col)
}

func (c *svgCanvas) text(x, y, size float64, a anchor, s string) {
	l := shape(s)
	if c.label(s, l, horizontal(l, x, y, size, a)) {
		return
	}
	fmt.Fprintf(c, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="%s">%s</text>`,
		x, y, size, [...]string{"start", "middle", "end"}[a], html.EscapeString(s))
}

func (c *svgCanvas) verticalText(x, y, size float64, s string) {
	l := shape(s)
	if c.label(s, l, vertical(l, x, y, size)) {
		return
	}
	fmt.Fprintf(c, `<text transform="translate(%g %g) rotate(-90)" font-size="%g" text-anchor="middle">%s</text>`,
		x, y, size, html.EscapeString(s))
}

// label writes s as a group of glyphs named by the string, for screen readers
// and for tools that look for the words in the file. It reports false, having written nothing, when some glyph
// cannot be drawn: the caller falls back to <text>.
func (c *svgCanvas) label(s string, l shaped, p placement) bool {
	if l.missing {
		return false
	}
	ids := make([]string, len(l.glyphs))
	for i, g := range l.glyphs {
		id, err := c.glyphID(g)
		if err != nil {
			return false
		}
		ids[i] = id
	}
	if s == "" {
		return true
	}
	fmt.Fprintf(c, `<g role="img" aria-label="%s" transform="%s">`, html.EscapeString(s), p.transform())
	for i, id := range ids {
		switch x := l.glyphs[i].x; {
		case id == "": // blank
		case x == 0:
			fmt.Fprintf(c, `<use xlink:href="#%s"/>`, id)
		default: // a thousandth of an em is precise enough
			fmt.Fprintf(c, `<use xlink:href="#%s" x="%d"/>`, id, int(math.Round(x)))
		}
	}
	c.WriteString(`</g>`)
	return true
}

// glyphID returns the id of the glyph's outline in <defs>, adding it the
// first time: each glyph is written once however often labels use it.
func (c *svgCanvas) glyphID(g placed) (string, error) {
	k := glyphKey{g.font, g.index}
	if id, ok := c.ids[k]; ok {
		return id, nil
	}
	segs, err := g.font.LoadGlyph(&c.buf, g.index, emPPEM, nil)
	if err != nil {
		return "", fmt.Errorf("loading glyph %d of the label font: %w", g.index, err)
	}
	id := ""
	if d := pathData(segs); d != "" {
		id = fmt.Sprintf("%s-%x", g.font.id, g.index)
		fmt.Fprintf(&c.defs, `<path id="%s" d="%s"/>`, id, d)
	}
	if c.ids == nil {
		c.ids = map[glyphKey]string{}
	}
	c.ids[k] = id
	return id, nil
}

// pathData writes glyph segments (thousandths of an em, y down) as SVG path
// data in whole units. To keep charts small, coordinates are relative to the
// previous point, a repeated command is not restated, and a minus sign
// doubles as the separator.
func pathData(segs sfnt.Segments) string {
	var (
		b                strings.Builder
		cur, first       image.Point // rounded, so relative steps never drift
		last             byte
		commands, counts = "mlqc", [...]int{1, 1, 2, 3}
	)
	for _, s := range segs {
		if s.Op == sfnt.SegmentOpMoveTo && b.Len() > 0 {
			b.WriteByte('z')
			cur, last = first, 'z'
		}
		cmd, n := commands[s.Op], counts[s.Op]
		if cmd != last || cmd == 'm' {
			b.WriteByte(cmd)
		}
		for i, p := range s.Args[:n] {
			q := image.Pt(int(math.Round(float64(p.X)/64)), int(math.Round(float64(p.Y)/64)))
			for j, v := range [2]int{q.X - cur.X, q.Y - cur.Y} {
				if (cmd == last || i > 0 || j > 0) && v >= 0 {
					b.WriteByte(' ')
				}
				b.WriteString(strconv.Itoa(v))
			}
			if i == n-1 {
				cur = q
			}
		}
		if cmd == 'm' {
			first = cur
		}
		last = cmd
	}
	if b.Len() > 0 {
		b.WriteByte('z')
	}
	return b.String()
}

// num formats a coordinate to a hundredth of a pixel, without trailing zeros.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// rasterCanvas draws antialiased shapes and text into an RGBA image, scale
// image pixels per CSS pixel.
type rasterCanvas struct {
	img       *image.RGBA
	scale     float64
	textColor string // the labels' colour; "" is black
	fullImage bool   // rasterize each path over the whole image (slow; the reference for fill's test)
}

func newRasterCanvas(w, h int, scale float64) *rasterCanvas {
	return &rasterCanvas{img: image.NewRGBA(image.Rect(0, 0, int(float64(w)*scale), int(float64(h)*scale))), scale: scale}
}

func (c *rasterCanvas) PNG() ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, c.img); err != nil {
		return nil, fmt.Errorf("encoding chart as PNG: %w", err)
	}
	return b.Bytes(), nil
}

func (c *rasterCanvas) begin(w, h float64) {
	draw.Draw(c.img, c.img.Bounds(), image.White, image.Point{}, draw.Src)
}

// fill paints the path that add builds, in colour col. It rasterizes the
// path's bounding box only: a rasterizer as large as the image for every
// line, dot and label made a live chart's PNG take 0.7 s, at every epoch
// (bench/RESULTS.md, the main job).
func (c *rasterCanvas) fill(col string, add func(z pathAdder)) {
	var p pathRecorder
	add(&p)
	r := p.bounds().Intersect(c.img.Bounds())
	if c.fullImage {
		r = c.img.Bounds()
	}
	if r.Empty() {
		return
	}
	w := r.Dx()
	if b := c.img.Bounds(); b.Dx() > 512 || b.Dy() > 512 {
		// x/image/vector switches to fixed-point arithmetic at 512 pixels and
		// under, which antialiases a few levels apart: draw as the image would.
		w = max(w, 513)
	}
	z := vector.NewRasterizer(w, r.Dy())
	p.replay(z, float32(r.Min.X), float32(r.Min.Y))
	z.Draw(c.img, r, image.NewUniform(parseHex(col)), image.Point{})
}

// pathAdder is the part of vector.Rasterizer that builds a path.
type pathAdder interface {
	MoveTo(ax, ay float32)
	LineTo(bx, by float32)
	QuadTo(bx, by, cx, cy float32)
	CubeTo(bx, by, cx, cy, dx, dy float32)
	ClosePath()
}

// pathRecorder keeps a path's segments and the box around their points
// (control points included, so the box holds the curves too).
type pathRecorder struct {
	ops                    []pathOp
	minX, minY, maxX, maxY float32
}

type pathOp struct {
	kind byte // 'M'oveTo, 'L'ineTo, 'Q'uadTo, 'C'ubeTo, 'Z' ClosePath
	pts  []float32
}

func (p *pathRecorder) add(kind byte, pts ...float32) {
	for i := 0; i < len(pts); i += 2 {
		if len(p.ops) == 0 && i == 0 {
			p.minX, p.maxX, p.minY, p.maxY = pts[0], pts[0], pts[1], pts[1]
		}
		p.minX, p.maxX = min(p.minX, pts[i]), max(p.maxX, pts[i])
		p.minY, p.maxY = min(p.minY, pts[i+1]), max(p.maxY, pts[i+1])
	}
	p.ops = append(p.ops, pathOp{kind, pts})
}

func (p *pathRecorder) MoveTo(ax, ay float32)                 { p.add('M', ax, ay) }
func (p *pathRecorder) LineTo(bx, by float32)                 { p.add('L', bx, by) }
func (p *pathRecorder) QuadTo(bx, by, cx, cy float32)         { p.add('Q', bx, by, cx, cy) }
func (p *pathRecorder) CubeTo(bx, by, cx, cy, dx, dy float32) { p.add('C', bx, by, cx, cy, dx, dy) }
func (p *pathRecorder) ClosePath()                            { p.add('Z') }

// bounds is the box of whole pixels the path can touch.
func (p *pathRecorder) bounds() image.Rectangle {
	if len(p.ops) == 0 {
		return image.Rectangle{}
	}
	return image.Rect(int(math.Floor(float64(p.minX))), int(math.Floor(float64(p.minY))),
		int(math.Ceil(float64(p.maxX)))+1, int(math.Ceil(float64(p.maxY)))+1)
}

// replay adds the path to z, moved by (-dx, -dy).
func (p *pathRecorder) replay(z pathAdder, dx, dy float32) {
	for _, op := range p.ops {
		q := make([]float32, len(op.pts))
		for i := 0; i < len(q); i += 2 {
			q[i], q[i+1] = op.pts[i]-dx, op.pts[i+1]-dy
		}
		switch op.kind {
		case 'M':
			z.MoveTo(q[0], q[1])
		case 'L':
			z.LineTo(q[0], q[1])
		case 'Q':
			z.QuadTo(q[0], q[1], q[2], q[3])
		case 'C':
			z.CubeTo(q[0], q[1], q[2], q[3], q[4], q[5])
		case 'Z':
			z.ClosePath()
		}
	}
}

// line strokes each segment as a quadrilateral; round joins come from a
// disc at every inner point.
func (c *rasterCanvas) line(pts []point, col string, width float64) {
	s, hw := c.scale, width*c.scale/2
	c.fill(col, func(z pathAdder) {
		for i := 1; i < len(pts); i++ {
			a, b := pts[i-1], pts[i]
			dx, dy := (b.X-a.X)*s, (b.Y-a.Y)*s
			l := math.Hypot(dx, dy)
			if l == 0 {
				continue
			}
			nx, ny := -dy/l*hw, dx/l*hw
			z.MoveTo(float32(a.X*s+nx), float32(a.Y*s+ny))
			z.LineTo(float32(b.X*s+nx), float32(b.Y*s+ny))
			z.LineTo(float32(b.X*s-nx), float32(b.Y*s-ny))
			z.LineTo(float32(a.X*s-nx), float32(a.Y*s-ny))
			z.ClosePath()
		}
	})
	if width > 1 && len(pts) > 2 { // a live chart's first epoch has one point
		for _, p := range pts[1 : len(pts)-1] {
			c.dot(p, width/2, col)
		}
	}
}

func (c *rasterCanvas) dot(p point, r float64, col string) {
	s := c.scale
	c.fill(col, func(z pathAdder) {
		const n = 24
		z.MoveTo(float32((p.X+r)*s), float32(p.Y*s))
		for i := 1; i < n; i++ {
			a := 2 * math.Pi * float64(i) / n
			z.LineTo(float32((p.X+r*math.Cos(a))*s), float32((p.Y+r*math.Sin(a))*s))
		}
		z.ClosePath()
	})
}

func (c *rasterCanvas) text(x, y, size float64, a anchor, s string) {
	l := shape(s)
	c.label(l, horizontal(l, x, y, size, a))
}

func (c *rasterCanvas) verticalText(x, y, size float64, s string) {
	l := shape(s)
	c.label(l, vertical(l, x, y, size))
}

// label fills the glyph outlines in black, placed as the SVG places them. A
// glyph that does not load is left out: a label is not worth failing a chart.
func (c *rasterCanvas) label(l shaped, p placement) {
	if len(l.glyphs) == 0 {
		return
	}
	var buf sfnt.Buffer
	at := func(q fixed.Point26_6, x float64) (float32, float32) {
		u, v := p.at(x+float64(q.X)/64, float64(q.Y)/64)
		return float32(u * c.scale), float32(v * c.scale)
	}
	col := c.textColor
	if col == "" {
		col = "#000"
	}
	c.fill(col, func(z pathAdder) {
		for _, g := range l.glyphs {
			segs, err := g.font.LoadGlyph(&buf, g.index, emPPEM, nil)
			if err != nil {
				continue
			}
			for i, s := range segs {
				a0x, a0y := at(s.Args[0], g.x)
				switch s.Op {
				case sfnt.SegmentOpMoveTo:
					if i > 0 {
						z.ClosePath()
					}
					z.MoveTo(a0x, a0y)
				case sfnt.SegmentOpLineTo:
					z.LineTo(a0x, a0y)
				case sfnt.SegmentOpQuadTo:
					a1x, a1y := at(s.Args[1], g.x)
					z.QuadTo(a0x, a0y, a1x, a1y)
				case sfnt.SegmentOpCubeTo:
					a1x, a1y := at(s.Args[1], g.x)
					a2x, a2y := at(s.Args[2], g.x)
					z.CubeTo(a0x, a0y, a1x, a1y, a2x, a2y)
				}
			}
			if len(segs) > 0 {
				z.ClosePath()
			}
		}
	})
}

func parseHex(s string) color.RGBA {
	var r, g, b uint8
	if len(s) == 4 { // #rgb
		fmt.Sscanf(s, "#%1x%1x%1x", &r, &g, &b)
		return color.RGBA{r * 17, g * 17, b * 17, 255}
	}
	fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 255}
}

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
	for _, path := range append([]string{os.Getenv(envCJKFont)}, cjkFontPaths...) {
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
func horizontal(l shaped, x, y, size float64, a anchor) placement {
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

// orDefault returns v, or def when v is zero or negative.
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
