package mnistlib

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// drawnDigit is a digit drawn with the pen and prepared as ReadDigit does,
// as 784 values in [0, 1].
func drawnDigit(t testing.TB, strokes ...Stroke) []float32 {
	t.Helper()
	d, err := DigitFromImage(DrawStrokes(280, 280, 18, strokes))
	if err != nil {
		t.Fatal(err)
	}
	img := make([]float32, InputSize)
	for i, p := range d.Pix {
		img[i] = float32(p) / 255
	}
	return img
}

// edgeBar is a 28×28 image with a bar across its whole width: any shift
// sideways would push ink out of the frame.
func edgeBar() []float32 {
	img := make([]float32, InputSize)
	for x := range ImageSize {
		img[13*ImageSize+x], img[14*ImageSize+x] = 1, 0.5
	}
	return img
}

func inkSum(img []float32) float64 {
	s := 0.0
	for _, v := range img {
		s += float64(v)
	}
	return s
}

var testAugment = Augmentation{Shift: 2, Rotate: 12, Scale: 0.12, Thickness: 0.8}

func TestAugmentDeterministic(t *testing.T) {
	img := drawnDigit(t, Stroke{{140, 40}, {140, 240}})
	a := testAugment.Apply(img, augmentRNG(1, 3, 17))
	b := testAugment.Apply(img, augmentRNG(1, 3, 17))
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed, epoch and row gave two different images")
	}
	for _, other := range []struct {
		name             string
		seed, epoch, row int
	}{{"seed", 2, 3, 17}, {"epoch", 1, 4, 17}, {"row", 1, 3, 18}} {
		if c := testAugment.Apply(img, augmentRNG(int64(other.seed), other.epoch, other.row)); reflect.DeepEqual(a, c) {
			t.Errorf("another %s gave the same image", other.name)
		}
	}
	checkBatchIndependent(t, testAugment, img)
}

// checkBatchIndependent checks that a row's change does not depend on which
// batch it comes in, or where.
func checkBatchIndependent(t *testing.T, a Augmentation, img []float32) {
	t.Helper()
	x := [][]float32{img, edgeBar(), img}
	first := a.augmentRows(x, []int{0, 1, 2}, 1, 5)
	again := a.augmentRows(x, []int{2, 0}, 1, 5)
	if !reflect.DeepEqual(first[2], again[0]) || !reflect.DeepEqual(first[0], again[1]) {
		t.Error("a row's augmentation depends on its place in the batch")
	}
}

func TestAugmentKeepsInkInBounds(t *testing.T) {
	digits := map[string][]float32{
		"one":      drawnDigit(t, Stroke{{140, 40}, {140, 240}}),
		"zero":     drawnDigit(t, Stroke{{140, 40}, {220, 140}, {140, 240}, {60, 140}, {140, 40}}),
		"edge bar": edgeBar(),
	}
	for _, tc := range []struct {
		name string
		a    Augmentation
		// the ink kept, as a share of the original's, within [lo, hi]
		lo, hi float64
	}{
		// A shift only moves the digit: all its ink stays, even against an edge.
		{"shift", Augmentation{Shift: 4}, 0.99, 1.01},
		{"shift and rotation", Augmentation{Shift: 4, Rotate: 30}, 0.9, 1.1},
		{"scaling", Augmentation{Shift: 2, Scale: 0.3}, 0.7 * 0.7 * 0.8, 1.3 * 1.3 * 1.2},
		{"everything", Augmentation{Shift: 6, Rotate: 45, Scale: 0.5, Thickness: 2}, 0.15, 6},
	} {
		for name, img := range digits {
			before := inkSum(img)
			for row := range 200 {
				out := tc.a.Apply(img, augmentRNG(7, 0, row))
				for i, v := range out {
					if !(v >= 0 && v <= 1) {
						t.Fatalf("%s, %s, row %d: pixel %d is %v, outside [0, 1]", tc.name, name, row, i, v)
					}
				}
				if r := inkSum(out) / before; r < tc.lo || r > tc.hi {
					t.Errorf("%s, %s, row %d: %.3f of the ink is left, want [%.2f, %.2f]", tc.name, name, row, r, tc.lo, tc.hi)
					break
				}
				if box, ok := inkBounds(out); !ok || box[0] < 0 || box[2] > ImageSize-1 {
					t.Errorf("%s, %s, row %d: no ink or ink box %v", tc.name, name, row, box)
				}
			}
		}
	}
}

