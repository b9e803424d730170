package mnistlib

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gonb-mnist/workbook/internal/checkpoint"
)

// Fit with a Checkpoint trains once, loads while the model and its options
// are unchanged, and trains again when a number changes.
func TestFitCheckpoint(t *testing.T) {
	_, data := loadReal(t)
	t.Setenv(EnvQuick, "1")
	t.Setenv(EnvCheckpoints, t.TempDir())
	var log bytes.Buffer
	Messages = &log
	defer func() { Messages = os.Stdout }()
	p, err := Prepare(data, KindMLP)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.XTrain.Shape().Dimensions; got[0] != quickTrainRows || got[1] != 784 {
		t.Fatalf("quick mode training data %v, want [%d 784]", got, quickTrainRows)
	}
	mlp := func(units int) *Model {
		model := NewSequential()
		model.Add(Dense{Units: units, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
		model.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
		return model
	}
	for i, s := range []struct {
		units, batch, epochs int
		want                 string
		wantEpochs           int
	}{
		{256, 200, 10, "saved to", quickEpochs}, // quick mode: at most 2 epochs
		{256, 200, 10, "loaded", quickEpochs},   // one line, with what it loaded (no chart)
		{64, 200, 10, "saved to", quickEpochs},
		{64, 100, 10, "saved to", quickEpochs},
		{64, 100, 10, "loaded", quickEpochs},
		{64, 100, 1, "saved to", 1},
	} {
		log.Reset()
		m := mlp(s.units)
		m.Out = nil
		h, err := m.Fit(p.XTrain, p.YTrain, FitOptions{Epochs: s.epochs, BatchSize: s.batch, ValidationSplit: 0.2, Checkpoint: "mlp"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log.String(), s.want) {
			t.Errorf("step %d: log %q, want %q", i, log.String(), s.want)
		}
		if len(h.Loss) != s.wantEpochs || m.NumParams() != 784*s.units+s.units+s.units*10+10 {
			t.Errorf("step %d: %d epochs, %d parameters", i, len(h.Loss), m.NumParams())
		}
		if s.want == "loaded" && !regexp.MustCompile(`\nloaded \S+: this model, trained earlier with these options \(2 epochs, validation accuracy 0\.\d{4}; change a number to train again\)\n$`).MatchString(log.String()) {
			t.Errorf("step %d: loading says %q, want one line with the epochs and the validation accuracy", i, log.String())
		}
		if strings.Contains(log.String(), CheckpointDir()) && filepath.IsAbs(CheckpointDir()) {
			t.Errorf("step %d: the log names an absolute path: %q", i, log.String())
		}
	}
	if _, err := os.Stat(filepath.Join(CheckpointDir(), "mlp", checkpoint.ManifestFile)); err != nil || !strings.HasSuffix(CheckpointDir(), "quick") {
		t.Errorf("checkpoint not under the quick folder %s: %v", CheckpointDir(), err)
	}
}

func TestShowTrainHistoryArguments(t *testing.T) {
	h := History{Accuracy: []float64{0.9}, ValAccuracy: []float64{0.92}, Loss: []float64{0.3}, ValLoss: []float64{0.25}}
	for _, c := range []struct {
		h                 History
		train, validation string
		want              string // "" for no error
	}{
		{h, "accuracy", "val_accuracy", ""},
		{h, "loss", "val_loss", ""},
		{h, "accuracy", "val_loss", `want ("accuracy", "val_accuracy") or ("loss", "val_loss")`},
		{h, "acc", "val_acc", `got ("acc", "val_acc")`},
		{History{}, "loss", "val_loss", "the history is empty"},
	} {
		err := ShowTrainHistory(c.h, c.train, c.validation)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("ShowTrainHistory(%q, %q): %v, want %q", c.train, c.validation, err, c.want)
		}
	}
}

func TestConfusionAndMistakes(t *testing.T) {
	labels := Labels{0, 1, 2, 2, 9}
	pred := []int{0, 7, 2, 2, 4}
	cm := ConfusionMatrix(pred, labels)
	if cm[1][7] != 1 || cm[2][2] != 2 || cm[9][4] != 1 || cm[0][0] != 1 {
		t.Errorf("confusion matrix %v", cm)
	}
	if got := Mistakes(pred, labels); len(got) != 2 || got[0] != 1 || got[1] != 4 {
		t.Errorf("mistakes %v, want [1 4]", got)
	}
	html := ConfusionHTML(cm, MNIST.ClassNames)
	if !strings.Contains(html, "confusion matrix") || strings.Count(html, "<td") != 100 {
		t.Errorf("confusion HTML has %d cells", strings.Count(html, "<td"))
	}
}

// Trained trains a model on the data prepared for its kind (an MLP flat, a
// CNN as 28×28×1 grids: each refuses the other), saves it under the name,
// and loads it the next time; a nil model is an error, not a panic.
func TestTrained(t *testing.T) {
	l, _ := loadReal(t)
	t.Setenv(MNIST.EnvDir, l.CacheDir)
	t.Setenv(EnvQuick, "1")
	t.Setenv(EnvCheckpoints, t.TempDir())
	var log bytes.Buffer
	Messages = &log
	defer func() { Messages = os.Stdout }()
	for _, tc := range []struct {
		name  string
		model func() *Model
	}{
		{"mlp", TutorialMLP},
		{"cnn", func() *Model { return TutorialCNN(true) }},
	} {
		for _, want := range []string{"saved to", "loaded"} {
			log.Reset()
			m, err := Trained(tc.name, tc.model())
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !strings.Contains(log.String(), want) || m.Out != nil || m.Fitted.Epochs != quickEpochs {
				t.Errorf("%s: log %q, want %q; %d epochs", tc.name, log.String(), want, m.Fitted.Epochs)
			}
		}
	}
	if _, err := Trained("mlp", nil); err == nil || !strings.Contains(err.Error(), "no model") {
		t.Errorf("Trained of a nil model: %v", err)
	}
}
