package mnistlib

// Data augmentation: small random changes to each training image, drawn anew
// every epoch, so that a model sees MNIST's digits written a little
// differently each time (shifted, turned, larger or smaller, with a thicker or
// thinner pen) and learns what does not change. Fit applies them in its data
// feed, to the training rows only: validation and test images stay as they are.

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Augmentation says how much Fit may change each training image (FitOptions.Augment).
// The zero value changes nothing. Each image gets its own random amounts, up to these:
type Augmentation struct {
	// Shift moves the digit by up to this many pixels, left or right and up or
	// down (fractions allowed: the image is resampled).
	Shift float64 `json:"shift,omitempty"`
	// Rotate turns the digit around its centre of mass by up to this many degrees, either way.
	Rotate float64 `json:"rotate,omitempty"`
	// Scale resizes the digit by a factor between 1-Scale and 1+Scale.
	Scale float64 `json:"scale,omitempty"`
	// Thickness makes the strokes up to this much thicker or thinner: 1 is
	// about one pixel more on every side (a 3×3 dilation); a thinning goes a
	// quarter as far, at most half a pixel (MNIST's strokes are two or three
	// pixels wide).
	Thickness float64 `json:"thickness,omitempty"`
}

// Enabled reports whether the augmentation changes anything.
func (a Augmentation) Enabled() bool { return a != Augmentation{} }

// check refuses amounts that are negative, not numbers, or so large the digit
// would stop looking like itself.
func (a Augmentation) check() error {
	for _, c := range []struct {
		name   string
		v, max float64
	}{{"Shift", a.Shift, 6}, {"Rotate", a.Rotate, 45}, {"Scale", a.Scale, 0.5}, {"Thickness", a.Thickness, 2}} {
		if !(c.v >= 0 && c.v <= c.max) { // also refuses NaN
			return fmt.Errorf("Augment.%s must be between 0 and %g, got %g", c.name, c.max, c.v)
		}
	}
	return nil
}

// augmentSalt separates the augmentation's random stream from the shuffling's,
// which is seeded with the same model seed.
const augmentSalt = 0x6175676d656e74 // "augment"

// augmentRNG is the random stream of training row `row` in epoch `epoch`: the
// same seed, epoch and row give the same changes, whatever the batch size or
// the order the rows come in.
func augmentRNG(seed int64, epoch, row int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^augmentSalt, uint64(epoch)<<32|uint64(uint32(row))))
}

// Apply returns a changed copy of img, a 28×28 image as 784 values in [0, 1]
// (row-major), with amounts drawn from rng. Whatever the amounts, the digit's
// ink stays inside the image: a shift that would push it over an edge is cut
// short, and a digit too large for the frame is scaled down.
func (a Augmentation) Apply(img []float32, rng *rand.Rand) []float32 {
	out := make([]float32, len(img))
	if len(img) != InputSize {
		copy(out, img)
		return out
	}
	uniform := func(r float64) float64 { return (2*rng.Float64() - 1) * r }
	thick := uniform(a.Thickness)
	src := thicken(img, thick)
	// The draws are made whether or not a field is zero, so that changing one
	// amount does not change the others' random values.
	angle := uniform(a.Rotate) * math.Pi / 180
	scale := 1 + uniform(a.Scale)
	dx, dy := uniform(a.Shift), uniform(a.Shift)
	box, ok := inkBounds(src)
	if !ok {
		return src // blank: nothing to move
	}
	cx, cy := centreOfMass(src)
	w := newWarp(angle, scale, cx, cy)
	// The box as the warp places it, then the shift limited to keep it inside [0, 27].
	lo, hi := w.bounds(box)
	if fit := math.Min((ImageSize-1)/(hi[0]-lo[0]), (ImageSize-1)/(hi[1]-lo[1])); fit < 1 {
		w = newWarp(angle, scale*fit, cx, cy)
		lo, hi = w.bounds(box)
	}
	dx = math.Max(-lo[0], math.Min(ImageSize-1-hi[0], dx))
	dy = math.Max(-lo[1], math.Min(ImageSize-1-hi[1], dy))
	w.tx, w.ty = w.tx+dx, w.ty+dy
	w.resample(out, src)
	return out
}

// Examples shows what training does to one digit: n changed copies of it, as
// the model sees it in n epochs (epoch i uses the same random stream Fit does
// for training row `row` in epoch i).
func (a Augmentation) Examples(d Digit, n int, seed int64, row int) Images {
	img := make([]float32, len(d.Pix))
	for i, p := range d.Pix {
		img[i] = float32(p) / 255
	}
	out := Images{N: n, Rows: d.Rows, Cols: d.Cols}
	for epoch := range n {
		for _, v := range a.Apply(img, augmentRNG(seed, epoch, row)) {
			out.Pix = append(out.Pix, uint8(math.Round(float64(v)*255)))
		}
	}
	return out
}

// augmentRows returns the rows of x to train on in this batch: each one
// changed by a, with the random stream of its row and the epoch.
func (a Augmentation) augmentRows(x [][]float32, rows []int, seed int64, epoch int) [][]float32 {
	out := make([][]float32, len(rows))
	for i, r := range rows {
		out[i] = a.Apply(x[r], augmentRNG(seed, epoch, r))
	}
	return out
}

