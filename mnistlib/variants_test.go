package mnistlib

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// A learner's experiment under a name the workbook uses keeps the workbook's
// model: changing the units and back loads each model again instead of
// training it, LoadCheckpoint loads the one Fit used last, Variants lists
// them all, and no more than maxVariants wait beside the current one.
func TestVariantsKeepEveryModel(t *testing.T) {
	x, y := syntheticData(200, 7)
	t.Setenv(EnvCheckpoints, t.TempDir())
	t.Setenv(EnvQuick, "")
	var log bytes.Buffer
	Messages = &log
	defer func() { Messages = os.Stdout }()
	fit := func(units int) *Model {
		t.Helper()
		log.Reset()
		m := NewSequential()
		m.Add(Dense{Units: units, InputDim: 784, Activation: "relu"})
		m.Add(Dense{Units: 10, Activation: "softmax"})
		m.Out, m.Progress = nil, nil
		if _, err := m.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 100, ValidationSplit: 0.2, Checkpoint: "mlp"}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	currentUnits := func() int {
		t.Helper()
		m, err := LoadCheckpoint("mlp")
		if err != nil {
			t.Fatal(err)
		}
		return m.Layers()[0].(Dense).Units
	}
	for i, step := range []struct {
		units   int
		trains  bool
		waiting int // variants beside the current one afterwards
	}{
		{16, true, 0},
		{32, true, 1},  // the learner's change: 16 waits
		{16, false, 1}, // the workbook's again: loaded, 32 waits
		{32, false, 1}, // and back
		{32, false, 1}, // unchanged: the current one
	} {
		m := fit(step.units)
		trained := strings.Contains(log.String(), "saved to")
		if trained != step.trains {
			t.Errorf("step %d (%d units): trained %v, want %v:\n%s", i, step.units, trained, step.trains, log.String())
		}
		if got := m.NumParams(); got != 784*step.units+step.units+step.units*10+10 {
			t.Errorf("step %d: %d parameters for %d units", i, got, step.units)
		}
		if got := currentUnits(); got != step.units {
			t.Errorf("step %d: LoadCheckpoint gives %d units, want the %d Fit used last", i, got, step.units)
		}
		vs, err := Variants("mlp")
		if err != nil || len(vs) != 1+step.waiting || !vs[0].Current || !strings.Contains(vs[0].Layers, `"units":`) {
			t.Errorf("step %d: Variants: %+v, %v; want the current one and %d more", i, vs, err, step.waiting)
		}
	}
	// Five more experiments: the oldest beyond maxVariants are dropped, and said so.
	dropped := 0
	for units := 40; units < 45; units++ {
		fit(units)
		dropped += strings.Count(log.String(), "dropped the oldest model kept under mlp")
	}
	if vs, _ := Variants("mlp"); len(vs) != 1+maxVariants || dropped != 2 {
		t.Errorf("after 7 models: %d listed, %d dropped; want %d and 2", len(vs), dropped, 1+maxVariants)
	}
	if _, err := Variants("nothing"); err == nil || !strings.Contains(err.Error(), `no checkpoint "nothing" yet`) {
		t.Errorf("Variants of a name never trained: %v", err)
	}
}
