package mnistlib

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// smallMLP is the tutorial's MLP with 32 hidden units, trained an epoch on
// 1000 real digits, and 200 real digits with their one-hot labels.
func smallMLP(t *testing.T) (*Model, *tensors.Tensor, *tensors.Tensor, Labels) {
	t.Helper()
	m := NewSequential()
	m.Add(Dense{Units: 32, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
	m.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	trainedBriefly(t, m)
	_, data := loadReal(t)
	x, err := Normalize(Reshape2D(data.Test.Images.Slice(0, 200)))
	if err != nil {
		t.Fatal(err)
	}
	labels := data.Test.Labels[:200]
	return m, x, ToCategorical(labels, NumClasses), labels
}

// maxDiff is the largest |a - b| over two arrays of the same size.
func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func TestLossByHandMatchesGoMLX(t *testing.T) {
	m, x, y, labels := smallMLP(t)
	probs, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	byHand := 0.0
	for i, p := range probs {
		byHand += CrossEntropyByHand(p, int(labels[i]))
	}
	byHand /= float64(len(probs))
	lossGoMLX, _, err := m.Gradients(x, y)
	if err != nil {
		t.Fatal(err)
	}
	lossEvaluate, _, err := m.Evaluate(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(byHand-lossGoMLX) > 1e-5 || math.Abs(byHand-lossEvaluate) > 1e-5 {
		t.Errorf("mean loss by hand %.7f, GoMLX's loss %.7f, Evaluate %.7f", byHand, lossGoMLX, lossEvaluate)
	}
	if byHand < 0.01 {
		t.Errorf("mean loss %.4f: every answer sure and right, nothing was compared", byHand)
	}
}

func TestOutputGradientByHandMatchesAutodiff(t *testing.T) {
	m, x, _, labels := smallMLP(t)
	for _, i := range []int{0, 1, 2} {
		one := head(tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[float32](x)[i*InputSize:], 200-i, InputSize), 1)
		outs, err := m.LayerOutputs(one)
		if err != nil {
			t.Fatal(err)
		}
		label := int(labels[i])
		byHand := OutputGradientByHand(outs[0].Value.Item(0).Data, outs[1].Value.Item(0).Data, label)
		_, grads, err := m.Gradients(one, ToCategorical(Labels{uint8(label)}, NumClasses))
		if err != nil {
			t.Fatal(err)
		}
		auto := grads["dense_1"]
		if len(auto) != 2 || !slices.Equal(auto[0].Shape, []int{32, 10}) || !slices.Equal(auto[1].Shape, []int{10}) {
			t.Fatalf("dense_1's gradients: %d arrays, want kernel [32 10] and bias [10]", len(auto))
		}
		if d := maxDiff(byHand.Kernel.Data, auto[0].Data); d > 1e-5 {
			t.Errorf("digit %d: the kernel's gradient by hand is up to %g away from autodiff", i, d)
		}
		if d := maxDiff(byHand.Bias, auto[1].Data); d > 1e-5 {
			t.Errorf("digit %d: the bias' gradient by hand %v, autodiff %v", i, byHand.Bias, auto[1].Data)
		}
		if maxAbs(auto[0].Data) < 1e-4 {
			t.Errorf("digit %d: the gradient is all but 0: nothing was compared", i)
		}
	}
}

// TestNudgeMatchesAutodiff checks what a gradient is: nudging one weight of
// the first layer by ±ε changes the loss by about ±ε × its gradient; and
// ReLU's gate: a hidden unit at 0 for this digit gets no gradient at all.
func TestNudgeMatchesAutodiff(t *testing.T) {
	m, x, _, labels := smallMLP(t)
	one, label := head(x, 1), int(labels[0])
	_, grads, err := m.Gradients(one, ToCategorical(Labels{uint8(label)}, NumClasses))
	if err != nil {
		t.Fatal(err)
	}
	net, err := CopyNet(m)
	if err != nil {
		t.Fatal(err)
	}
	pixels := tensors.MustCopyFlatData[float32](one)
	hidden, err := m.LayerOutputs(one)
	if err != nil {
		t.Fatal(err)
	}
	kernel, units := grads["dense"][0], 32
	checked := 0
	for u := range units {
		active := hidden[0].Value.Data[u] > 0
		for p := range InputSize {
			g := kernel.Data[p*units+u]
			if !active && g != 0 {
				t.Fatalf("unit %d is 0 after ReLU but pixel %d's weight has gradient %g", u, p, g)
			}
			if !active || pixels[p] < 0.5 || checked >= 5 {
				continue
			}
			w := &net.Layers[0].Kernel.Data[p*units+u]
			const eps = 1e-3
			*w += eps
			up := net.Loss(pixels, label)
			*w -= 2 * eps
			down := net.Loss(pixels, label)
			*w += eps
			if slope := (up - down) / (2 * eps); math.Abs(slope-float64(g)) > 1e-5+1e-3*math.Abs(slope) {
				t.Errorf("unit %d, pixel %d: the loss moves %.7f per unit of weight, autodiff says %.7f", u, p, slope, g)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no active unit with an inked pixel: nothing nudged")
	}
	if got, want := net.Loss(pixels, label), CrossEntropyByHand(mustPredict(t, m, one)[0], label); math.Abs(got-want) > 1e-5 {
		t.Errorf("the net by hand gives loss %.7f, the model %.7f", got, want)
	}
}

func mustPredict(t *testing.T, m *Model, x *tensors.Tensor) [][]float32 {
	t.Helper()
	p, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// weightsOf returns every layer's weights, keyed by layer.
func weightsOf(t *testing.T, m *Model) map[string][]Array {
	t.Helper()
	all := map[string][]Array{}
	for _, layer := range []string{"dense", "dense_1"} {
		ws, err := m.GetWeights(layer)
		if err != nil {
			t.Fatal(err)
		}
		all[layer] = ws
	}
	return all
}

// TestAdamByHandMatchesFit takes two steps of Adam by hand and two steps of
// Fit (one batch each) from the same start: the weights must agree.
func TestAdamByHandMatchesFit(t *testing.T) {
	_, x, y, _ := smallMLP(t)
	newModel := func() *Model {
		m := NewSequential()
		m.Add(Dense{Units: 32, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
		m.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
		m.Out, m.Progress = nil, nil
		return m
	}
	hand, fit := newModel(), newModel()
	adam := NewAdam()
	start := weightsOf(t, hand)
	for step := 1; step <= 2; step++ {
		_, grads, err := hand.Gradients(x, y)
		if err != nil {
			t.Fatal(err)
		}
		ws := weightsOf(t, hand)
		if err := adam.Step(ws, grads); err != nil {
			t.Fatal(err)
		}
		for layer, w := range ws {
			if err := hand.SetWeights(layer, w); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := fit.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 200}); err != nil {
			t.Fatal(err)
		}
		got, want := weightsOf(t, hand), weightsOf(t, fit)
		for layer := range want {
			for k := range want[layer] {
				if d := maxDiff(got[layer][k].Data, want[layer][k].Data); d > 1e-5 {
					t.Errorf("step %d, %s[%d]: Adam by hand is up to %g away from Fit's", step, layer, k, d)
				}
				if moved := maxDiff(want[layer][k].Data, start[layer][k].Data); moved < 0.5e-3 {
					t.Errorf("step %d, %s[%d]: Fit moved the weights by at most %g: nothing was compared", step, layer, k, moved)
				}
			}
		}
	}
}

func TestSetWeights(t *testing.T) {
	m := TutorialMLP()
	ws, err := m.GetWeights("dense_1")
	if err != nil {
		t.Fatal(err)
	}
	ws[1].Data[3] = 42
	if err := m.SetWeights("dense_1", ws); err != nil {
		t.Fatal(err)
	}
	ws[1].Data[3] = 0 // SetWeights copied: this changes nothing
	again, _ := m.GetWeights("dense_1")
	if again[1].Data[3] != 42 {
		t.Errorf("after SetWeights the bias of digit 3 is %g, want 42", again[1].Data[3])
	}
	for _, tc := range []struct {
		layer string
		ws    []Array
		want  string
	}{
		{"dense_1", again[:1], "got 1 arrays, the layer has 2"},
		{"dense_1", []Array{again[0], {Shape: []int{5}, Data: make([]float32, 5)}}, "array 1 has shape [5]"},
		{"dense_7", again, `no layer named "dense_7"`},
	} {
		if err := m.SetWeights(tc.layer, tc.ws); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetWeights(%s): %v, want an error with %q", tc.layer, err, tc.want)
		}
	}
}

func TestOnBatchEnd(t *testing.T) {
	_, data := loadReal(t)
	x, _ := Normalize(Reshape2D(data.Train.Images.Slice(0, 1000)))
	m := NewSequential()
	m.Add(Dense{Units: 32, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
	m.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	m.Out, m.Progress = nil, nil
	var steps []float64
	h, err := m.Fit(x, ToCategorical(data.Train.Labels[:1000], NumClasses), FitOptions{Epochs: 2, BatchSize: 100,
		OnBatchEnd: func(epoch, batch int, loss float64) {
			if want := len(steps)%10 + 1; batch != want || epoch != len(steps)/10+1 {
				t.Errorf("call %d: epoch %d batch %d, want epoch %d batch %d", len(steps), epoch, batch, len(steps)/10+1, want)
			}
			steps = append(steps, loss)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 20 {
		t.Fatalf("OnBatchEnd called %d times, want 20 (2 epochs of 10 batches)", len(steps))
	}
	for e := range 2 {
		mean := 0.0
		for _, l := range steps[e*10 : e*10+10] {
			mean += l / 10
		}
		if math.Abs(mean-h.Loss[e]) > 1e-6 {
			t.Errorf("epoch %d: the batches' mean loss %.6f, the history's %.6f", e+1, mean, h.Loss[e])
		}
	}
}

func TestCountChanges(t *testing.T) {
	before := Array{Shape: []int{5}, Data: []float32{0, 1, 2, 3, 4}}
	after := Array{Shape: []int{5}, Data: []float32{0.001, 1, 2.00095, 3.5, 3.999}}
	if about, unmoved := CountChanges(before, after, 0.001); about != 3 || unmoved != 1 {
		t.Errorf("CountChanges: %d about a step, %d unmoved; want 3 and 1", about, unmoved)
	}
}
