package mnistlib

import (
	"bytes"
	"fmt"
	"os/exec"

	"github.com/gomlx/gomlx/core/tensors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// syntheticData makes n noisy "digits" [n, 784] with one-hot labels [n, 10]:
// class c lights up pixel block c.
func syntheticData(n int, seed uint64) (x, y *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 0))
	labels := make(Labels, n)
	pix := make([]float32, n*InputSize)
	for i := range labels {
		labels[i] = uint8(rng.IntN(NumClasses))
		row := pix[i*InputSize : (i+1)*InputSize]
		for j := range row {
			row[j] = 0.1 * rng.Float32()
		}
		for j := int(labels[i]) * 70; j < int(labels[i])*70+70; j++ {
			row[j] += 0.9
		}
	}
	return tensors.FromFlatDataAndDimensions(pix, n, InputSize), ToCategorical(labels, NumClasses)
}

// head returns the first n rows of a float32 tensor.
func head(t *tensors.Tensor, n int) *tensors.Tensor {
	flat := tensors.MustCopyFlatData[float32](t)
	dims := append([]int{n}, t.Shape().Dimensions[1:]...)
	return tensors.FromFlatDataAndDimensions(flat[:len(flat)/t.Shape().Dimensions[0]*n], dims...)
}

func TestSummaryParams(t *testing.T) {
	for _, tc := range []struct {
		cfg   Config
		total string
		want  int
	}{
		{MLPConfig(), "203,530", 200960 + 2570},
		{CNNConfig(), "403,242", 416 + 3136*128 + 128 + 1290},
		{DeepCNNConfig(), "", 416 + 12832 + 1568*128 + 128 + 1290},
	} {
		m, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.NumParams(); got != tc.want {
			t.Errorf("%s: NumParams()=%d, want %d", tc.cfg.Kind, got, tc.want)
		}
		sum := 0
		for _, l := range m.Layers() {
			sum += l.Params
		}
		if sum != tc.want {
			t.Errorf("%s: Layers() params sum to %d, want %d", tc.cfg.Kind, sum, tc.want)
		}
		if s := m.Summary(); !strings.Contains(s, "Total params: "+tc.total) {
			t.Errorf("%s summary:\n%s", tc.cfg.Kind, s)
		}
	}
	m, _ := New(MLPConfig())
	s := m.Summary()
	for _, want := range []string{"dense (Dense)                  (None, 256)               200960", "dense_1 (Dense)                (None, 10)                2570"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestFitDeterministicAndLearns(t *testing.T) {
	x, y := syntheticData(600, 1)
	run := func(cfg Config) (History, string) {
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		m.Out = &out
		h, err := m.Fit(x, y, 2, 50, 0.2)
		if err != nil {
			t.Fatal(err)
		}
		return h, out.String()
	}
	for _, cfg := range []Config{MLPConfig(), CNNConfig()} {
		cfg.Dropout = 0.2 // exercise the dropout RNG too
		h1, out := run(cfg)
		h2, _ := run(cfg)
		if !reflect.DeepEqual(withoutTimes(h1), withoutTimes(h2)) {
			t.Errorf("%s: same seed, different histories:\n%+v\n%+v", cfg.Kind, h1, h2)
		}
		if len(h1.Loss) != 2 || len(h1.ValAccuracy) != 2 {
			t.Fatalf("%s: history %+v", cfg.Kind, h1)
		}
		if h1.ValAccuracy[1] < 0.9 {
			t.Errorf("%s: val accuracy %v after 2 epochs on easy data", cfg.Kind, h1.ValAccuracy)
		}
		if !strings.HasPrefix(out, "Epoch 1/2\n10/10 - ") || !strings.Contains(out, " - val_accuracy: ") {
			t.Errorf("%s: output:\n%s", cfg.Kind, out)
		}
		cfg.Seed++
		h3, _ := run(cfg)
		if reflect.DeepEqual(withoutTimes(h1), withoutTimes(h3)) {
			t.Errorf("%s: different seeds, same history", cfg.Kind)
		}
	}
}

func TestCheckpoint(t *testing.T) {
	x, y := syntheticData(300, 2)
	dir := filepath.Join(t.TempDir(), "mlp")
	m, _ := New(MLPConfig())
	m.Out = nil
	if _, err := m.Fit(x, y, 1, 50, 0.2); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(dir); err != nil { // replacing a checkpoint works
		t.Fatal(err)
	}
	m2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Predict(head(x, 20))
	p2, _ := m2.Predict(head(x, 20))
	if !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(m.History, m2.History) || !reflect.DeepEqual(m.Config, m2.Config) || m.Fitted != m2.Fitted {
		t.Error("loaded model differs from saved one")
	}

	// Resuming: 1 epoch + save/load + 1 epoch == 2 epochs straight.
	m2.Out = nil
	if _, err := m2.Fit(x, y, 1, 50, 0.2); err != nil {
		t.Fatal(err)
	}
	m3, _ := New(MLPConfig())
	m3.Out = nil
	if _, err := m3.Fit(x, y, 2, 50, 0.2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(withoutTimes(m2.History), withoutTimes(m3.History)) {
		t.Errorf("resumed training differs:\n%+v\n%+v", m2.History, m3.History)
	}

	// Errors name the folder.
	missing := filepath.Join(t.TempDir(), "nothing")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing: %v", err)
	}
	corrupt := filepath.Join(t.TempDir(), "corrupt")
	if err := m.Save(corrupt); err != nil {
		t.Fatal(err)
	}
	w := filepath.Join(corrupt, weightsFile)
	data, _ := os.ReadFile(w)
	data[100] ^= 0xff
	_ = os.WriteFile(w, data, 0o644)
	if _, err := Load(corrupt); err == nil || !strings.Contains(err.Error(), corrupt) || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt weights: %v", err)
	}
	_ = os.WriteFile(filepath.Join(corrupt, manifestFile), []byte("{not json"), 0o644)
	if _, err := Load(corrupt); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt manifest: %v", err)
	}
	cnnDir := filepath.Join(t.TempDir(), "cnn")
	c, _ := New(CNNConfig())
	if err := c.Save(cnnDir); err != nil {
		t.Fatal(err)
	}
	if err := m.LoadWeights(cnnDir); err == nil || !strings.Contains(err.Error(), cnnDir) || !strings.Contains(err.Error(), "cnn") {
		t.Errorf("cnn checkpoint into mlp: %v", err)
	}

	// Interrupted Save (between its renames): the last good checkpoint is found in dir.old.
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err != nil {
		t.Errorf("recovery from .old: %v", err)
	}
	// Save refuses to replace a folder that is not a checkpoint.
	other := t.TempDir()
	_ = os.WriteFile(filepath.Join(other, "notes.txt"), []byte("keep me"), 0o644)
	if err := m.Save(other); err == nil {
		t.Error("Save replaced a non-checkpoint folder")
	}
}

