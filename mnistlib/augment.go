package mnistlib

// Data augmentation: small random changes to each training image, drawn anew
// every epoch, so that a model sees MNIST's digits written a little
// differently each time (shifted, turned, larger or smaller, with a thicker or
// thinner pen, bent, slanted, blurred or scanned coarsely) and learns what
// does not change. Fit applies them in its data feed, to the training rows
// only: validation and test images stay as they are.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Augmentation says how much Fit may change each training image (FitOptions.Augment).
// The zero value changes nothing, and so does each field left at 0. Each image
// gets its own random amounts, up to these:
type Augmentation struct {
	// Shift moves the digit by up to this many pixels, left or right and up or
	// down (fractions allowed: the image is resampled).
	Shift float64 `json:"shift,omitempty"`
	// Rotate turns the digit around its centre of mass by up to this many degrees, either way.
	Rotate float64 `json:"rotate,omitempty"`
	// Scale resizes the digit by a factor between 1-Scale and 1+Scale.
	Scale float64 `json:"scale,omitempty"`
	// Thickness makes the strokes up to this much thicker or thinner: 1 is
	// about one pixel more on every side (a 3×3 dilation), 3 (the most) three
	// pixels, a thick marker's stroke; a thinning goes a quarter as far, at
	// most half a pixel (MNIST's strokes are two or three pixels wide).
	Thickness float64 `json:"thickness,omitempty"`
	// Elastic bends the strokes the way one writer's hand differs from
	// another's: the elastic distortion of Simard, Steinkraus and Platt (2003).
	// Every pixel moves by a random displacement field, each component uniform
	// in [-1, 1] and smoothed by a Gaussian of ElasticSigma pixels, times
	// Elastic, the paper's α (at most 40). With sigma 4, the paper's α of 34
	// moves pixels by 1.4 px on average (root mean square).
	Elastic float64 `json:"elastic,omitempty"`
	// ElasticSigma is the smoothing of Elastic's field, in pixels, from 4 to 8
	// (0: 4, the paper's): larger bends the digit as a whole, gentler; below 4
	// the strokes wobble until the digit is lost.
	ElasticSigma float64 `json:"elastic_sigma,omitempty"`
	// Shear slants the digit as handwriting leans, by up to this many degrees
	// either way (at most 30): a horizontal shear about its centre of mass.
	Shear float64 `json:"shear,omitempty"`
	// Blur blurs the image like an out-of-focus photo, by a Gaussian of sigma
	// up to this many pixels (at most 2). The brightest pixel keeps its value,
	// as ReadDigit's contrast stretch gives a blurred photo its black back.
	Blur float64 `json:"blur,omitempty"`
	// LowRes, when set (8 to 27), scans the image at a random size from LowRes
	// to 27 pixels a side, each pixel the average of the area it covers, and
	// scales it back up to 28 bilinearly: a blocky, blurred low-resolution
	// scan, its brightest pixel kept as for Blur. At the smallest size the
	// digit, 20 of MNIST's 28 pixels high, is drawn with 0.7×LowRes pixels.
	LowRes int `json:"low_res,omitempty"`
	// Keep is the share of training images, each epoch, left exactly as
	// written (0: none, every image is changed; at most 0.9): the model still
	// sees MNIST's own digits, so that the changes it learns from cost it
	// nothing on digits like them.
	Keep float64 `json:"keep,omitempty"`
}

// Enabled reports whether the augmentation changes anything.
func (a Augmentation) Enabled() bool { return a != Augmentation{} }

// defaultElasticSigma is the paper's smoothing, used when ElasticSigma is 0.
const defaultElasticSigma = 4

