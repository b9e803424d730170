package mnistlib

// Tests of the distortions added for issue 21 (Elastic, Shear, Blur, LowRes,
// and Thickness up to 3), each on its own and all together.

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// strongAugment turns every distortion on, today's and the newer ones.
var strongAugment = Augmentation{Shift: 1, Rotate: 15, Scale: 0.1, Thickness: 1.5, Elastic: 34, Shear: 15, Blur: 0.8, LowRes: 12}

// distortions are the newer fields, each alone at a typical amount and at its
// largest, and all of them together.
var distortions = []struct {
	name string
	a    Augmentation
}{
	{"Elastic", Augmentation{Elastic: 34}},
	{"Elastic largest", Augmentation{Elastic: 40}},
	{"Elastic largest, sigma 8", Augmentation{Elastic: 40, ElasticSigma: 8}},
	{"Thickness largest", Augmentation{Thickness: 3}},
	{"Shear", Augmentation{Shear: 15}},
	{"Shear largest", Augmentation{Shear: 30}},
	{"Blur", Augmentation{Blur: 1}},
	{"Blur largest", Augmentation{Blur: 2}},
	{"LowRes", Augmentation{LowRes: 12}},
	{"LowRes smallest", Augmentation{LowRes: 8}},
	{"all", strongAugment},
}

// distortedDigits are a few drawn digits, and the bar that touches both edges.
func distortedDigits(t testing.TB) map[string][]float32 {
	return map[string][]float32{
		"one":      drawnDigit(t, Stroke{{140, 40}, {140, 240}}),
		"zero":     drawnDigit(t, Stroke{{140, 40}, {220, 140}, {140, 240}, {60, 140}, {140, 40}}),
		"seven":    drawnDigit(t, Stroke{{60, 60}, {220, 60}, {120, 250}}, Stroke{{90, 150}, {190, 150}}),
		"edge bar": edgeBar(),
	}
}

func absDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d += math.Abs(float64(a[i] - b[i]))
	}
	return d
}

func TestAugmentDistortionsChangeImage(t *testing.T) {
	img := drawnDigit(t, Stroke{{140, 40}, {140, 240}}, Stroke{{100, 80}, {140, 40}})
	for _, tc := range distortions {
		changed := 0
		for row := range 50 {
			if absDiff(tc.a.Apply(img, augmentRNG(1, 0, row)), img) > 1 { // a pixel's worth
				changed++
			}
		}
		// Blur and LowRes draw their amount from 0 up, so a few images are left almost as they were.
		if changed < 35 {
			t.Errorf("%s: only %d of 50 images changed", tc.name, changed)
		}
	}
}

// A field left at 0 changes nothing, and a field's value changes no other
// field's random amounts: each is drawn whatever the others are.
func TestAugmentDistortionsDrawIndependently(t *testing.T) {
	for _, tc := range []struct {
		field string
		off   func(*Augmentation)
		own   func(d *amounts, from amounts) // copies the field's own amounts
	}{
		{"Shift", func(a *Augmentation) { a.Shift = 0 }, func(d *amounts, f amounts) { d.dx, d.dy = f.dx, f.dy }},
		{"Rotate", func(a *Augmentation) { a.Rotate = 0 }, func(d *amounts, f amounts) { d.angle = f.angle }},
		{"Scale", func(a *Augmentation) { a.Scale = 0 }, func(d *amounts, f amounts) { d.scale = f.scale }},
		{"Thickness", func(a *Augmentation) { a.Thickness = 0 }, func(d *amounts, f amounts) { d.thick = f.thick }},
		{"Elastic", func(a *Augmentation) { a.Elastic = 0 }, func(d *amounts, f amounts) {}},
		{"Shear", func(a *Augmentation) { a.Shear = 0 }, func(d *amounts, f amounts) { d.shear = f.shear }},
		{"Blur", func(a *Augmentation) { a.Blur = 0 }, func(d *amounts, f amounts) { d.blur = f.blur }},
		{"LowRes", func(a *Augmentation) { a.LowRes = 0 }, func(d *amounts, f amounts) { d.size = f.size }},
	} {
		without := strongAugment
		tc.off(&without)
		for row := range 20 {
			on, off := strongAugment.draw(augmentRNG(3, 1, row)), without.draw(augmentRNG(3, 1, row))
			tc.own(&off, on)
			if on != off {
				t.Errorf("turning %s off changed other amounts: %+v, then %+v", tc.field, on, off)
				break
			}
		}
		one := Augmentation{}
		tc.off(&one)
		img := drawnDigit(t, Stroke{{140, 40}, {140, 240}})
		if out := one.Apply(img, augmentRNG(3, 1, 0)); !reflect.DeepEqual(out, img) {
			t.Errorf("%s at 0 changed the image", tc.field)
		}
	}
}

