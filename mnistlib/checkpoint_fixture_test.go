package mnistlib

// Checkpoints saved by an earlier mnistlib must keep loading, to the same
// layers and the same predictions: testdata/checkpoint-format3 holds two small
// trained models, one of every layer kind between them, with what they gave
// when they were saved. Remake them (after a deliberate change of format) with
//
//	MNISTLIB_WRITE_FIXTURE=1 go test ./mnistlib -run TestCheckpointFixture -count=1

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-mnist/workbook/internal/checkpoint"
)

const fixtureDir = "testdata/checkpoint-format3"

// fixtureModels are the fixture's models, by folder name. The MLP has Dense
// and Dropout; the CNN has Conv2D, MaxPooling2D, Flatten, Dropout and Dense,
// its first Conv2D fused with the pool after it (relu), its second not (tanh).
var fixtureModels = map[string][]Layer{
	"mlp": {
		Dense{Units: 8, InputDim: 784, KernelInitializer: "normal", Activation: "relu"},
		Dropout{Rate: 0.5},
		Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"},
	},
	"cnn": {
		Conv2D{Filters: 4, KernelSize: [2]int{3, 3}, Padding: "same", InputShape: []int{28, 28, 1}, Activation: "relu"},
		MaxPooling2D{PoolSize: [2]int{2, 2}},
		Conv2D{Filters: 4, KernelSize: [2]int{3, 3}, Padding: "same", Activation: "tanh"},
		MaxPooling2D{PoolSize: [2]int{2, 2}},
		Flatten{},
		Dropout{Rate: 0.25},
		Dense{Units: 10, Activation: "softmax"},
	},
}

// fixtureExpect is what a fixture's model gave when it was saved.
type fixtureExpect struct {
	Layers        []LayerSummary
	Formulas      []string
	Params        int
	VariantKey    string
	Probabilities [][]float32 // Predict of fixtureInput
}

// fixtureInput is the images the fixture's predictions were recorded for,
// laid out as m takes them.
func fixtureInput(m *Model) *tensors.Tensor {
	x, _ := syntheticData(3, 31)
	return inputFor(m, x)
}

func TestCheckpointFixture(t *testing.T) {
	if os.Getenv("MNISTLIB_WRITE_FIXTURE") == "1" {
		writeFixture(t)
	}
	var want map[string]fixtureExpect
	data, err := os.ReadFile(filepath.Join(fixtureDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	for name, layers := range fixtureModels {
		t.Run(name, func(t *testing.T) {
			m, err := Load(copyFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			got := observe(t, m)
			w := want[name]
			if !reflect.DeepEqual(m.Layers(), layers) {
				t.Errorf("layers %+v, want %+v", m.Layers(), layers)
			}
			if !reflect.DeepEqual(got.Layers, w.Layers) || !reflect.DeepEqual(got.Formulas, w.Formulas) || got.Params != w.Params {
				t.Errorf("summary %+v %q %d, want %+v %q %d", got.Layers, got.Formulas, got.Params, w.Layers, w.Formulas, w.Params)
			}
			if got.VariantKey != w.VariantKey {
				t.Errorf("variant key %s, want %s: the variants saved beside a checkpoint would no longer be found", got.VariantKey, w.VariantKey)
			}
			for i, row := range w.Probabilities {
				for d, p := range row {
					if q := got.Probabilities[i][d]; math.Abs(float64(q-p)) > 1e-5 {
						t.Errorf("image %d, digit %d: probability %g, saved %g", i, d, q, p)
					}
				}
			}
			// Saved again, it records the same layers under the same class names.
			var saved checkpoint.Manifest
			manJSON, _ := os.ReadFile(filepath.Join(fixtureDir, name, checkpoint.ManifestFile))
			if err := json.Unmarshal(manJSON, &saved); err != nil {
				t.Fatal(err)
			}
			for i, sl := range m.spec().Layers {
				old := saved.Model.Layers[i]
				if sl.ClassName != old.ClassName || string(checkpoint.CanonicalJSON(sl.Config)) != string(checkpoint.CanonicalJSON(old.Config)) {
					t.Errorf("layer %d saves as %s%s, the fixture holds %s%s", i+1, sl.ClassName, sl.Config, old.ClassName, old.Config)
				}
			}
		})
	}
}

// observe records what the fixture checks of a model.
func observe(t *testing.T, m *Model) fixtureExpect {
	t.Helper()
	var e fixtureExpect
	var err error
	if e.Layers, err = m.LayerSummaries(); err != nil {
		t.Fatal(err)
	}
	formulas, err := m.ParamFormulas()
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range formulas {
		if f.Params != e.Layers[i].Params {
			t.Errorf("%s: the formula gives %d parameters, the model has %d", f.Name, f.Params, e.Layers[i].Params)
		}
		e.Formulas = append(e.Formulas, f.Formula)
	}
	e.Params, e.VariantKey = m.NumParams(), variantKey(m.spec(), m.Fitted)
	if e.Probabilities, err = m.Predict(fixtureInput(m)); err != nil {
		t.Fatal(err)
	}
	outs, err := m.LayerOutputs(fixtureInput(m))
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outs {
		if o.Name != e.Layers[i].Name || o.Type != e.Layers[i].Type {
			t.Errorf("layer output %d is %s (%s), the summary says %s (%s)", i, o.Name, o.Type, e.Layers[i].Name, e.Layers[i].Type)
		}
	}
	return e
}

// copyFixture copies a fixture's checkpoint to a temporary folder: loading
// takes a lock file beside the checkpoint, which must not land in testdata.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{checkpoint.ManifestFile, checkpoint.WeightsFile} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writeFixture trains each fixture model for two epochs on 300 synthetic
// digits, at a learning rate high enough for its predictions to be far from
// a uniform 0.1, saves it and records what it gives.
func writeFixture(t *testing.T) {
	x, y := syntheticData(300, 30)
	want := map[string]fixtureExpect{}
	for name, layers := range fixtureModels {
		m := NewSequential()
		for _, l := range layers {
			m.Add(l)
		}
		m.Out, m.Progress, m.LearningRate = nil, nil, 0.01
		if _, err := m.Fit(inputFor(m, x), y, FitOptions{Epochs: 2, BatchSize: 50, ValidationSplit: 0.2}); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(t.TempDir(), name)
		if err := m.Save(tmp); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(fixtureDir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{checkpoint.ManifestFile, checkpoint.WeightsFile} {
			data, err := os.ReadFile(filepath.Join(tmp, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want[name] = observe(t, m)
	}
	data, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fixtureDir, "expected.json"), append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
