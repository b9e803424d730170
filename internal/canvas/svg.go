package canvas

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/font/sfnt"
)

// SVG writes SVG elements. Labels are glyph outlines from the fonts
// the PNG is drawn with, not <text>: a browser without Chinese fonts (Debian's
// Chromium, for one) would draw the tutorial's 训练准确率 as empty boxes.
type SVG struct {
	strings.Builder                     // the elements, in drawing order
	head            string              // the <svg> tag and the background
	defs            strings.Builder     // one <path> per glyph that labels <use>
	ids             map[glyphKey]string // "" for a blank glyph, such as a space
	buf             sfnt.Buffer
}

// fontFamilies lists families that carry Chinese glyphs, for the labels that
// fall back to <text> (a rune in no bundled font), before the generic one.
const fontFamilies = `'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',SimHei,sans-serif`

func (c *SVG) Begin(w, h float64) {
	c.head = fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="%g" height="%g" viewBox="0 0 %g %g" font-family="%s" font-size="12">`,
		w, h, w, h, fontFamilies) + fmt.Sprintf(`<rect width="%g" height="%g" fill="white"/>`, w, h)
}

// String returns the document, the glyphs defined before their first use.
func (c *SVG) String() string {
	defs := ""
	if c.defs.Len() > 0 {
		defs = "<defs>" + c.defs.String() + "</defs>"
	}
	return c.head + defs + c.Builder.String() + `</svg>`
}

func (c *SVG) Line(pts []Point, col string, width float64) {
	var s []string
	for _, p := range pts {
		s = append(s, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
	}
	fmt.Fprintf(c, `<polyline fill="none" stroke="%s" stroke-width="%g" points="%s"/>`, col, width, strings.Join(s, " "))
}

func (c *SVG) Dot(p Point, r float64, col string) {
	fmt.Fprintf(c, `<circle cx="%.1f" cy="%.1f" r="%g" fill="%s"/>`, p.X, p.Y, r, col)
}

func (c *SVG) Text(x, y, size float64, a Anchor, s string) {
	l := shape(s)
	if c.label(s, l, horizontal(l, x, y, size, a)) {
		return
	}
	fmt.Fprintf(c, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="%s">%s</text>`,
		x, y, size, [...]string{"start", "middle", "end"}[a], html.EscapeString(s))
}

func (c *SVG) VerticalText(x, y, size float64, s string) {
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
func (c *SVG) label(s string, l shaped, p placement) bool {
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
func (c *SVG) glyphID(g placed) (string, error) {
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

func (c *SVG) Box(x, y, w, h float64, fill, stroke string) {
	if stroke == "" {
		stroke = "none"
	}
	fmt.Fprintf(c, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s"/>`,
		num(x), num(y), num(w), num(h), fill, stroke)
}

// Pixels embeds the block as a PNG data URI: one element however many
// Pixels, and nothing fetched when the export is opened.
func (c *SVG) Pixels(x, y, w, h float64, img *image.RGBA) {
	var b bytes.Buffer
	if png.Encode(&b, img) != nil {
		return
	}
	fmt.Fprintf(c, `<image x="%s" y="%s" width="%s" height="%s" preserveAspectRatio="none" style="image-rendering:pixelated" xlink:href="data:image/png;base64,%s"/>`,
		num(x), num(y), num(w), num(h), base64.StdEncoding.EncodeToString(b.Bytes()))
}