// A checkpoint saved by one process predicts the same probabilities when a
// fresh process loads it: the child re-runs this test binary.
func TestCheckpointAcrossProcesses(t *testing.T) {
	_, data := loadReal(t)
	xTest, _ := Normalize(Reshape4D(Images{N: 50, Rows: 28, Cols: 28, Pix: data.Test.Images.Pix[:50*784]}))
	if dir := os.Getenv("MNISTLIB_TEST_LOAD"); dir != "" {
		m, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.Predict(xTest)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("PREDICTIONS %v\n", p)
		return
	}
	x, _ := Normalize(Flatten(Images{N: 2000, Rows: 28, Cols: 28, Pix: data.Train.Images.Pix[:2000*784]}))
	y := ToCategorical(data.Train.Labels[:2000], 10)
	for _, cfg := range []Config{MLPConfig(), CNNConfig()} {
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		m.Out = nil
		if _, err := m.Fit(x, y, 1, 100, 0); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), cfg.Kind)
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		p, _ := m.Predict(xTest)
		if hits := accuracyOf(Argmax(p), data.Test.Labels[:50]); hits < 0.6 {
			t.Errorf("%s: only %.0f%% of 50 test digits right after a short training", cfg.Kind, 100*hits)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointAcrossProcesses$")
		cmd.Env = append(os.Environ(), "MNISTLIB_TEST_LOAD="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: child: %v\n%s", cfg.Kind, err, out)
		}
		if want := fmt.Sprintf("PREDICTIONS %v\n", p); !strings.Contains(string(out), want) {
			t.Errorf("%s: the child process predicted differently", cfg.Kind)
		}
	}
}

func accuracyOf(pred []int, labels Labels) float64 {
	hits := 0
	for i, p := range pred {
		if p == int(labels[i]) {
			hits++
		}
	}
	return float64(hits) / float64(len(pred))
}

// withoutTimes drops the epoch durations, which no two runs share.
func withoutTimes(h History) History {
	h.Seconds, h.FeedSeconds = nil, nil
	return h
}
