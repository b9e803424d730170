package mnistlib

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
)

// testDigits returns n real test digits as the models take them, [n, 784] in [0, 1].
func testDigits(t *testing.T, n int) *tensors.Tensor {
	t.Helper()
	_, data := loadReal(t)
	x, err := Normalize(Reshape2D(data.Test.Images.Slice(0, n)))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// trainedBriefly is the model after one epoch on 1000 real digits: weights
// that are no longer the random start.
func trainedBriefly(t *testing.T, m *Model) *Model {
	t.Helper()
	_, data := loadReal(t)
	x, _ := Normalize(Reshape2D(data.Train.Images.Slice(0, 1000)))
	m.Out, m.Progress = nil, nil
	if _, err := m.Fit(inputFor(m, x), ToCategorical(data.Train.Labels[:1000], NumClasses), FitOptions{Epochs: 1, BatchSize: 100}); err != nil {
		t.Fatal(err)
	}
	return m
}

func closeTo(a, b float32, tol float64) bool { return math.Abs(float64(a-b)) <= tol }

func TestGetWeights(t *testing.T) {
	cases := []struct {
		model  *Model
		layer  string
		shapes [][]int
	}{
		{TutorialMLP(), "dense", [][]int{{784, 256}, {256}}},
		{TutorialMLP(), "dense_1", [][]int{{256, 10}, {10}}},
		{TutorialMLPDropout(), "dropout", nil},
		{TutorialCNN(true), "conv2d", [][]int{{5, 5, 1, 16}, {16}}},
		{TutorialCNN(true), "max_pooling2d", nil},
		{TutorialCNN(true), "dense", [][]int{{3136, 128}, {128}}},
		{TutorialDeepCNN(), "conv2d_1", [][]int{{5, 5, 16, 36}, {36}}},
		{FromGraph(func(s *model.Scope, x *graph.Node) *graph.Node { return layers.Dense(s.In("dense"), x, true, 10) }), "dense", [][]int{{784, 10}, {10}}},
	}
	for _, c := range cases {
		ws, err := c.model.GetWeights(c.layer)
		if err != nil {
			t.Fatalf("%s: %v", c.layer, err)
		}
		var got [][]int
		for _, w := range ws {
			got = append(got, w.Shape)
			if len(w.Data) != w.Shape[0]*len(w.Data)/w.Shape[0] || len(w.Data) == 0 {
				t.Errorf("%s: %d values for shape %v", c.layer, len(w.Data), w.Shape)
			}
		}
		if !slices.EqualFunc(got, c.shapes, slices.Equal) {
			t.Errorf("%s: shapes %v, want %v", c.layer, got, c.shapes)
		}
	}
	// 'normal' starts the kernel at N(0, 0.05²) and the bias at 0.
	ws, _ := TutorialMLP().GetWeights("dense")
	if sd := stddev(ws[0].Data); sd < 0.045 || sd > 0.055 {
		t.Errorf("the untrained kernel's spread is %.4f, want about 0.05", sd)
	}
	if maxAbs(ws[1].Data) != 0 {
		t.Errorf("the untrained bias is not zero")
	}
}

func TestInspectErrors(t *testing.T) {
	m := TutorialCNN(true)
	if _, err := m.GetWeights("dense_9"); err == nil || !strings.Contains(err.Error(), "conv2d, max_pooling2d, flatten, dense, dropout, dense_1") {
		t.Errorf("unknown layer: %v, want the list of names", err)
	}
	wrong := tensors.FromFlatDataAndDimensions(make([]float32, 2*100), 2, 100)
	if _, err := m.LayerOutputs(wrong); err == nil || !strings.Contains(err.Error(), "conv2d") || !strings.Contains(err.Error(), "[N, 28, 28, 1]") {
		t.Errorf("wrong input: %v, want it to name the first layer and the shape it takes", err)
	}
	if _, err := ConvByHand(m, "dense", Array{Shape: []int{28, 28, 1}, Data: make([]float32, 784)}, 0, 0, 0); err == nil || !strings.Contains(err.Error(), "not a Conv2D") {
		t.Errorf("hand convolution of a Dense layer: %v", err)
	}
	if _, err := DenseByHand(m, "dense", make([]float32, 3136), []int{128}); err == nil || !strings.Contains(err.Error(), "units 0 to 127") {
		t.Errorf("unit out of range: %v", err)
	}
}

// The MLP by hand: the hidden layer's units are Σ w·x + b through ReLU, and
// softmax of the output layer's scores is what Predict returns.
func TestMLPByHandMatchesModel(t *testing.T) {
	m := trainedBriefly(t, TutorialMLP())
	x := testDigits(t, 3)
	outs, err := m.LayerOutputs(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || outs[0].Name != "dense" || !slices.Equal(outs[0].Value.Shape, []int{3, 256}) {
		t.Fatalf("outputs %v", outs)
	}
	probs, _ := m.Predict(x)
	pixels, _ := tensors.CopyFlatData[float32](x)
	for i := range 3 {
		hidden := outs[0].Value.Item(i).Data
		steps, err := DenseByHand(m, "dense", pixels[i*784:(i+1)*784], []int{0, 7, 255})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if !closeTo(s.Out, hidden[s.Unit], 1e-4) {
				t.Errorf("image %d unit %d: by hand %g, model %g", i, s.Unit, s.Out, hidden[s.Unit])
			}
		}
		all := make([]int, 10)
		for u := range all {
			all[u] = u
		}
		scores, _ := DenseByHand(m, "dense_1", hidden, all)
		var logits []float32
		for _, s := range scores {
			logits = append(logits, s.Score)
		}
		for d, p := range SoftmaxByHand(logits) {
			if !closeTo(p, probs[i][d], 1e-5) || !closeTo(outs[1].Value.At(i, d), probs[i][d], 1e-5) {
				t.Errorf("image %d digit %d: softmax by hand %g, last layer %g, Predict %g", i, d, p, outs[1].Value.At(i, d), probs[i][d])
			}
		}
	}
}

// The CNN by hand: one pixel of the convolution (at the edge, where the
// 'same' ring pads, and inside), the pool's 2×2 maxima, and Flatten's order.
func TestCNNByHandMatchesModel(t *testing.T) {
	m := trainedBriefly(t, TutorialCNN(true))
	x := inputFor(m, testDigits(t, 2))
	outs, err := m.LayerOutputs(x)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range outs {
		names = append(names, o.Name+" "+strings.Join(strings.Fields(strings.Trim(fmt.Sprint(o.Value.Shape), "[]")), ","))
	}
	want := []string{"conv2d 2,28,28,16", "max_pooling2d 2,14,14,16", "flatten 2,3136", "dense 2,128", "dropout 2,128", "dense_1 2,10"}
	if !slices.Equal(names, want) {
		t.Fatalf("layers %v, want %v", names, want)
	}
	conv, pool, flat := outs[0].Value, outs[1].Value, outs[2].Value
	pixels, _ := tensors.CopyFlatData[float32](x)
	for i := range 2 {
		img := Array{Shape: []int{28, 28, 1}, Data: pixels[i*784 : (i+1)*784]}
		for _, at := range [][3]int{{0, 0, 3}, {0, 13, 5}, {14, 14, 0}, {27, 27, 15}, {10, 20, 9}} {
			s, err := ConvByHand(m, "conv2d", img, at[0], at[1], at[2])
			if err != nil {
				t.Fatal(err)
			}
			if got := conv.At(i, at[0], at[1], at[2]); !closeTo(s.Out, got, 1e-4) {
				t.Errorf("image %d pixel %v: by hand %g, model %g", i, at, s.Out, got)
			}
			for p, v := range s.Map.Data {
				if got := conv.At(i, p/28, p%28, at[2]); !closeTo(v, got, 1e-4) {
					t.Fatalf("image %d filter %d: the map by hand has %g at (%d, %d), the model %g", i, at[2], v, p/28, p%28, got)
				}
			}
		}
		for y := range 14 {
			for xx := range 14 {
				for c := range 16 {
					top := max(conv.At(i, 2*y, 2*xx, c), conv.At(i, 2*y+1, 2*xx, c), conv.At(i, 2*y, 2*xx+1, c), conv.At(i, 2*y+1, 2*xx+1, c))
					if pool.At(i, y, xx, c) != top {
						t.Fatalf("pool (%d,%d,%d) = %g, want the block's largest %g", y, xx, c, pool.At(i, y, xx, c), top)
					}
					if flat.At(i, (y*14+xx)*16+c) != top {
						t.Fatalf("flatten's order: value %d is not pool (%d,%d,%d)", (y*14+xx)*16+c, y, xx, c)
					}
				}
			}
		}
	}
}

func TestLayerOutputsBackendsAgree(t *testing.T) {
	requireXLA(t)
	x := testDigits(t, 4)
	got := map[string][]LayerOutput{}
	onEachBackend(t, TutorialDeepCNN(), func(backend string, m *Model) {
		var err error
		if got[backend], err = m.LayerOutputs(inputFor(m, x)); err != nil {
			t.Fatal(err)
		}
	})
	for k, o := range got["go"] {
		worst, top := 0.0, maxAbs(o.Value.Data)
		for i, v := range o.Value.Data {
			worst = math.Max(worst, math.Abs(float64(v-got["xla:cpu"][k].Value.Data[i])))
		}
		if top == 0 && o.Type != "Dropout" || worst > 1e-4*math.Max(top, 1) {
			t.Errorf("%s: outputs differ by up to %g (largest %g) between go and xla", o.Name, worst, top)
		}
	}
}

func TestParamFormulas(t *testing.T) {
	for _, m := range []*Model{TutorialMLP(), TutorialCNN(true), TutorialDeepCNN()} {
		rows, err := m.ParamFormulas()
		if err != nil {
			t.Fatal(err)
		}
		summary, _ := m.LayerSummaries()
		for i, r := range rows {
			if r.Params != summary[i].Params {
				t.Errorf("%s: formula %q gives %d, summary %d", r.Name, r.Formula, r.Params, summary[i].Params)
			}
		}
	}
	rows, _ := TutorialCNN(true).ParamFormulas()
	if rows[0].Formula != "5×5×1×16 + 16" || rows[3].Formula != "3,136×128 + 128" || rows[3].Params != 401536 {
		t.Errorf("CNN formulas %+v", rows)
	}
}

func stddev(v []float32) float64 {
	var s, s2 float64
	for _, x := range v {
		s += float64(x)
		s2 += float64(x) * float64(x)
	}
	n := float64(len(v))
	return math.Sqrt(s2/n - (s/n)*(s/n))
}