// check refuses amounts that are negative, not numbers, or so large the digit
// would stop looking like itself.
func (a Augmentation) check() error {
	for _, c := range []struct {
		name   string
		v, max float64
	}{
		{"Shift", a.Shift, 6}, {"Rotate", a.Rotate, 45}, {"Scale", a.Scale, 0.5}, {"Thickness", a.Thickness, 3},
		{"Elastic", a.Elastic, 40}, {"Shear", a.Shear, 30}, {"Blur", a.Blur, 2}, {"Keep", a.Keep, 0.9},
	} {
		if !(c.v >= 0 && c.v <= c.max) { // also refuses NaN
			return fmt.Errorf("Augment.%s must be between 0 and %g, got %g", c.name, c.max, c.v)
		}
	}
	switch s := a.ElasticSigma; {
	case s != 0 && !(s >= 4 && s <= 8):
		return fmt.Errorf("Augment.ElasticSigma must be 0 (meaning %d) or between 4 and 8 pixels, got %g", defaultElasticSigma, s)
	case s != 0 && a.Elastic == 0: // it would change nothing, yet make another checkpoint
		return fmt.Errorf("Augment.ElasticSigma is %g but Augment.Elastic is 0: the sigma only shapes an elastic distortion", s)
	}
	if n := a.LowRes; n != 0 && (n < 8 || n > ImageSize-1) {
		return fmt.Errorf("Augment.LowRes must be 0 (off) or between 8 and %d pixels, got %d", ImageSize-1, n)
	}
	return nil
}