func TestAugmentDistortionsReproducible(t *testing.T) {
	img := drawnDigit(t, Stroke{{60, 60}, {220, 60}, {120, 250}})
	for _, tc := range distortions {
		a, b := tc.a.Apply(img, augmentRNG(1, 3, 17)), tc.a.Apply(img, augmentRNG(1, 3, 17))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the same seed, epoch and row gave two different images", tc.name)
		}
		if c := tc.a.Apply(img, augmentRNG(1, 3, 18)); reflect.DeepEqual(a, c) {
			t.Errorf("%s: another row gave the same image", tc.name)
		}
	}
	checkBatchIndependent(t, strongAugment, img)
}

func TestAugmentDistortionsStayInRange(t *testing.T) {
	for _, tc := range distortions {
		for name, img := range distortedDigits(t) {
			for row := range 100 {
				out := tc.a.Apply(img, augmentRNG(7, 0, row))
				if len(out) != InputSize {
					t.Fatalf("%s, %s: %d values", tc.name, name, len(out))
				}
				for i, v := range out {
					if !(v >= 0 && v <= 1) {
						t.Fatalf("%s, %s, row %d: pixel %d is %v, outside [0, 1]", tc.name, name, row, i, v)
					}
				}
				if maxValue(out) < 0.3 {
					t.Errorf("%s, %s, row %d: the digit is gone (brightest pixel %.2f)", tc.name, name, row, maxValue(out))
				}
			}
		}
	}
}

// Each distortion keeps the digit where it was and about as heavy: the
// centre of mass moves little, the ink stays within bounds; blurring and
// low-resolution scans keep the brightest pixel's value.
func TestAugmentDistortionsKeepDigit(t *testing.T) {
	digits := distortedDigits(t)
	delete(digits, "edge bar") // touches the edges: the elastic field may carry its ends out
	for _, tc := range []struct {
		name      string
		a         Augmentation
		moveMax   float64 // pixels, the centre of mass
		inkLo     float64 // the ink kept, as a share of the original's
		inkHi     float64
		keepsPeak bool
	}{
		// An elastic field stretches some strokes and squeezes others: the ink varies more.
		// (The paper's α of 34 stretches and squeezes strokes to twice or half their ink.)
		{"Elastic, small", Augmentation{Elastic: 10}, 2, 0.8, 1.25, false},
		{"Elastic", Augmentation{Elastic: 34}, 5, 0.4, 2.2, false},
		// A shear about the centre of mass keeps it, unless the slanted digit had to be moved back into the frame.
		{"Shear", Augmentation{Shear: 15}, 0.5, 0.98, 1.02, false},
		{"Shear largest", Augmentation{Shear: 30}, 2.5, 0.98, 1.02, false},
		{"Blur", Augmentation{Blur: 2}, 0.5, 0.99, 3, true},
		// Giving a coarse scan its black back thickens thin strokes.
		{"LowRes", Augmentation{LowRes: 8}, 1, 0.99, 4, true},
	} {
		moved, inkLo, inkHi := 0.0, math.Inf(1), math.Inf(-1) // the worst over digits and rows
		for name, img := range digits {
			cx, cy := centreOfMass(img)
			for row := range 100 {
				out := tc.a.Apply(img, augmentRNG(2, 0, row))
				x, y := centreOfMass(out)
				moved = math.Max(moved, math.Hypot(x-cx, y-cy))
				r := inkSum(out) / inkSum(img)
				inkLo, inkHi = math.Min(inkLo, r), math.Max(inkHi, r)
				if tc.keepsPeak && math.Abs(float64(maxValue(out)-maxValue(img))) > 1e-6 {
					t.Errorf("%s, %s, row %d: brightest pixel %v, was %v", tc.name, name, row, maxValue(out), maxValue(img))
				}
			}
		}
		t.Logf("%s: the centre of mass moved up to %.2f px, the ink kept %.2f to %.2f", tc.name, moved, inkLo, inkHi)
		if moved > tc.moveMax || inkLo < tc.inkLo || inkHi > tc.inkHi {
			t.Errorf("%s: the centre of mass moved up to %.2f px (want < %g), the ink kept %.2f to %.2f (want [%g, %g])",
				tc.name, moved, tc.moveMax, inkLo, inkHi, tc.inkLo, tc.inkHi)
		}
	}
}