func TestAugmentChangesImage(t *testing.T) {
	img := drawnDigit(t, Stroke{{140, 40}, {140, 240}}, Stroke{{100, 80}, {140, 40}})
	same := 0
	for row := range 100 {
		out := testAugment.Apply(img, augmentRNG(1, 0, row))
		diff := 0.0
		for i := range out {
			diff += math.Abs(float64(out[i] - img[i]))
		}
		if diff < 1 { // less than one pixel's worth of change
			same++
		}
	}
	if same > 2 {
		t.Errorf("%d of 100 augmented images are (nearly) the original", same)
	}
	// The zero value changes nothing, and neither does it draw differently per row.
	if out := (Augmentation{}).Apply(img, augmentRNG(1, 0, 0)); !reflect.DeepEqual(out, img) {
		t.Error("Augmentation{} changed the image")
	}
	// Thickness alone: thicker strokes carry more ink, thinner less.
	thick := Augmentation{Thickness: 1}
	var more, less bool
	for row := range 20 {
		r := inkSum(thick.Apply(img, augmentRNG(1, 0, row))) / inkSum(img)
		more, less = more || r > 1.3, less || r < 0.9
	}
	if !more || !less {
		t.Errorf("Thickness 1 should both thicken and thin: thicker seen %v, thinner seen %v", more, less)
	}
}

func TestAugmentCheck(t *testing.T) {
	for _, tc := range []struct {
		a    Augmentation
		want string // "" for valid
	}{
		{Augmentation{}, ""},
		{testAugment, ""},
		{Augmentation{Shift: 6, Rotate: 45, Scale: 0.5, Thickness: 2}, ""},
		{Augmentation{Shift: -1}, "Augment.Shift must be between 0 and 6"},
		{Augmentation{Rotate: 90}, "Augment.Rotate must be between 0 and 45"},
		{Augmentation{Scale: math.NaN()}, "Augment.Scale"},
		{Augmentation{Thickness: math.Inf(1)}, "Augment.Thickness"},
		// Thickness goes to 3 now; the newer fields at their limits and past them.
		{Augmentation{Thickness: 3, Elastic: 40, ElasticSigma: 8, Shear: 30, Blur: 2, LowRes: 8}, ""},
		{Augmentation{Elastic: 34, ElasticSigma: 4, LowRes: 27}, ""},
		{Augmentation{Thickness: 3.5}, "Augment.Thickness must be between 0 and 3, got 3.5"},
		{Augmentation{Elastic: 41}, "Augment.Elastic must be between 0 and 40, got 41"},
		{Augmentation{Elastic: -1}, "Augment.Elastic must be between 0 and 40"},
		{Augmentation{Elastic: 34, ElasticSigma: 3}, "Augment.ElasticSigma must be 0 (meaning 4) or between 4 and 8 pixels, got 3"},
		{Augmentation{Elastic: 34, ElasticSigma: math.NaN()}, "Augment.ElasticSigma must be 0 (meaning 4) or between 4 and 8"},
		{Augmentation{ElasticSigma: 6}, "Augment.ElasticSigma is 6 but Augment.Elastic is 0"},
		{Augmentation{Shear: 31}, "Augment.Shear must be between 0 and 30, got 31"},
		{Augmentation{Blur: 2.5}, "Augment.Blur must be between 0 and 2, got 2.5"},
		{Augmentation{Blur: math.NaN()}, "Augment.Blur"},
		{Augmentation{LowRes: 7}, "Augment.LowRes must be 0 (off) or between 8 and 27 pixels, got 7"},
		{Augmentation{LowRes: 28}, "Augment.LowRes must be 0 (off) or between 8 and 27 pixels, got 28"},
		{Augmentation{LowRes: -1}, "Augment.LowRes must be 0 (off)"},
	} {
		_, err := NewSequential().fitOptions(FitOptions{Epochs: 1, Augment: tc.a})
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: error %v, want %q", tc.a, err, tc.want)
		}
	}
}

