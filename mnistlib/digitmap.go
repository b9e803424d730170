package mnistlib

// A map of what the layers learned: digits placed in 2-D by their two
// principal components (PCA), once by their raw pixels and once by what a
// layer gives for them, coloured by the true digit. The deeper the layer,
// the better the digits of one kind gather.

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"

	"github.com/gonb-mnist/workbook/internal/canvas"
)

// DigitMap is one or more maps side by side.
type DigitMap struct {
	Panels []MapPanel
}

// MapPanel is one map: a point per digit and how well the digits gather.
type MapPanel struct {
	Name   string
	Points [][2]float64
	Labels Labels
	// NearestCentre is the share of digits that lie nearer (in the map) to the
	// centre of their own digit's points than to any other digit's centre.
	NearestCentre float64
}

// MapOf places each row of features ([N, ...]: pixels or a layer's output) by
// its first two principal components.
func MapOf(name string, features Array, labels Labels) (MapPanel, error) {
	n := features.Shape[0]
	if n < 3 || len(labels) != n {
		return MapPanel{}, fmt.Errorf("map %q: %d rows of features and %d labels: want the same number, at least 3", name, n, len(labels))
	}
	d := len(features.Data) / n
	centred := make([]float64, len(features.Data))
	for j := range d {
		mean := 0.0
		for i := range n {
			mean += float64(features.Data[i*d+j])
		}
		mean /= float64(n)
		for i := range n {
			centred[i*d+j] = float64(features.Data[i*d+j]) - mean
		}
	}
	v1 := principal(centred, n, d, nil)
	v2 := principal(centred, n, d, v1)
	p := MapPanel{Name: name, Labels: labels, Points: make([][2]float64, n)}
	for i := range n {
		row := centred[i*d : (i+1)*d]
		p.Points[i] = [2]float64{dot(row, v1), dot(row, v2)}
	}
	p.NearestCentre = nearestCentre(p.Points, labels)
	return p, nil
}

// principal finds the direction of largest variance of the rows of x (n×d),
// orthogonal to not (if given), by power iteration on xᵀx.
func principal(x []float64, n, d int, not []float64) []float64 {
	v := make([]float64, d)
	for j := range v {
		v[j] = math.Sin(float64(j)*12.9898 + 1) // any start not orthogonal to the answer
	}
	xv := make([]float64, n)
	for range 200 {
		if not != nil {
			axpy(-dot(v, not), not, v)
		}
		normalize(v)
		for i := range n {
			xv[i] = dot(x[i*d:(i+1)*d], v)
		}
		next := make([]float64, d)
		for i := range n {
			axpy(xv[i], x[i*d:(i+1)*d], next)
		}
		v = next
	}
	if not != nil {
		axpy(-dot(v, not), not, v)
	}
	normalize(v)
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// axpy adds a·x to y.
func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

func normalize(v []float64) {
	if n := math.Sqrt(dot(v, v)); n > 0 {
		for i := range v {
			v[i] /= n
		}
	}
}

// nearestCentre is the share of points nearer their own class's centre than
// any other class's.
func nearestCentre(pts [][2]float64, labels Labels) float64 {
	var sum [NumClasses][2]float64
	var count [NumClasses]float64
	for i, p := range pts {
		c := labels[i] % NumClasses
		sum[c][0], sum[c][1], count[c] = sum[c][0]+p[0], sum[c][1]+p[1], count[c]+1
	}
	hits := 0
	for i, p := range pts {
		best, bestD := -1, math.Inf(1)
		for c := range NumClasses {
			if count[c] == 0 {
				continue
			}
			dx, dy := p[0]-sum[c][0]/count[c], p[1]-sum[c][1]/count[c]
			if d := dx*dx + dy*dy; d < bestD {
				best, bestD = c, d
			}
		}
		if best == int(labels[i]%NumClasses) {
			hits++
		}
	}
	return float64(hits) / float64(len(pts))
}

// The ten colours of matplotlib's tab10, the usual colours of digit maps.
var digitColours = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

const mapSide = 260

func (m DigitMap) Size() (int, int) { return len(m.Panels)*(mapSide+20) + 10, mapSide + 100 }

func (m DigitMap) Text() string {
	var s []string
	for _, p := range m.Panels {
		s = append(s, fmt.Sprintf(tr("%s: %.0f%% nearest their own digit's centre"), tr(p.Name), 100*p.NearestCentre))
	}
	return fmt.Sprintf(tr("2-D maps (PCA) of %d test digits: %s"), len(m.Panels[0].Points), strings.Join(s, tr("; ")))
}

func (m DigitMap) draw(cv canvas.Canvas) {
	w, h := m.Size()
	cv.Begin(float64(w), float64(h))
	for k, p := range m.Panels {
		x := 10 + float64(k)*(mapSide+20)
		cv.Text(x+mapSide/2, 20, 13, canvas.Middle, tr(p.Name))
		cv.Pixels(x, 30, mapSide, mapSide, p.scatter())
		cv.Box(x, 30, mapSide, mapSide, "none", "#bbb")
		cv.Text(x+mapSide/2, 30+mapSide+16, 11, canvas.Middle, fmt.Sprintf(tr("%.0f%% nearest their own digit's centre"), 100*p.NearestCentre))
	}
	for d := range NumClasses { // the legend
		x := float64(w)/2 - 150 + float64(d)*30
		cv.Dot(canvas.Point{X: x, Y: float64(h) - 24}, 5, digitColours[d])
		cv.Text(x+8, float64(h)-20, 11, canvas.Start, fmt.Sprint(d))
	}
}

// scatter draws the points as dots on a square picture (twice the CSS size,
// for sharp dots): one embedded image instead of thousands of SVG circles.
func (p MapPanel) scatter() *image.RGBA {
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, q := range p.Points {
		for a := range 2 {
			lo[a], hi[a] = math.Min(lo[a], q[a]), math.Max(hi[a], q[a])
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, 2*mapSide, 2*mapSide))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for i, q := range p.Points {
		x := 12 + (2*mapSide-24)*(q[0]-lo[0])/math.Max(hi[0]-lo[0], 1e-9)
		y := 2*mapSide - 12 - (2*mapSide-24)*(q[1]-lo[1])/math.Max(hi[1]-lo[1], 1e-9)
		disc(img, x, y, 3.2, canvas.ParseHex(digitColours[p.Labels[i]%NumClasses]))
	}
	return img
}

// disc paints a filled circle, its edge pixels blended by how much of them
// it covers (four samples each).
func disc(img *image.RGBA, cx, cy, r float64, c color.RGBA) {
	for y := int(cy - r - 1); y <= int(cy+r+1); y++ {
		for x := int(cx - r - 1); x <= int(cx+r+1); x++ {
			if !(image.Point{x, y}.In(img.Rect)) {
				continue
			}
			in := 0
			for _, o := range [][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				if dx, dy := float64(x)+o[0]-cx, float64(y)+o[1]-cy; dx*dx+dy*dy <= r*r {
					in++
				}
			}
			if in > 0 {
				img.SetRGBA(x, y, mix(img.RGBAAt(x, y), c, float64(in)/4))
			}
		}
	}
}
