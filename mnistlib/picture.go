package mnistlib

// What the pictures of a network's insides share: the Picture a cell shows,
// the blue/red palette of signed values and its scale, and two more shapes
// for the canvases (a filled box, a block of pixels). Like the charts, every
// picture is SVG with a PNG copy, its labels glyph outlines.

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/gonb-mnist/workbook/internal/canvas"
)

// Picture is anything a cell can show with ShowPicture: the weight grids,
// the convolution by hand, the 2-D maps.
type Picture interface {
	// Size is the picture's size in CSS pixels.
	Size() (w, h int)
	// Text says in words what the picture shows (the plain-text output).
	Text() string
	// draw paints the picture on a canvas of that size.
	draw(cv canvas.Canvas)
}

// PictureSVG renders a picture as SVG.
func PictureSVG(p Picture) string {
	cv := &canvas.SVG{}
	p.draw(cv)
	return cv.String()
}

// PicturePNG renders a picture as PNG at twice its size in pixels.
func PicturePNG(p Picture) ([]byte, error) {
	w, h := p.Size()
	cv := canvas.NewRaster(w, h, 2)
	p.draw(cv)
	return cv.PNG()
}

// The diverging palette of signed values: red below zero, white at zero,
// blue above (ColorBrewer's RdBu, which colour-blind readers tell apart,
// unlike the green and red of the video the tutorial cites).
var (
	negative = color.RGBA{0xb2, 0x18, 0x2b, 0xff}
	zero     = color.RGBA{0xf7, 0xf7, 0xf7, 0xff}
	positive = color.RGBA{0x21, 0x66, 0xac, 0xff}
)

// signedColor maps v in [-limit, limit] to the palette (beyond it, the ends).
func signedColor(v, limit float64) color.RGBA {
	t := 0.0
	if limit > 0 {
		t = math.Max(-1, math.Min(1, v/limit))
	}
	if t < 0 {
		return mix(zero, negative, -t)
	}
	return mix(zero, positive, t)
}

// mix goes from a (t = 0) to b (t = 1).
func mix(a, b color.RGBA, t float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}

func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// heatmap paints a 2-D array in the palette, one pixel per value.
func heatmap(a Array, limit float64) *image.RGBA {
	rows, cols := a.Shape[0], a.Shape[1]
	img := image.NewRGBA(image.Rect(0, 0, cols, rows))
	for i, v := range a.Data[:rows*cols] {
		img.SetRGBA(i%cols, i/cols, signedColor(float64(v), limit))
	}
	return img
}

// grayImage paints pixel values in [0, 1] as MNIST shows them: white ink on black.
func grayImage(a Array) *image.RGBA {
	rows, cols := a.Shape[0], a.Shape[1]
	img := image.NewRGBA(image.Rect(0, 0, cols, rows))
	draw.Draw(img, img.Bounds(), image.Black, image.Point{}, draw.Src)
	for i, v := range a.Data[:rows*cols] {
		g := uint8(math.Round(255 * math.Max(0, math.Min(1, float64(v)))))
		img.SetRGBA(i%cols, i/cols, color.RGBA{g, g, g, 255})
	}
	return img
}

// maxAbs is the largest |v|: the end of a symmetric scale.
func maxAbs(vs ...[]float32) float64 {
	m := 0.0
	for _, v := range vs {
		for _, x := range v {
			m = math.Max(m, math.Abs(float64(x)))
		}
	}
	return m
}

// colourScale draws the palette's scale: a bar from -limit to limit (or 0 to
// limit when signed is false), labelled at its ends and middle.
func colourScale(cv canvas.Canvas, x, y, w float64, limit float64, signed bool, label string) {
	const steps, h = 64, 10
	lo := -limit
	if !signed {
		lo = 0
	}
	img := image.NewRGBA(image.Rect(0, 0, steps, 1))
	for i := range steps {
		img.SetRGBA(i, 0, signedColor(lo+(limit-lo)*(float64(i)+0.5)/steps, limit))
	}
	cv.Pixels(x, y, w, h, img)
	cv.Box(x, y, w, h, "none", "#888")
	for i, v := range []float64{lo, (lo + limit) / 2, limit} {
		cv.Text(x+w*float64(i)/2, y+h+12, 10, canvas.Middle, tickLabel(v))
	}
	cv.Text(x+w/2, y-4, 11, canvas.Middle, label)
}

// tickLabel formats a scale's value with three significant digits, never "-0".
func tickLabel(v float64) string {
	s := fmt.Sprintf("%.3g", v)
	if s == "-0" {
		s = "0"
	}
	return s
}