// paperField is the elastic field as Simard et al. compute it: uniform noise
// at every pixel (here with the same margin of 3 sigma beyond the frame),
// smoothed there by the Gaussian, times α.
func paperField(alpha, sigma float64, rng *rand.Rand) *displacements {
	r := int(math.Ceil(3 * sigma))
	m := ImageSize + 2*r
	smooth := gaussianTaps(ImageSize, m, sigma, r)
	f := &displacements{}
	for _, d := range []*[]float32{&f.dx, &f.dy} {
		noise := make([]float32, m*m)
		for i := range noise {
			noise[i] = float32(2*rng.Float64() - 1)
		}
		*d = separable(noise, m, smooth)
		for i := range *d {
			(*d)[i] *= float32(alpha)
		}
	}
	return f
}

// fieldStats are an elastic field's root-mean-square displacement and the
// correlation of horizontal displacements sigma pixels apart, over many fields.
func fieldStats(fields func(i int) *displacements, sigma int) (rms, corr float64) {
	var ss, sxy, n, pairs float64
	for i := range 600 {
		f := fields(i)
		for y := range ImageSize {
			for x := range ImageSize {
				p := y*ImageSize + x
				ss += float64(f.dx[p]*f.dx[p] + f.dy[p]*f.dy[p])
				n += 2
				if x+sigma < ImageSize {
					sxy += float64(f.dx[p] * f.dx[p+sigma])
					pairs++
				}
			}
		}
	}
	return math.Sqrt(ss / n), (sxy / pairs) / (ss / n)
}

// The cheap field (noise on a grid of nodes sigma/2 apart) has the size and
// the smoothness of the paper's pixel-by-pixel one, for the same α and sigma.
func TestAugmentElasticMatchesPaper(t *testing.T) {
	for _, sigma := range []int{4, 6, 8} {
		s := float64(sigma)
		fast, fastCorr := fieldStats(func(i int) *displacements { return elasticField(34, s, uint64(i)) }, sigma)
		paper, paperCorr := fieldStats(func(i int) *displacements {
			return paperField(34, s, rand.New(rand.NewPCG(uint64(i), 9)))
		}, sigma)
		t.Logf("sigma %d, α 34: rms displacement %.3f px (paper's way %.3f), correlation at sigma %.3f (%.3f)", sigma, fast, paper, fastCorr, paperCorr)
		if math.Abs(fast/paper-1) > 0.08 || math.Abs(fastCorr-paperCorr) > 0.05 {
			t.Errorf("sigma %d: the fast field (rms %.3f, correlation %.3f) is not the paper's (%.3f, %.3f)", sigma, fast, fastCorr, paper, paperCorr)
		}
		// Smoothed white noise: rms α·sqrt(1/3)/(2·sqrt(π)·sigma), correlation exp(-1/4).
		want := 34 * math.Sqrt(1.0/3) / (2 * math.Sqrt(math.Pi) * s)
		if math.Abs(paper/want-1) > 0.08 || math.Abs(paperCorr-math.Exp(-0.25)) > 0.05 {
			t.Errorf("sigma %d: the paper's field has rms %.3f (want %.3f), correlation %.3f (want %.3f)", sigma, paper, want, paperCorr, math.Exp(-0.25))
		}
	}
}