// elasticSigma is the Gaussian's sigma that Elastic uses. (Apply takes
// amounts that check has not seen too: a sigma kept within [1, 28] keeps
// the field's grid small.)
func (a Augmentation) elasticSigma() float64 {
	if a.ElasticSigma > 0 {
		return min(max(a.ElasticSigma, 1), ImageSize)
	}
	return defaultElasticSigma
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
// ink stays inside the image (but for what Elastic moves, see place): a shift
// that would push it over an edge is cut short, and a digit too large for the
// frame is scaled down.
func (a Augmentation) Apply(img []float32, rng *rand.Rand) []float32 {
	out := make([]float32, len(img))
	if len(img) != InputSize {
		copy(out, img)
		return out
	}
	d := a.draw(rng)
	if d.keep {
		copy(out, img)
		return out
	}
	src := thicken(img, d.thick)
	box, ok := inkBounds(src)
	if !ok {
		return src // blank: nothing to move
	}
	var field *displacements
	if a.Elastic > 0 {
		field = elasticField(a.Elastic, a.elasticSigma(), d.fieldSeed)
	}
	w := place(d, src, box)
	w.resample(out, src, box, field)
	return a.scan(out, d)
}

// amounts are one image's random amounts.
type amounts struct {
	thick, angle, scale, dx, dy float64
	shear                       float64 // the tangent of the slant
	blur                        float64 // sigma, in pixels
	size                        int     // the side of the low-resolution scan
	fieldSeed                   uint64  // seeds the elastic field's own stream
	keep                        bool    // leave the image as it is
}

// draw takes one image's amounts from rng: first the fields that existed
// before Elastic, Shear, Blur and LowRes, in their order then, so that they
// give the same images as before; then the newer ones. Every draw is made
// whether or not its field is zero, so that changing one amount does not
// change the others' random values; the elastic field, hundreds of numbers,
// comes from a stream of its own that costs nothing when it is off.
func (a Augmentation) draw(rng *rand.Rand) amounts {
	uniform := func(r float64) float64 { return (2*rng.Float64() - 1) * r }
	var d amounts
	d.thick = uniform(a.Thickness)
	d.angle = uniform(a.Rotate) * math.Pi / 180
	d.scale = 1 + uniform(a.Scale)
	d.dx, d.dy = uniform(a.Shift), uniform(a.Shift)
	d.shear = math.Tan(uniform(a.Shear) * math.Pi / 180)
	d.blur = rng.Float64() * a.Blur
	// A Float64 rather than IntN, which may draw twice: the stream stays aligned.
	if u := rng.Float64(); a.LowRes > 0 {
		d.size = a.LowRes + int(u*float64(ImageSize-a.LowRes)) // LowRes to 27
	}
	d.fieldSeed = rng.Uint64()
	d.keep = rng.Float64() < a.Keep // drawn last: the amounts above stay those of before Keep
	return d
}

// place is the warp that turns, scales, slants and moves the digit: the shift
// cut short, and the scale reduced if need be, to keep the ink box inside the
// frame. (The elastic field then moves each pixel a little further, as in the
// paper: ink within a few pixels of an edge may go past it, which MNIST's
// digits, centred with a border of four pixels, seldom are.)
func place(d amounts, src []float32, box [4]float64) warp {
	cx, cy := centreOfMass(src)
	w := newWarp(d.angle, d.scale, d.shear, cx, cy)
	lo, hi := w.bounds(box)
	if fit := math.Min((ImageSize-1)/(hi[0]-lo[0]), (ImageSize-1)/(hi[1]-lo[1])); fit < 1 {
		w = newWarp(d.angle, d.scale*fit, d.shear, cx, cy)
		lo, hi = w.bounds(box)
	}
	dx := math.Max(-lo[0], math.Min(ImageSize-1-hi[0], d.dx))
	dy := math.Max(-lo[1], math.Min(ImageSize-1-hi[1], d.dy))
	w.tx, w.ty = w.tx+dx, w.ty+dy
	return w
}

// scan blurs the image and scans it at low resolution, as the amounts say,
// then gives its brightest pixel back its value. A blur and a scan both on
// are one filter, run once: the blur's taps folded into the scan's.
func (a Augmentation) scan(img []float32, d amounts) []float32 {
	blur, coarse := a.Blur > 0, d.size > 0 && d.size < ImageSize
	if !blur && !coarse {
		return img
	}
	peak := maxValue(img)
	var blurring filter
	if blur { // a sigma of at most 28 px, however large an unchecked Blur
		blurring = gaussianTaps(ImageSize, ImageSize, min(d.blur, ImageSize), 0)
	}
	if !coarse {
		img = separable(img, ImageSize, blurring)
	} else if sc := scanFiltersFor(d.size); blur {
		img = separable(separable(img, ImageSize, blurring.then(sc.down)), d.size, sc.up)
	} else {
		img = separable(separable(img, ImageSize, sc.down), d.size, sc.up)
	}
	if now := maxValue(img); now > 0 {
		f := peak / now
		for i, v := range img {
			img[i] = min(v*f, 1)
		}
	}
	return img
}

// scanFilters take an image down to a low-resolution scan of n×n pixels,
// and back up to 28×28.
type scanFilters struct{ down, up filter }

// scans caches scanFilters by n: there are only 20 of them.
var scans sync.Map

func scanFiltersFor(n int) scanFilters {
	if sc, ok := scans.Load(n); ok {
		return sc.(scanFilters)
	}
	k := float64(n) / ImageSize // pixel centres on pixel centres
	sc := scanFilters{areaTaps(n, ImageSize), bilinearTaps(ImageSize, n, k, k/2-0.5)}
	scans.Store(n, sc)
	return sc
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
// rotation and scaling about the centre of mass (cx, cy), then a horizontal
// shear about it, after a translation. With shear 0 every coordinate comes out
// bit for bit as before Shear existed (a product with 0 added or taken away).
type warp struct {
	cos, sin, scale, shear, cx, cy, tx, ty float64
}

func newWarp(angle, scale, shear, cx, cy float64) warp {
	return warp{cos: math.Cos(angle), sin: math.Sin(angle), scale: scale, shear: shear, cx: cx, cy: cy}
}

// forward is where the source point (x, y) lands.
func (w warp) forward(x, y float64) (float64, float64) {
	x, y = (x-w.cx)*w.scale, (y-w.cy)*w.scale
	return w.cx + x*w.cos - y*w.sin + w.shear*(x*w.sin+y*w.cos) + w.tx, w.cy + x*w.sin + y*w.cos + w.ty
}

// inverse is the source point that lands on (x, y).
func (w warp) inverse(x, y float64) (float64, float64) {
	x, y = x-w.tx-w.cx, y-w.ty-w.cy
	x -= w.shear * y
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

// resample fills out by sampling src (bilinear) at each pixel's source point:
// the warp's, from the pixel moved by the elastic field when there is one.
// Points more than a pixel outside src's ink box, most of them, are black.
func (w warp) resample(out, src []float32, box [4]float64, field *displacements) {
	for y := range ImageSize {
		for x := range ImageSize {
			px, py := float64(x), float64(y)
			if field != nil {
				i := y*ImageSize + x
				px, py = px+float64(field.dx[i]), py+float64(field.dy[i])
			}
			sx, sy := w.inverse(px, py)
			if sx > box[0]-1 && sx < box[2]+1 && sy > box[1]-1 && sy < box[3]+1 {
				out[y*ImageSize+x] = bilinear(src, sx, sy)
			}
		}
	}
}

// bilinear samples img at (x, y) in pixel coordinates; outside it is black.
func bilinear(img []float32, x, y float64) float32 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := float32(x-x0), float32(y-y0)
	xi, yi := int(x0), int(y0)
	var top, bottom float32
	if xi >= 0 && yi >= 0 && xi < ImageSize-1 && yi < ImageSize-1 { // all four inside, as most are
		i := yi*ImageSize + xi
		p := img[i : i+ImageSize+2]
		top = p[0]*(1-fx) + p[1]*fx
		bottom = p[ImageSize]*(1-fx) + p[ImageSize+1]*fx
	} else {
		at := func(xi, yi int) float32 {
			if xi < 0 || yi < 0 || xi >= ImageSize || yi >= ImageSize {
				return 0
			}
			return img[yi*ImageSize+xi]
		}
		top = at(xi, yi)*(1-fx) + at(xi+1, yi)*fx
		bottom = at(xi, yi+1)*(1-fx) + at(xi+1, yi+1)*fx
	}
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

// morph is one 3×3 dilation (the largest neighbour) or erosion (the
// smallest), done as the largest (or smallest) of three along each row, then
// of three of those along each column: the same values for a third of the
// comparisons, and with max and min, no branch to mispredict.
func morph(img []float32, dilate bool) []float32 {
	pick := func(a, b float32) float32 {
		if dilate {
			return max(a, b)
		}
		return min(a, b)
	}
	const n = ImageSize
	rows, out := make([]float32, len(img)), make([]float32, len(img))
	for y := 0; y < len(img); y += n {
		in, r := img[y:y+n], rows[y:y+n]
		r[0], r[n-1] = pick(in[0], in[1]), pick(in[n-2], in[n-1])
		for x := 1; x < n-1; x++ {
			r[x] = pick(pick(in[x-1], in[x]), in[x+1])
		}
	}
	for i := range out {
		v := rows[i]
		if i >= n {
			v = pick(v, rows[i-n])
		}
		if i < len(rows)-n {
			v = pick(v, rows[i+n])
		}
		out[i] = v
	}
	return out
}

// inkBounds is the box [x0, y0, x1, y1] of the pixels with ink (pixel centres).
func inkBounds(img []float32) (box [4]float64, ok bool) {
	x0, y0, x1, y1 := ImageSize, ImageSize, -1, -1
	for i, v := range img {
		if v > 0 {
			x, y := i%ImageSize, i/ImageSize
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
	}
	return [4]float64{float64(x0), float64(y0), float64(x1), float64(y1)}, x1 >= 0
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

// maxValue is the brightest pixel's value (0 for a blank image).
func maxValue(img []float32) float32 {
	var m float32
	for _, v := range img {
		if v > m {
			m = v
		}
	}
	return m
}

// displacements is an elastic field: how far each pixel's sample point moves.
type displacements struct {
	dx, dy []float32
}

// elasticSalt separates the elastic field's stream from the other amounts'.
const elasticSalt = 0x656c6173746963 // "elastic"

// elasticField draws Simard et al.'s field where it is cheap. The paper draws
// uniform noise at every pixel and smooths it by a Gaussian of sigma pixels:
// 28×28 draws, and 25 taps a pixel and an axis for sigma 4. Smoothing
// forgets where exactly the noise was: noise drawn at nodes 1.5 sigma apart,
// each node's spread over the pixels by the same Gaussian (5 taps), gives a
// field as smooth from 10×10 draws, whose strength varies by at most 1.3%
// between pixels on a node and pixels between nodes, and is as strong at the
// edges as in the middle thanks to nodes 3 sigma beyond the frame. Each
// node's noise stands for that of 1.5 sigma × 1.5 sigma pixels, so its
// weights are multiplied by sqrt(1.5 sigma) along each axis, which gives the
// field the paper's size for the same α (TestAugmentElasticMatchesPaper
// compares the two; BenchmarkAugmentElasticField, their costs).
func elasticField(alpha, sigma float64, seed uint64) *displacements {
	spread := elasticSpread(sigma)
	m := spread.in
	src := rand.NewPCG(seed, elasticSalt)
	f := &displacements{}
	for _, d := range []*[]float32{&f.dx, &f.dy} {
		noise := make([]float32, m*m)
		for i := 0; i < len(noise); i += 2 { // two 24-bit uniform draws from each 64 bits
			u := src.Uint64()
			noise[i] = float32(alpha) * (float32(u>>40)/(1<<23) - 1)
			if i+1 < len(noise) {
				noise[i+1] = float32(alpha) * (float32(u&(1<<24-1))/(1<<23) - 1)
			}
		}
		*d = separable(noise, m, spread)
	}
	return f
}

// spreads caches elasticSpread's filters by sigma: a training run uses one.
var spreads sync.Map

// elasticSpread is the filter that spreads the noise of nodes 1.5 sigma
// apart, from 3 sigma before the frame to 3 sigma after it, over the 28 pixels.
func elasticSpread(sigma float64) filter {
	if f, ok := spreads.Load(sigma); ok {
		return f.(filter)
	}
	h := 1.5 * sigma                               // between nodes
	const r = 2                                    // nodes before the frame: 3 sigma
	m := int(math.Ceil((ImageSize-1)/h)) + 1 + 2*r // nodes across, both margins included
	norm := 0.0                                    // the paper's kernel sums to 1 over the pixels
	for j := -math.Ceil(3 * sigma); j <= math.Ceil(3*sigma); j++ {
		norm += gauss(j, sigma)
	}
	k := math.Sqrt(h) / norm
	f := newFilter(ImageSize, m, 2*r+1, func(i int) int { return int(math.Ceil(float64(i)/h-r)) + r }, func(i, j int) float64 {
		if d := float64(i) - float64(j-r)*h; math.Abs(d) <= 3*sigma {
			return k * gauss(d, sigma)
		}
		return 0
	})
	spreads.Store(sigma, f)
	return f
}

// filter is a one-dimensional linear filter: output i is the weighted sum
// of width inputs from first[i], with the weights w[i*width:(i+1)*width] (0
// for inputs its window does not reach). Blurs, resizes and the elastic
// field's smoothing are all such filters, applied along the rows and then the
// columns (separable); one flat band of weights keeps them cheap to build and
// to run.
type filter struct {
	in, width int // inputs, and taps for each output
	first     []int
	w         []float32
}

// newFilter makes a filter of nOut outputs over nIn inputs, each output's
// window of width placed to cover from (at most) lo on, inside the input; weight
// gives the weight of input j for output i.
func newFilter(nOut, nIn, width int, lo func(i int) int, weight func(i, j int) float64) filter {
	width = min(width, nIn)
	f := filter{in: nIn, width: width, first: make([]int, nOut), w: make([]float32, nOut*width)}
	for i := range nOut {
		f.first[i] = min(max(lo(i), 0), nIn-width)
		for t := range width {
			f.w[i*width+t] = float32(weight(i, f.first[i]+t))
		}
	}
	return f
}

// then is the filter that applies f, then next to f's outputs, in one pass.
func (f filter) then(next filter) filter {
	lo := func(i int) int { return f.first[next.first[i]] }
	width := 0
	for i, first := range next.first {
		width = max(width, f.first[first+next.width-1]+f.width-lo(i))
	}
	return newFilter(len(next.first), f.in, width, lo, func(i, j int) float64 {
		v := 0.0
		for t := range next.width {
			o := next.first[i] + t
			if u := j - f.first[o]; u >= 0 && u < f.width {
				v += float64(next.w[i*next.width+t]) * float64(f.w[o*f.width+u])
			}
		}
		return v
	})
}

// separable applies f along the rows, then the columns, of img, a side×side
// grid: the result is n×n, n the filter's outputs. Rows without ink, most of
// a digit's frame, are skipped: they filter to rows of zeros.
func separable(img []float32, side int, f filter) []float32 {
	n, width := len(f.first), f.width
	rows := make([]float32, side*n) // side rows of n
	blank := make([]bool, side)
	for y := range side {
		in, out := img[y*side:(y+1)*side], rows[y*n:(y+1)*n]
		if blank[y] = !slices.ContainsFunc(in, func(v float32) bool { return v != 0 }); blank[y] {
			continue
		}
		for x, first := range f.first {
			window, w := in[first:first+width], f.w[x*width:(x+1)*width]
			w = w[:len(window)] // one bounds check, not one a tap
			var v float32
			for t, p := range window {
				v += w[t] * p
			}
			out[x] = v
		}
	}
	result := make([]float32, n*n)
	for y, first := range f.first {
		out := result[y*n : (y+1)*n]
		for t, w := range f.w[y*width : (y+1)*width] {
			if blank[first+t] || w == 0 {
				continue
			}
			in := rows[(first+t)*n : (first+t+1)*n]
			out := out[:len(in)]
			for x, p := range in {
				out[x] += w * p
			}
		}
	}
	return result
}

// gaussianTaps is a Gaussian blur of sigma input steps, output i centred on
// input i+offset: weights over ±3 sigma that sum to 1, those beyond the input
// left out (black there). Sigma 0 copies.
func gaussianTaps(nOut, nIn int, sigma float64, offset int) filter {
	r := int(math.Ceil(3 * sigma))
	k, sum := make([]float64, 2*r+1), 0.0
	for j := range k {
		k[j] = gauss(float64(j-r), sigma)
		sum += k[j]
	}
	return newFilter(nOut, nIn, 2*r+1, func(i int) int { return i + offset - r }, func(i, j int) float64 {
		if d := j - i - offset; d >= -r && d <= r {
			return k[d+r] / sum
		}
		return 0
	})
}

// gauss is the Gaussian's unnormalized weight at x (1 at 0, and only there
// for sigma 0).
func gauss(x, sigma float64) float64 {
	if sigma == 0 {
		if x == 0 {
			return 1
		}
		return 0
	}
	return math.Exp(-x * x / (2 * sigma * sigma))
}

// areaTaps shrinks nIn pixels to nOut: each output pixel is the mean of the
// input it covers, partly covered pixels counting for the part covered, as a
// scanner's sensor sees the page.
func areaTaps(nOut, nIn int) filter {
	s := float64(nIn) / float64(nOut) // input pixels per output pixel
	return newFilter(nOut, nIn, int(math.Ceil(s))+1, func(i int) int { return int(float64(i) * s) }, func(i, j int) float64 {
		lo, hi := float64(i)*s, float64(i+1)*s
		return math.Max(0, math.Min(hi, float64(j+1))-math.Max(lo, float64(j))) / s
	})
}

// bilinearTaps samples nIn values at nOut points, output i at input position
// i*scale+shift (clamped to the input), interpolating linearly between the two
// neighbours.
func bilinearTaps(nOut, nIn int, scale, shift float64) filter {
	at := func(i int) float64 { return math.Min(math.Max(float64(i)*scale+shift, 0), float64(nIn-1)) }
	return newFilter(nOut, nIn, 2, func(i int) int { return int(at(i)) }, func(i, j int) float64 {
		return math.Max(0, 1-math.Abs(at(i)-float64(j)))
	})
}

// AugmentationPart is one distortion of an Augmentation on its own, named by
// its field.
type AugmentationPart struct {
	Name string
	Augmentation
}

// Parts splits a into its distortions, one for each field that is set
// (ElasticSigma goes with Elastic), in the fields' order, so that a gallery
// can show each on a row of its own with Examples. Each part draws the same
// random amount for a given epoch and row as a does (all draws are made
// whatever the fields), so its row shows exactly that part of a's changes,
// unless the whole, larger or turned, had to be moved back into the frame.
func (a Augmentation) Parts() []AugmentationPart {
	var parts []AugmentationPart
	for _, p := range []AugmentationPart{
		{"Shift", Augmentation{Shift: a.Shift}}, {"Rotate", Augmentation{Rotate: a.Rotate}},
		{"Scale", Augmentation{Scale: a.Scale}}, {"Thickness", Augmentation{Thickness: a.Thickness}},
		{"Elastic", Augmentation{Elastic: a.Elastic, ElasticSigma: a.ElasticSigma}},
		{"Shear", Augmentation{Shear: a.Shear}}, {"Blur", Augmentation{Blur: a.Blur}}, {"LowRes", Augmentation{LowRes: a.LowRes}},
	} {
		if p.Enabled() && (p.Name != "Elastic" || p.Elastic != 0) {
			parts = append(parts, p)
		}
	}
	return parts
}
