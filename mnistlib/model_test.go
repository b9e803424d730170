package mnistlib

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gonb-mnist/workbook/internal/checkpoint"
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
// inputFor lays images x (784 values each, in any layout) out as m takes them:
// [N, 28, 28, 1] for a CNN, [N, 784] for an MLP (Reshape4D or Reshape2D).
func inputFor(m *Model, x *tensors.Tensor) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[float32](x), inputDims(m.Kind(), x.Shape().Dimensions[0])...)
}

func head(t *tensors.Tensor, n int) *tensors.Tensor {
	flat := tensors.MustCopyFlatData[float32](t)
	dims := append([]int{n}, t.Shape().Dimensions[1:]...)
	return tensors.FromFlatDataAndDimensions(flat[:len(flat)/t.Shape().Dimensions[0]*n], dims...)
}

func TestSummaryParams(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model *Model
		total string
		want  int
	}{
		{"mlp", TutorialMLP(), "203,530", 200960 + 2570},
		{"cnn", TutorialCNN(true), "403,242", 416 + 3136*128 + 128 + 1290},
		{"deep-cnn", TutorialDeepCNN(), "", 416 + 14436 + 1764*128 + 128 + 1290},
	} {
		if got := tc.model.NumParams(); got != tc.want {
			t.Errorf("%s: NumParams()=%d, want %d", tc.name, got, tc.want)
		}
		rows, err := tc.model.LayerSummaries()
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, l := range rows {
			sum += l.Params
		}
		if sum != tc.want {
			t.Errorf("%s: the layers' params sum to %d, want %d", tc.name, sum, tc.want)
		}
		if s, _ := tc.model.SummaryString(); !strings.Contains(s, "Total params: "+tc.total) {
			t.Errorf("%s summary:\n%s", tc.name, s)
		}
	}
	s, _ := TutorialMLP().SummaryString()
	for _, want := range []string{"dense (Dense)                  (None, 256)               200960", "dense_1 (Dense)                (None, 10)                2570"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	s, _ = TutorialCNN(true).SummaryString()
	for _, want := range []string{"conv2d (Conv2D)                (None, 28, 28, 16)        416", "max_pooling2d (MaxPooling2D)   (None, 14, 14, 16)        0",
		"flatten (Flatten)              (None, 3136)              0", "dropout (Dropout)              (None, 128)               0"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

// Mistakes in the layer list are reported, naming the layer and the fix.
func TestLayerErrors(t *testing.T) {
	dense := func(units int, act string) Dense { return Dense{Units: units, Activation: act} }
	for _, tc := range []struct {
		name   string
		layers []Layer
		want   string
	}{
		{"empty", nil, "no layers"},
		{"no input", []Layer{dense(10, "softmax")}, "InputDim: 784"},
		{"wrong input", []Layer{Dense{Units: 10, InputDim: 100, Activation: "softmax"}}, "input [100]"},
		{"second input", []Layer{Dense{Units: 5, InputDim: 784}, Dense{Units: 10, InputDim: 5, Activation: "softmax"}}, "only the first layer"},
		{"zero units", []Layer{Dense{Units: 0, InputDim: 784}, dense(10, "softmax")}, "layer 1: Dense: Units must be positive"},
		{"bad activation", []Layer{Dense{Units: 8, InputDim: 784, Activation: "rleu"}, dense(10, "softmax")}, `unknown activation "rleu"`},
		{"bad init", []Layer{Dense{Units: 8, InputDim: 784, KernelInitializer: "zeros"}, dense(10, "softmax")}, `unknown kernel initializer "zeros"`},
		{"NaN dropout", []Layer{Dense{Units: 8, InputDim: 784}, Dropout{Rate: math.NaN()}, dense(10, "softmax")}, "layer 2: Dropout: Rate must be in [0, 1)"},
		{"last layer", []Layer{Dense{Units: 10, InputDim: 784, Activation: "relu"}}, "last layer must be Dense"},
		{"no flatten", []Layer{Conv2D{Filters: 4, KernelSize: [2]int{3, 3}, Padding: "same", InputShape: []int{28, 28, 1}}, dense(10, "softmax")}, "add Flatten{} before it"},
		{"valid padding", []Layer{Conv2D{Filters: 4, KernelSize: [2]int{3, 3}, InputShape: []int{28, 28, 1}}, Flatten{}, dense(10, "softmax")}, `only "same" is supported`},
		{"pool size", []Layer{Conv2D{Filters: 4, KernelSize: [2]int{3, 3}, Padding: "same", InputShape: []int{28, 28, 1}}, MaxPooling2D{PoolSize: [2]int{3, 3}}, Flatten{}, dense(10, "softmax")}, "only {2, 2}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewSequential()
			for _, l := range tc.layers {
				m.Add(l)
			}
			err := m.Summary()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	m := TutorialMLP()
	m.Compile("mse", "adam", "accuracy")
	if _, err := m.SummaryString(); err == nil || !strings.Contains(err.Error(), `loss "mse"`) {
		t.Errorf("compile with mse: %v", err)
	}
	m = TutorialMLP()
	m.LearningRate = math.Inf(1)
	if _, err := m.SummaryString(); err == nil || !strings.Contains(err.Error(), "learning rate") {
		t.Errorf("infinite learning rate: %v", err)
	}
}

func TestFitDeterministicAndLearns(t *testing.T) {
	x, y := syntheticData(600, 1)
	run := func(newModel func() *Model, seed int64) (History, string) {
		m := newModel()
		m.Seed = seed
		var out bytes.Buffer
		m.Out = &out
		h, err := m.Fit(inputFor(m, x), y, FitOptions{Epochs: 2, BatchSize: 50, ValidationSplit: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		return h, out.String()
	}
	for name, newModel := range map[string]func() *Model{"mlp-dropout": TutorialMLPDropout, "cnn": func() *Model { return TutorialCNN(true) }} {
		h1, out := run(newModel, 1)
		h2, _ := run(newModel, 1)
		if !reflect.DeepEqual(withoutTimes(h1), withoutTimes(h2)) {
			t.Errorf("%s: same seed, different histories:\n%+v\n%+v", name, h1, h2)
		}
		if len(h1.Loss) != 2 || len(h1.ValAccuracy) != 2 {
			t.Fatalf("%s: history %+v", name, h1)
		}
		if h1.ValAccuracy[1] < 0.9 {
			t.Errorf("%s: val accuracy %v after 2 epochs on easy data", name, h1.ValAccuracy)
		}
		if !strings.HasPrefix(out, "Epoch 1/2\n10/10 - ") || !strings.Contains(out, " - val_accuracy: ") {
			t.Errorf("%s: output:\n%s", name, out)
		}
		h3, _ := run(newModel, 2)
		if reflect.DeepEqual(withoutTimes(h1), withoutTimes(h3)) {
			t.Errorf("%s: different seeds, same history", name)
		}
	}
}

// A model written as a GoMLX graph function trains through the same Fit.
func TestFromGraph(t *testing.T) {
	x, y := syntheticData(600, 3)
	m := FromGraph(func(scope *model.Scope, x *Node) *Node {
		x = activation.Relu(layers.Dense(scope.In("dense"), x, true, 32))
		return layers.Dense(scope.In("dense_1"), x, true, NumClasses)
	})
	m.Out = nil
	h, err := m.Fit(x, y, FitOptions{Epochs: 2, BatchSize: 50, ValidationSplit: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if h.ValAccuracy[1] < 0.9 {
		t.Errorf("val accuracy %v after 2 epochs on easy data", h.ValAccuracy)
	}
	if n := m.NumParams(); n != 784*32+32+32*10+10 {
		t.Errorf("NumParams() = %d", n)
	}
	s, _ := m.SummaryString()
	if !strings.Contains(s, "dense_1 (scope)") || !strings.Contains(s, "Total params: 25,450") {
		t.Errorf("summary:\n%s", s)
	}
}

func TestCheckpoint(t *testing.T) {
	x, y := syntheticData(300, 2)
	dir := filepath.Join(t.TempDir(), "mlp")
	fit := FitOptions{Epochs: 1, BatchSize: 50, ValidationSplit: 0.2}
	m := TutorialMLP()
	m.Out = nil
	if _, err := m.Fit(x, y, fit); err != nil {
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
	if !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(m.History, m2.History) || !reflect.DeepEqual(m.Layers(), m2.Layers()) || m.Fitted != m2.Fitted {
		t.Error("loaded model differs from saved one")
	}

	// Resuming: 1 epoch + save/load + 1 epoch == 2 epochs straight.
	m2.Out = nil
	if _, err := m2.Fit(x, y, fit); err != nil {
		t.Fatal(err)
	}
	m3 := TutorialMLP()
	m3.Out = nil
	fit.Epochs = 2
	if _, err := m3.Fit(x, y, fit); err != nil {
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
	w := filepath.Join(corrupt, checkpoint.WeightsFile)
	data, _ := os.ReadFile(w)
	data[100] ^= 0xff
	_ = os.WriteFile(w, data, 0o644)
	if _, err := Load(corrupt); err == nil || !strings.Contains(err.Error(), corrupt) || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt weights: %v", err)
	}
	_ = os.WriteFile(filepath.Join(corrupt, checkpoint.ManifestFile), []byte("{not json"), 0o644)
	if _, err := Load(corrupt); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt manifest: %v", err)
	}
	cnnDir := filepath.Join(t.TempDir(), "cnn")
	c := TutorialCNN(true)
	if err := c.Save(cnnDir); err != nil {
		t.Fatal(err)
	}
	if err := m.LoadWeights(cnnDir); err == nil || !strings.Contains(err.Error(), cnnDir) || !strings.Contains(err.Error(), "cnn") {
		t.Errorf("cnn checkpoint into mlp: %v", err)
	}

	// Interrupted Save (between its renames): the last good checkpoint is found in its backup.
	killSwapAt(t, m, dir, "backup")
	if _, err := Load(dir); err != nil {
		t.Errorf("recovery from the backup: %v", err)
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
		p, err := m.Predict(inputFor(m, xTest))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("PREDICTIONS %v\n", p)
		return
	}
	x, _ := Normalize(Reshape2D(Images{N: 2000, Rows: 28, Cols: 28, Pix: data.Train.Images.Pix[:2000*784]}))
	y := ToCategorical(data.Train.Labels[:2000], 10)
	for kind, m := range map[string]*Model{"mlp": TutorialMLP(), "cnn": TutorialCNN(true)} {
		m.Out = nil
		if _, err := m.Fit(inputFor(m, x), y, FitOptions{Epochs: 1, BatchSize: 100}); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), kind)
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		p, _ := m.Predict(inputFor(m, xTest))
		if hits := accuracyOf(Argmax(p), data.Test.Labels[:50]); hits < 0.6 {
			t.Errorf("%s: only %.0f%% of 50 test digits right after a short training", kind, 100*hits)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointAcrossProcesses$")
		cmd.Env = append(os.Environ(), "MNISTLIB_TEST_LOAD="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: child: %v\n%s", kind, err, out)
		}
		if want := fmt.Sprintf("PREDICTIONS %v\n", p); !strings.Contains(string(out), want) {
			t.Errorf("%s: the child process predicted differently", kind)
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

// Bad numbers are errors: a NaN pixel names its row, and a loss that becomes
// NaN stops Fit at its epoch and step, leaving the last good checkpoint.
func TestNonFinite(t *testing.T) {
	x, y := syntheticData(200, 4)
	pix := tensors.MustCopyFlatData[float32](x)
	pix[3*InputSize+100] = float32(math.NaN())
	pix[7*InputSize] = float32(math.Inf(1))
	bad := tensors.FromFlatDataAndDimensions(pix, 200, InputSize)
	m := TutorialMLP()
	m.Out = nil
	if _, err := m.Fit(bad, y, FitOptions{Epochs: 1, BatchSize: 50}); err == nil || !strings.Contains(err.Error(), "2 row(s) hold NaN or infinite values, the first at rows [3 7]") {
		t.Errorf("Fit on a NaN pixel: %v", err)
	}
	if _, err := m.Predict(bad); err == nil || !strings.Contains(err.Error(), "rows [3 7]") {
		t.Errorf("Predict on a NaN pixel: %v", err)
	}

	t.Setenv(EnvCheckpoints, t.TempDir())
	fit := FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"}
	good := TutorialMLP()
	good.Out = nil
	if _, err := good.Fit(x, y, fit); err != nil {
		t.Fatal(err)
	}
	diverging := TutorialMLP()
	diverging.Out, diverging.LearningRate = nil, 1e30
	_, err := diverging.Fit(x, y, fit)
	if err == nil || !strings.Contains(err.Error(), "the loss became") || !strings.Contains(err.Error(), "at epoch 1, step") {
		t.Errorf("diverging training: %v", err)
	}
	kept, err := LoadCheckpoint("mlp")
	if err != nil || kept.LearningRate != 0.001 {
		t.Errorf("the last good checkpoint should stay: %v", err)
	}
}

func TestEvalBatch(t *testing.T) {
	for _, tc := range []struct {
		start, n, size, used int
	}{
		{0, 1, 1, 1},       // the drawing pad's one picture: no padding
		{0, 3, 4, 3},       // next power of two
		{0, 96, 128, 96},   // notebook 10's forms
		{0, 100, 128, 100}, // and its marker digits share that size
		{0, 260, 500, 260}, // capped at evalBatchSize
		{500, 958, 500, 458},
		{0, 10000, 500, 500},
	} {
		rows, used := evalBatch(tc.start, tc.n)
		if len(rows) != tc.size || used != tc.used {
			t.Errorf("evalBatch(%d, %d): %d rows, %d used; want %d, %d", tc.start, tc.n, len(rows), used, tc.size, tc.used)
			continue
		}
		for i, r := range rows {
			if want := tc.start + i; i >= used && r != -1 || i < used && r != want {
				t.Errorf("evalBatch(%d, %d): row %d is %d", tc.start, tc.n, i, r)
			}
		}
	}
}

// Predict, Evaluate, LayerOutputs and Saliency on 7 images (a batch padded to
// 8) give what each image gives alone (a batch of 1, not padded): the padding
// row changes no result, and counts neither as a loss nor as a hit.
func TestPaddedBatches(t *testing.T) {
	m := TutorialCNN(true)
	x, y := syntheticData(7, 3)
	x = inputFor(m, x)
	all, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := m.LayerOutputs(x)
	if err != nil {
		t.Fatal(err)
	}
	sal, err := m.Saliency(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 || len(sal) != 7 || layers[0].Value.Shape[0] != 7 || len(layers[0].Value.Data) != 7*28*28*16 {
		t.Fatalf("got %d predictions, %d saliency maps, layer 0 %v with %d values", len(all), len(sal),
			layers[0].Value.Shape, len(layers[0].Value.Data))
	}
	oneHot, err := rowsOf(y, NumClasses, "y")
	if err != nil {
		t.Fatal(err)
	}
	labels := Argmax(oneHot)
	var lossSum, hits float64
	for i := range 7 {
		one, err := m.Predict(rowOf(x, i))
		if err != nil {
			t.Fatal(err)
		}
		oneSal, err := m.Saliency(rowOf(x, i))
		if err != nil {
			t.Fatal(err)
		}
		for j := range one[0] {
			if d := math.Abs(float64(one[0][j] - all[i][j])); d > 1e-5 {
				t.Errorf("image %d, class %d: %v alone, %v in the batch", i, j, one[0][j], all[i][j])
			}
		}
		for j := range oneSal[0] {
			if d := math.Abs(float64(oneSal[0][j] - sal[i][j])); d > 1e-4 {
				t.Fatalf("image %d, pixel %d: saliency %v alone, %v in the batch", i, j, oneSal[0][j], sal[i][j])
			}
		}
		lossSum -= math.Log(float64(one[0][labels[i]]))
		if Argmax(one)[0] == labels[i] {
			hits++
		}
	}
	loss, acc, err := m.Evaluate(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-lossSum/7) > 1e-4 || math.Abs(acc-hits/7) > 1e-9 {
		t.Errorf("Evaluate: loss %v, accuracy %v; image by image: %v, %v", loss, acc, lossSum/7, hits/7)
	}
}

// rowOf returns image i of x as a batch of one, in x's layout.
func rowOf(x *tensors.Tensor, i int) *tensors.Tensor {
	flat := tensors.MustCopyFlatData[float32](x)
	dims := append([]int{1}, x.Shape().Dimensions[1:]...)
	return tensors.FromFlatDataAndDimensions(flat[i*InputSize:(i+1)*InputSize], dims...)
}

// A model takes its images laid out as its first layer says, as Keras does: a
// CNN (InputShape [28, 28, 1]) refuses flat rows and an MLP (InputDim 784)
// refuses 28×28×1 grids, in every call that takes images, with an error that
// names what the model takes, what it got, and the reshape that fixes it.
func TestInputLayoutRefused(t *testing.T) {
	graph := func() *Model {
		return FromGraph(func(scope *model.Scope, x *Node) *Node {
			return layers.DenseWithBias(scope.In("out"), x, NumClasses)
		})
	}
	images := func(dims ...int) *tensors.Tensor {
		return tensors.FromFlatDataAndDimensions(make([]float32, 2*InputSize), dims...)
	}
	y := ToCategorical(Labels{3, 7}, NumClasses)
	cnnFix := []string{"conv2d", "[N, 28, 28, 1]", "mnistlib.Reshape4D", "x.reshape(N, 28, 28, 1)"}
	mlpFix := []string{"[N, 784]", "mnistlib.Reshape2D", "x.reshape(N, 784)"}
	for _, tc := range []struct {
		name  string
		model func() *Model
		x     *tensors.Tensor
		want  []string
	}{
		{"cnn given flat rows", func() *Model { return TutorialCNN(true) }, images(2, InputSize), append([]string{"[2 784]"}, cnnFix...)},
		{"cnn given 28×28 without the channel", func() *Model { return TutorialCNN(true) }, images(2, 28, 28), append([]string{"[2 28 28]"}, cnnFix...)},
		{"deep cnn given flat rows", TutorialDeepCNN, images(2, InputSize), append([]string{"[2 784]"}, cnnFix...)},
		{"mlp given 28×28×1", TutorialMLP, images(2, 28, 28, 1), append([]string{"[2 28 28 1]", "dense"}, mlpFix...)},
		{"mlp given 28×28", TutorialMLP, images(2, 28, 28), append([]string{"[2 28 28]", "dense"}, mlpFix...)},
		{"graph function given 28×28×1", graph, images(2, 28, 28, 1), append([]string{"[2 28 28 1]", "graph function"}, mlpFix...)},
	} {
		m := tc.model()
		m.Out, m.Progress = nil, nil
		for _, call := range []struct {
			name string
			run  func() error
		}{
			{"Fit", func() error { _, err := m.Fit(tc.x, y, FitOptions{Epochs: 1}); return err }},
			{"Evaluate", func() error { _, _, err := m.Evaluate(tc.x, y); return err }},
			{"Predict", func() error { _, err := m.Predict(tc.x); return err }},
			{"LayerOutputs", func() error { _, err := m.LayerOutputs(tc.x); return err }},
			{"Saliency", func() error { _, err := m.Saliency(tc.x); return err }},
			{"Gradients", func() error { _, _, err := m.Gradients(tc.x, y); return err }},
		} {
			if call.name == "LayerOutputs" && m.graphFn != nil {
				continue // no layer list: refused for that reason
			}
			t.Run(tc.name+"/"+call.name, func(t *testing.T) { assertErrorMentions(t, call.run(), tc.want...) })
		}
		// The layout the model takes is accepted.
		if _, err := m.Predict(inputFor(m, tc.x)); err != nil {
			t.Errorf("%s: Predict on %v: %v", tc.name, inputFor(m, tc.x).Shape().Dimensions, err)
		}
	}
}

func TestModelKind(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model *Model
		want  string
	}{
		{"mlp", TutorialMLP(), KindMLP},
		{"cnn", TutorialCNN(true), KindCNN},
		{"deep cnn", TutorialDeepCNN(), KindCNN},
		{"no layers", NewSequential(), KindMLP},
	} {
		if got := tc.model.Kind(); got != tc.want {
			t.Errorf("%s: Kind() = %q, want %q", tc.name, got, tc.want)
		}
	}
}
