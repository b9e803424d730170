package canvas

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Raster draws antialiased shapes and text into an RGBA image, scale
// image pixels per CSS pixel.
type Raster struct {
	Img       *image.RGBA
	Scale     float64
	TextColor string // the labels' colour; "" is black
	FullImage bool   // rasterize each path over the whole image (slow; the reference for fill's test)
}

func NewRaster(w, h int, scale float64) *Raster {
	return &Raster{Img: image.NewRGBA(image.Rect(0, 0, int(float64(w)*scale), int(float64(h)*scale))), Scale: scale}
}

func (c *Raster) PNG() ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, c.Img); err != nil {
		return nil, fmt.Errorf("encoding chart as PNG: %w", err)
	}
	return b.Bytes(), nil
}

func (c *Raster) Begin(w, h float64) {
	draw.Draw(c.Img, c.Img.Bounds(), image.White, image.Point{}, draw.Src)
}

// fill paints the path that add builds, in colour col. It rasterizes the
// path's bounding box only: a rasterizer as large as the image for every
// line, dot and label made a live chart's PNG take 0.7 s, at every epoch
// (bench/RESULTS.md, the main job).
func (c *Raster) fill(col string, add func(z pathAdder)) {
	var p pathRecorder
	add(&p)
	r := p.bounds().Intersect(c.Img.Bounds())
	if c.FullImage {
		r = c.Img.Bounds()
	}
	if r.Empty() {
		return
	}
	w := r.Dx()
	if b := c.Img.Bounds(); b.Dx() > 512 || b.Dy() > 512 {
		// x/image/vector switches to fixed-point arithmetic at 512 pixels and
		// under, which antialiases a few levels apart: draw as the image would.
		w = max(w, 513)
	}
	z := vector.NewRasterizer(w, r.Dy())
	p.replay(z, float32(r.Min.X), float32(r.Min.Y))
	z.Draw(c.Img, r, image.NewUniform(ParseHex(col)), image.Point{})
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

// Line strokes each segment as a quadrilateral; round joins come from a
// disc at every inner point.
func (c *Raster) Line(pts []Point, col string, width float64) {
	s, hw := c.Scale, width*c.Scale/2
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
			c.Dot(p, width/2, col)
		}
	}
}

func (c *Raster) Dot(p Point, r float64, col string) {
	s := c.Scale
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

func (c *Raster) Text(x, y, size float64, a Anchor, s string) {
	l := shape(s)
	c.label(l, horizontal(l, x, y, size, a))
}

func (c *Raster) VerticalText(x, y, size float64, s string) {
	l := shape(s)
	c.label(l, vertical(l, x, y, size))
}

// label fills the glyph outlines in black, placed as the SVG places them. A
// glyph that does not load is left out: a label is not worth failing a chart.
func (c *Raster) label(l shaped, p placement) {
	if len(l.glyphs) == 0 {
		return
	}
	var buf sfnt.Buffer
	at := func(q fixed.Point26_6, x float64) (float32, float32) {
		u, v := p.at(x+float64(q.X)/64, float64(q.Y)/64)
		return float32(u * c.Scale), float32(v * c.Scale)
	}
	col := c.TextColor
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

func (c *Raster) Box(x, y, w, h float64, fill, stroke string) {
	s := c.Scale
	if fill != "none" {
		c.fill(fill, func(z pathAdder) {
			z.MoveTo(float32(x*s), float32(y*s))
			z.LineTo(float32((x+w)*s), float32(y*s))
			z.LineTo(float32((x+w)*s), float32((y+h)*s))
			z.LineTo(float32(x*s), float32((y+h)*s))
			z.ClosePath()
		})
	}
	if stroke != "" {
		c.Line([]Point{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}, stroke, 1)
	}
}

func (c *Raster) Pixels(x, y, w, h float64, img *image.RGBA) {
	s, b := c.Scale, img.Bounds()
	x0, y0 := int(math.Round(x*s)), int(math.Round(y*s))
	x1, y1 := int(math.Round((x+w)*s)), int(math.Round((y+h)*s))
	for py := max(y0, 0); py < min(y1, c.Img.Rect.Dy()); py++ {
		sy := b.Min.Y + (py-y0)*b.Dy()/max(y1-y0, 1)
		for px := max(x0, 0); px < min(x1, c.Img.Rect.Dx()); px++ {
			sx := b.Min.X + (px-x0)*b.Dx()/max(x1-x0, 1)
			c.Img.SetRGBA(px, py, img.RGBAAt(sx, sy))
		}
	}
}