func TestAugmentLowResSizes(t *testing.T) {
	seen := map[int]bool{}
	for row := range 2000 {
		n := Augmentation{LowRes: 8}.draw(augmentRNG(1, 0, row)).size
		if n < 8 || n > ImageSize-1 {
			t.Fatalf("row %d: size %d, want 8 to 27", row, n)
		}
		seen[n] = true
	}
	if len(seen) != 20 {
		t.Errorf("sizes seen: %v, want all of 8 to 27", seen)
	}
}

func TestAugmentParts(t *testing.T) {
	if p := (Augmentation{}).Parts(); len(p) != 0 {
		t.Errorf("the zero value has parts %+v", p)
	}
	a := strongAugment
	a.ElasticSigma = 6
	parts := a.Parts()
	var names []string
	for _, p := range parts {
		names = append(names, p.Name)
		if err := p.check(); err != nil || !p.Enabled() {
			t.Errorf("part %s: %+v (%v)", p.Name, p.Augmentation, err)
		}
	}
	want := []string{"Shift", "Rotate", "Scale", "Thickness", "Elastic", "Shear", "Blur", "LowRes"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("parts %v, want %v", names, want)
	}
	if e := parts[4].Augmentation; e != (Augmentation{Elastic: 34, ElasticSigma: 6}) {
		t.Errorf("the elastic part is %+v", e)
	}
	d, err := DigitFromImage(DrawStrokes(280, 280, 18, []Stroke{{{140, 40}, {140, 240}}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if ex := p.Examples(d, 3, 1, 0); ex.N != 3 || len(ex.Pix) != 3*InputSize {
			t.Errorf("%s: Examples gave %d images, %d pixels", p.Name, ex.N, len(ex.Pix))
		}
	}
}

// Checkpoints record the augmentation as JSON: the newer fields round-trip,
// and an augmentation without them is written as before they existed, so
// older checkpoints still match.
func TestAugmentJSON(t *testing.T) {
	old, _ := json.Marshal(Augmentation{Shift: 1, Rotate: 15, Scale: 0.1, Thickness: 1.5})
	if string(old) != `{"shift":1,"rotate":15,"scale":0.1,"thickness":1.5}` {
		t.Errorf("today's fields are written as %s", old)
	}
	a := strongAugment
	a.ElasticSigma = 6
	raw, _ := json.Marshal(a)
	var back Augmentation
	if err := json.Unmarshal(raw, &back); err != nil || back != a {
		t.Errorf("%s read back as %+v (%v)", raw, back, err)
	}
}

// Apply takes amounts check would refuse (Examples calls it unchecked):
// they must neither panic nor build enormous filters.
func TestAugmentApplyUncheckedAmounts(t *testing.T) {
	img := drawnDigit(t, Stroke{{140, 40}, {140, 240}})
	for _, a := range []Augmentation{
		{Blur: 1e9}, {Blur: -1}, {Blur: math.NaN()}, {LowRes: 1}, {LowRes: 28}, {LowRes: 500}, {LowRes: -3},
		{Elastic: 1e6}, {Elastic: 34, ElasticSigma: 1e-9}, {Elastic: 34, ElasticSigma: 1e9}, {Shear: 89.9}, {Thickness: 5},
	} {
		if out := a.Apply(img, augmentRNG(1, 0, 0)); len(out) != InputSize {
			t.Errorf("%+v: %d values", a, len(out))
		}
	}
}

// The filters behind Blur, LowRes and Elastic: each output's weights sum to
// what they should, one filter run after another is the same as the two
// folded into one (then), and rows without ink may be skipped.
func TestAugmentFilters(t *testing.T) {
	img := drawnDigit(t, Stroke{{60, 60}, {220, 60}, {120, 250}})
	for _, tc := range []struct {
		name string
		f    filter
		sum  float64 // of each output's weights
	}{
		{"area 28→12", areaTaps(12, ImageSize), 1},
		{"area 28→27", areaTaps(27, ImageSize), 1},
		{"bilinear 9→28", scanFiltersFor(9).up, 1},
		{"Gaussian sigma 0", gaussianTaps(ImageSize, ImageSize, 0, 0), 1},
	} {
		for i := range tc.f.first {
			s := 0.0
			for _, w := range tc.f.w[i*tc.f.width : (i+1)*tc.f.width] {
				s += float64(w)
			}
			if math.Abs(s-tc.sum) > 1e-5 {
				t.Errorf("%s: output %d's weights sum to %v", tc.name, i, s)
				break
			}
		}
	}
	if out := separable(img, ImageSize, gaussianTaps(ImageSize, ImageSize, 0, 0)); !reflect.DeepEqual(out, img) {
		t.Error("a Gaussian of sigma 0 changed the image")
	}
	blur, down := gaussianTaps(ImageSize, ImageSize, 1.3, 0), areaTaps(11, ImageSize)
	twice := separable(separable(img, ImageSize, blur), ImageSize, down)
	once := separable(img, ImageSize, blur.then(down))
	for i := range once {
		if math.Abs(float64(once[i]-twice[i])) > 1e-5 {
			t.Fatalf("pixel %d: %v folded into one filter, %v one after the other", i, once[i], twice[i])
		}
	}
	// The blur as a sum over every pixel, blank rows included.
	sum := 0.0
	for j := -4; j <= 4; j++ {
		sum += gauss(float64(j), 1.3)
	}
	out := separable(img, ImageSize, blur)
	for y := range ImageSize {
		for x := range ImageSize {
			want := 0.0
			for v := max(y-4, 0); v <= min(y+4, ImageSize-1); v++ {
				for u := max(x-4, 0); u <= min(x+4, ImageSize-1); u++ {
					want += float64(img[v*ImageSize+u]) * gauss(float64(u-x), 1.3) * gauss(float64(v-y), 1.3) / (sum * sum)
				}
			}
			if got := out[y*ImageSize+x]; math.Abs(float64(got)-want) > 1e-5 {
				t.Fatalf("blurred pixel (%d, %d) is %v, want %v", x, y, got, want)
			}
		}
	}
}

// Keep leaves about its share of the images as they are, and changes the
// others exactly as without Keep: the same seed, epoch and row, the same amounts.
func TestAugmentKeep(t *testing.T) {
	img := drawnDigit(t, Stroke{{140, 40}, {140, 240}}, Stroke{{100, 80}, {140, 40}})
	for _, keep := range []float64{0.25, 0.5, 0.9} {
		a := strongAugment
		a.Keep = keep
		kept := 0
		const rows = 400
		for row := range rows {
			got, all := a.Apply(img, augmentRNG(1, 0, row)), strongAugment.Apply(img, augmentRNG(1, 0, row))
			switch {
			case reflect.DeepEqual(got, img):
				kept++
			case !reflect.DeepEqual(got, all):
				t.Fatalf("Keep %g, row %d: a changed image differs from the one without Keep", keep, row)
			}
		}
		if share := float64(kept) / rows; math.Abs(share-keep) > 0.08 {
			t.Errorf("Keep %g left %.2f of the images unchanged", keep, share)
		}
	}
	for _, bad := range []float64{-0.1, 0.95, math.NaN()} {
		if err := (Augmentation{Shift: 1, Keep: bad}).check(); err == nil {
			t.Errorf("Keep %g was accepted", bad)
		}
	}
}