// warp maps output pixel coordinates back into the source image: an inverse
// rotation and scaling about the centre of mass (cx, cy), after a translation.
type warp struct {
	cos, sin, scale, cx, cy, tx, ty float64
}

func newWarp(angle, scale, cx, cy float64) warp {
	return warp{cos: math.Cos(angle), sin: math.Sin(angle), scale: scale, cx: cx, cy: cy}
}

// forward is where the source point (x, y) lands.
func (w warp) forward(x, y float64) (float64, float64) {
	x, y = (x-w.cx)*w.scale, (y-w.cy)*w.scale
	return w.cx + x*w.cos - y*w.sin + w.tx, w.cy + x*w.sin + y*w.cos + w.ty
}

// inverse is the source point that lands on (x, y).
func (w warp) inverse(x, y float64) (float64, float64) {
	x, y = x-w.tx-w.cx, y-w.ty-w.cy
	return w.cx + (x*w.cos+y*w.sin)/w.scale, w.cy + (-x*w.sin+y*w.cos)/w.scale
}

// bounds is the bounding box of a source box's corners once warped.
func (w warp) bounds(box [4]float64) (lo, hi [2]float64) {
	lo, hi = [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, c := range [][2]float64{{box[0], box[1]}, {box[2], box[1]}, {box[0], box[3]}, {box[2], box[3]}} {
		x, y := w.forward(c[0], c[1])
		lo = [2]float64{math.Min(lo[0], x), math.Min(lo[1], y)}
		hi = [2]float64{math.Max(hi[0], x), math.Max(hi[1], y)}
	}
	return lo, hi
}

// resample fills out by sampling src (bilinear) at each pixel's source point.
func (w warp) resample(out, src []float32) {
	for y := range ImageSize {
		for x := range ImageSize {
			sx, sy := w.inverse(float64(x), float64(y))
			out[y*ImageSize+x] = bilinear(src, sx, sy)
		}
	}
}

// bilinear samples img at (x, y) in pixel coordinates; outside it is black.
func bilinear(img []float32, x, y float64) float32 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := float32(x-x0), float32(y-y0)
	at := func(xi, yi int) float32 {
		if xi < 0 || yi < 0 || xi >= ImageSize || yi >= ImageSize {
			return 0
		}
		return img[yi*ImageSize+xi]
	}
	xi, yi := int(x0), int(y0)
	top := at(xi, yi)*(1-fx) + at(xi+1, yi)*fx
	bottom := at(xi, yi+1)*(1-fx) + at(xi+1, yi+1)*fx
	return min(max(top*(1-fy)+bottom*fy, 0), 1)
}

// thicken blends the image with its dilation (t > 0: |t| of 1 is one whole
// step of the 3×3 filter, 2 is two steps) or its erosion (t < 0: a quarter as
// far, and never more than half a step, since one whole erosion wipes out
// strokes two pixels wide).
func thicken(img []float32, t float64) []float32 {
	out := append([]float32(nil), img...)
	if t < 0 {
		t = math.Max(t/4, -0.5)
	}
	for amount := math.Abs(t); amount > 0; amount-- {
		step := morph(out, t > 0)
		f := float32(math.Min(amount, 1))
		for i := range out {
			out[i] = out[i]*(1-f) + step[i]*f
		}
	}
	return out
}

// morph is one 3×3 dilation (the largest neighbour) or erosion (the smallest).
func morph(img []float32, dilate bool) []float32 {
	out := make([]float32, len(img))
	for y := range ImageSize {
		for x := range ImageSize {
			v := img[y*ImageSize+x]
			for ny := max(y-1, 0); ny <= min(y+1, ImageSize-1); ny++ {
				for nx := max(x-1, 0); nx <= min(x+1, ImageSize-1); nx++ {
					if n := img[ny*ImageSize+nx]; dilate == (n > v) {
						v = n
					}
				}
			}
			out[y*ImageSize+x] = v
		}
	}
	return out
}

// inkBounds is the box [x0, y0, x1, y1] of the pixels with ink (pixel centres).
func inkBounds(img []float32) (box [4]float64, ok bool) {
	box = [4]float64{ImageSize, ImageSize, -1, -1}
	for i, v := range img {
		if v > 0 {
			x, y := float64(i%ImageSize), float64(i/ImageSize)
			box = [4]float64{math.Min(box[0], x), math.Min(box[1], y), math.Max(box[2], x), math.Max(box[3], y)}
		}
	}
	return box, box[2] >= 0
}

// centreOfMass is the ink-weighted mean pixel position.
func centreOfMass(img []float32) (x, y float64) {
	var sum, sx, sy float64
	for i, v := range img {
		sum += float64(v)
		sx += float64(v) * float64(i%ImageSize)
		sy += float64(v) * float64(i/ImageSize)
	}
	if sum == 0 {
		return (ImageSize - 1) / 2.0, (ImageSize - 1) / 2.0
	}
	return sx / sum, sy / sum
}
