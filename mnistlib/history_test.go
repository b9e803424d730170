package mnistlib

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The seconds per epoch a history reports leave out the first epoch, which
// compiles the model, and take the median, which one slow epoch does not move.
func TestSecondsPerEpoch(t *testing.T) {
	for _, c := range []struct {
		seconds []float64
		want    float64
	}{
		{nil, 0},
		{[]float64{5}, 5},                  // one epoch: nothing else to go by
		{[]float64{9, 1}, 1},               // quick mode's two epochs: the second
		{[]float64{9, 1, 3, 2}, 2},         // the first left out, the middle of three
		{[]float64{9, 1, 2, 3, 4}, 2.5},    // an even count: the mean of the middle two
		{[]float64{9, 1, 1, 50, 1, 1}, 1},  // the machine busy for an epoch
		{[]float64{1, 2, 2, 2, 30, 30}, 2}, // busy for two epochs of five
	} {
		if got := (History{Seconds: c.seconds}).SecondsPerEpoch(); got != c.want {
			t.Errorf("SecondsPerEpoch of %v = %g, want %g", c.seconds, got, c.want)
		}
	}
}

// Fit's charts: the tutorial's accuracy chart, Chinese in both editions, and
// the loss chart in the workbook's language.
func TestHistoryChartLabels(t *testing.T) {
	h := History{Accuracy: []float64{0.9, 0.95}, ValAccuracy: []float64{0.92, 0.93}, Loss: []float64{0.3, 0.2}, ValLoss: []float64{0.25, 0.24}}
	tutorial := []string{"训练准确率", "验证准确率", "训练历史", "训练次数", "准确率"}
	for lang, lossWords := range map[string][]string{
		"en": {"train loss", "validation loss", "epoch"},
		"zh": {"训练损失", "验证损失", "训练次数"},
	} {
		t.Setenv("WORKBOOK_LANG", lang)
		accuracy, loss := fitCharts(h)
		for _, w := range tutorial {
			if !strings.Contains(accuracy.SVG(), w) {
				t.Errorf("%s: the accuracy chart lacks %q", lang, w)
			}
		}
		for _, w := range lossWords {
			if !strings.Contains(loss.SVG(), w) {
				t.Errorf("%s: the loss chart lacks %q", lang, w)
			}
		}
	}
	if g := h.Gap(); g < 0.0199 || g > 0.0201 {
		t.Errorf("gap %v, want 0.02", g)
	}
}

// randomDigits are n images of random pixels with random labels: enough to
// time training steps on.
func randomDigits(n int) Subset {
	rng := rand.New(rand.NewPCG(1, 2))
	s := Subset{Images: Images{Rows: ImageSize, Cols: ImageSize, N: n, Pix: make([]uint8, n*InputSize)}, Labels: make(Labels, n)}
	for i := range s.Images.Pix {
		s.Images.Pix[i] = uint8(rng.IntN(256))
	}
	for i := range s.Labels {
		s.Labels[i] = uint8(rng.IntN(NumClasses))
	}
	return s
}

// EpochSeconds times untrained copies side by side and leaves the models it
// is given as they were; a model that cannot be built is named in the error.
func TestEpochSeconds(t *testing.T) {
	models := []*Model{TutorialMLP(), TutorialMLPDropout()}
	seconds, err := epochSeconds(randomDigits(500), models)
	if err != nil {
		t.Fatal(err)
	}
	if len(seconds) != len(models) {
		t.Fatalf("%d results for %d models", len(seconds), len(models))
	}
	for i, s := range seconds {
		if !(s > 0) || math.IsInf(s, 0) {
			t.Errorf("model %d: %g seconds per epoch", i+1, s)
		}
	}
	for i, m := range models {
		if m.store != nil || m.trainer != nil || len(m.History.Loss) > 0 {
			t.Errorf("model %d was built or trained: EpochSeconds should time a copy", i+1)
		}
	}
	broken := NewSequential()
	broken.Add(Dense{Units: 10}) // no InputDim
	if _, err := epochSeconds(randomDigits(200), []*Model{TutorialMLP(), broken}); err == nil || !strings.Contains(err.Error(), "model 2") {
		t.Errorf("a model without its input size: error %v, want one naming model 2", err)
	}
}

// TutorialModel gives the models of the notebooks by checkpoint name, and
// names them all when asked for another.
func TestTutorialModel(t *testing.T) {
	for name, want := range map[string]*Model{"mlp": TutorialMLP(), "cnn_nodrop": TutorialCNN(false)} {
		m, err := TutorialModel(name)
		if err != nil || len(m.Layers()) != len(want.Layers()) || m.Kind() != want.Kind() {
			t.Errorf("TutorialModel(%q) = %v, %v", name, m.Layers(), err)
		}
	}
	if _, err := TutorialModel("mlp_2_layers"); err == nil || !strings.Contains(err.Error(), "cnn, cnn_nodrop, deep_cnn, mlp, mlp_dropout") {
		t.Errorf("an unknown name: %v", err)
	}
}
