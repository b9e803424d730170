package mnistlib

// Digits written with a pen: the drawing pad records a digit as strokes, and
// cmd/mkoutside writes its scripted digits the same way. DrawStrokes turns
// strokes into a picture that DigitFromImage prepares like any other.

import (
	"image"
	"math"
)

// Stroke is one movement of the pen, from pressing it to lifting it: the
// points it passed through, in pixels (x to the right, y down).
type Stroke [][2]float64

// DrawStrokes draws the strokes with a round pen of the given width (pixels)
// as white ink on a black w×h picture, MNIST's colours. Edges are
// antialiased; a stroke of a single point is a dot.
func DrawStrokes(w, h int, pen float64, strokes []Stroke) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, max(w, 1), max(h, 1)))
	r := math.Max(pen, 0.5) / 2
	for _, s := range strokes {
		for i := range s {
			a, b := s[i], s[i]
			if i > 0 {
				a = s[i-1]
			} else if len(s) > 1 {
				continue // the first segment starts at s[0]
			}
			drawSegment(img, a, b, r)
		}
	}
	return img
}

// drawSegment inks the pixels within r of the segment ab, visiting only the
// segment's bounding box: a drawing of a few hundred points stays fast.
func drawSegment(img *image.Gray, a, b [2]float64, r float64) {
	b0 := img.Rect
	x0 := max(int(math.Floor(math.Min(a[0], b[0])-r-1)), b0.Min.X)
	x1 := min(int(math.Ceil(math.Max(a[0], b[0])+r+1)), b0.Max.X-1)
	y0 := max(int(math.Floor(math.Min(a[1], b[1])-r-1)), b0.Min.Y)
	y1 := min(int(math.Ceil(math.Max(a[1], b[1])+r+1)), b0.Max.Y-1)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			// Pixel centres are at +0.5; coverage falls from 1 to 0 over one pixel at the edge.
			d := segmentDistance(float64(x)+0.5, float64(y)+0.5, a, b)
			v := uint8(math.Round(255 * math.Max(0, math.Min(1, r-d+0.5))))
			if i := img.PixOffset(x, y); v > img.Pix[i] {
				img.Pix[i] = v
			}
		}
	}
}

// segmentDistance is the distance from (px, py) to the segment ab.
func segmentDistance(px, py float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, ((px-a[0])*dx+(py-a[1])*dy)/l2))
	}
	return math.Hypot(px-(a[0]+t*dx), py-(a[1]+t*dy))
}