// The augmentation is part of what a checkpoint records: the same options
// load it, other amounts train anew, and a checkpoint without augmentation
// keeps the manifest it had before augmentation existed.
func TestFitCheckpointRecordsAugmentation(t *testing.T) {
	t.Setenv(EnvCheckpoints, t.TempDir())
	x, y := syntheticData(200, 3)
	fit := func(o FitOptions) (*Model, string) {
		t.Helper()
		var msgs bytes.Buffer
		old := Messages
		Messages = &msgs
		defer func() { Messages = old }()
		m := TutorialMLP()
		m.Out = nil
		if _, err := m.Fit(x, y, o); err != nil {
			t.Fatal(err)
		}
		return m, msgs.String()
	}
	plain := FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"}
	augmented := plain
	augmented.Augment = testAugment

	if _, out := fit(plain); strings.Contains(out, "loaded") {
		t.Fatalf("first Fit loaded: %s", out)
	}
	raw, err := os.ReadFile(filepath.Join(CheckpointDir(), "mlp", "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "augment") {
		t.Error("a checkpoint without augmentation mentions it: older checkpoints would no longer match")
	}
	if _, out := fit(augmented); !strings.Contains(out, "holds another model or training") {
		t.Errorf("adding augmentation should train anew: %s", out)
	}
	first, out := fit(augmented)
	if !strings.Contains(out, "loaded") {
		t.Errorf("the same augmentation should load: %s", out)
	}
	if first.Fitted.Augment != testAugment {
		t.Errorf("loaded model's Fitted.Augment = %+v", first.Fitted.Augment)
	}
	raw, _ = os.ReadFile(filepath.Join(CheckpointDir(), "mlp", "model.json"))
	var man struct {
		Fitted struct {
			Augment Augmentation `json:"augment"`
		} `json:"fitted"`
	}
	if err := json.Unmarshal(raw, &man); err != nil || man.Fitted.Augment != testAugment {
		t.Errorf("model.json records augment %+v (%v)", man.Fitted.Augment, err)
	}
	other := augmented
	other.Augment.Rotate = 5
	if _, out := fit(other); !strings.Contains(out, "holds another model or training") {
		t.Errorf("another rotation should train anew: %s", out)
	}
}

// Fit with augmentation is as reproducible as without, and differs from it.
func TestFitAugmentedDeterministic(t *testing.T) {
	x, y := syntheticData(300, 5)
	run := func(a Augmentation) History {
		m := TutorialMLP()
		m.Out = nil
		h, err := m.Fit(x, y, FitOptions{Epochs: 2, BatchSize: 50, ValidationSplit: 0.2, Augment: a})
		if err != nil {
			t.Fatal(err)
		}
		return withoutTimes(h)
	}
	a, b, plain := run(testAugment), run(testAugment), run(Augmentation{})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed and augmentation, different histories:\n%+v\n%+v", a, b)
	}
	if reflect.DeepEqual(a.Loss, plain.Loss) {
		t.Error("the augmentation changed nothing in training")
	}
}

func TestAugmentExamples(t *testing.T) {
	d, err := DigitFromImage(DrawStrokes(280, 280, 18, []Stroke{{{140, 40}, {140, 240}}}))
	if err != nil {
		t.Fatal(err)
	}
	ex := testAugment.Examples(d, 6, 1, 0)
	if ex.N != 6 || len(ex.Pix) != 6*InputSize {
		t.Fatalf("Examples gave %d images, %d pixels", ex.N, len(ex.Pix))
	}
	if reflect.DeepEqual(ex.Digit(0).Pix, ex.Digit(1).Pix) {
		t.Error("two epochs' examples are the same")
	}
}
