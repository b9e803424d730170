package mnistlib

// How a network learns, done by hand in plain Go beside GoMLX's own numbers:
// the loss of one digit, the output layer's gradient, a weight nudged to see
// its slope, a step of gradient descent and a step of Adam. Notebook 04b
// prints each next to what GoMLX computes (automatic differentiation, the
// optimizer Fit uses), and the tests check that they agree.

import (
	"fmt"
	"math"
	"slices"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// CrossEntropyByHand is categorical cross-entropy for one digit: −log of the
// probability the model gives the true digit. 0 for a sure right answer, large
// for a sure wrong one.
func CrossEntropyByHand(probs []float32, label int) float64 {
	return max(0, -math.Log(float64(probs[label]))) // 0, not -0, for p = 1
}

// Gradients returns the mean categorical cross-entropy of the model on (x, y)
// and its gradient with respect to every layer's weights, computed by GoMLX's
// automatic differentiation: Keras' tf.GradientTape, tape.gradient(loss,
// model.trainable_weights). The gradients are keyed by layer name, kernel then
// bias as GetWeights returns them. The loss is GoMLX's
// loss.CategoricalCrossEntropyLogits, the one Fit trains with; Dropout is off,
// as in Evaluate. x and y are as for Fit.
func (m *Model) Gradients(xs, ys *tensors.Tensor) (float64, map[string][]Array, error) {
	if err := m.build(); err != nil {
		return 0, nil, fmt.Errorf("gradients: %w", err)
	}
	x, y, err := m.rowsXY(xs, ys)
	if err != nil {
		return 0, nil, fmt.Errorf("gradients: %w", err)
	}
	if m.gradExec == nil {
		if m.gradExec, err = model.NewExec(m.backend, m.store, m.lossAndGradients); err != nil {
			return 0, nil, fmt.Errorf("gradients: %w", err)
		}
	}
	rows := span(0, len(x))
	out, err := callFreeing(m.gradExec, m.gatherRows(x, rows), m.gatherRows(y, rows))
	if err != nil {
		return 0, nil, fmt.Errorf("gradients: %w", err)
	}
	lossValue := scalar(out[0])
	grads := map[string][]Array{}
	for i, t := range out[1:] {
		g, err := ArrayOf(t)
		t.FinalizeAll()
		if err != nil {
			return 0, nil, fmt.Errorf("gradients: %w", err)
		}
		v := m.gradVars[i]
		if grads[v.layer] == nil {
			grads[v.layer] = make([]Array, 2)
		}
		grads[v.layer][v.index] = g
	}
	for layer, g := range grads { // a layer without a bias
		grads[layer] = slices.DeleteFunc(g, func(a Array) bool { return a.Shape == nil })
	}
	return lossValue, grads, nil
}

// gradVar says which layer's weights a gradient belongs to: index 0 for the
// kernel, 1 for the bias.
type gradVar struct {
	layer string
	index int
}

// lossAndGradients is the graph of Gradients: the loss on (x, y), then its
// gradient for each trainable variable, in the store's order (recorded in
// m.gradVars).
func (m *Model) lossAndGradients(scope *model.Scope, x, y *Node) []*Node {
	theLoss := loss.CategoricalCrossEntropyLogits([]*Node{y}, []*Node{m.logits(scope, x)})
	m.gradVars = nil
	for v := range scope.IterVariables() {
		if v.Trainable && v.InUseByGraph(x.Graph()) {
			layer, _, _ := strings.Cut(strings.TrimPrefix(v.Path(), "/"), "/")
			index := 0
			if v.Name() == "biases" {
				index = 1
			}
			m.gradVars = append(m.gradVars, gradVar{layer, index})
		}
	}
	return append([]*Node{theLoss}, scope.BuildTrainableVariablesGradientsGraph(theLoss)...)
}

// SetWeights sets a layer's weights, kernel then bias, as Keras'
// model.get_layer(name).set_weights(ws): each of the shape GetWeights gives.
func (m *Model) SetWeights(layer string, ws []Array) error {
	if err := m.build(); err != nil {
		return fmt.Errorf("set weights of %q: %w", layer, err)
	}
	if _, err := m.layerIndex(layer); err != nil {
		return fmt.Errorf("set weights of %q: %w", layer, err)
	}
	vs := m.layerVariables(layer)
	if len(ws) != len(vs) {
		return fmt.Errorf("set weights of %q: got %d arrays, the layer has %d (kernel, then bias)", layer, len(ws), len(vs))
	}
	for i, w := range ws { // every shape checked before any value changes
		if want := vs[i].Shape().Dimensions; !slices.Equal(w.Shape, want) || len(w.Data) != vs[i].Shape().Size() {
			return fmt.Errorf("set weights of %q: array %d has shape %v (%d values), the layer's is %v", layer, i, w.Shape, len(w.Data), want)
		}
	}
	for i, v := range vs {
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(slices.Clone(ws[i].Data), ws[i].Shape...)); err != nil {
			return fmt.Errorf("set weights of %q: %w", layer, err)
		}
	}
	return nil
}

// OutputGradient is the gradient of one digit's loss with respect to the
// output layer, by hand. Softmax and cross-entropy together give, for the
// ten scores, Error = probabilities − one-hot label; each weight from hidden
// unit j to digit k then gets Hidden[j] × Error[k], each bias Error[k].
type OutputGradient struct {
	Hidden []float32 // what the output layer takes: the hidden layer's values
	Probs  []float32
	Label  int
	Error  []float32 // ∂loss/∂score: Probs − one-hot(Label)
	Kernel Array     // ∂loss/∂W, [hidden, 10]
	Bias   []float32 // ∂loss/∂b = Error
}

// OutputGradientByHand works out the output layer's gradient for one digit
// from the hidden values it took, the probabilities it gave and the label.
func OutputGradientByHand(hidden, probs []float32, label int) OutputGradient {
	g := OutputGradient{Hidden: hidden, Probs: probs, Label: label, Error: slices.Clone(probs)}
	g.Error[label]--
	g.Kernel = zeros(len(hidden), len(probs))
	for j, h := range hidden {
		for k, e := range g.Error {
			g.Kernel.Data[j*len(probs)+k] = h * e
		}
	}
	g.Bias = g.Error
	return g
}

// LargestDifference is the largest |a − b| over two arrays of the same
// shape (NaN when their sizes differ): how far a hand computation is from
// GoMLX's.
func LargestDifference(a, b Array) float64 {
	if len(a.Data) != len(b.Data) {
		return math.NaN()
	}
	d := 0.0
	for i := range a.Data {
		d = math.Max(d, math.Abs(float64(a.Data[i])-float64(b.Data[i])))
	}
	return d
}

// CountChanges compares two arrays of the same weights, before and after a
// step: how many moved by step ± 10% (Adam's first step moves each weight
// that has a gradient by about its learning rate) and how many did not move.
func CountChanges(before, after Array, step float64) (aboutStep, unmoved int) {
	for i := range min(len(before.Data), len(after.Data)) {
		switch change := math.Abs(float64(after.Data[i] - before.Data[i])); {
		case change == 0:
			unmoved++
		case change > 0.9*step && change < 1.1*step:
			aboutStep++
		}
	}
	return aboutStep, unmoved
}

// NetByHand is a model of Dense layers (an MLP; Dropout is off, as in
// Predict) copied into plain Go, to run it and nudge its weights by hand.
type NetByHand struct {
	Layers []LayerByHand
}

// LayerByHand is one Dense layer: kernel [inputs, units], bias [units].
type LayerByHand struct {
	Name, Activation string
	Kernel, Bias     Array
}

// CopyNet copies the Dense layers of a model made of Dense and Dropout lines.
func CopyNet(m *Model) (NetByHand, error) {
	if err := m.build(); err != nil {
		return NetByHand{}, fmt.Errorf("copy net: %w", err)
	}
	var n NetByHand
	for i, l := range m.layers {
		switch l := l.(type) {
		case Dense:
			ws, err := m.GetWeights(m.names[i])
			if err != nil {
				return NetByHand{}, fmt.Errorf("copy net: %w", err)
			}
			n.Layers = append(n.Layers, LayerByHand{Name: m.names[i], Activation: l.Activation, Kernel: ws[0], Bias: ws[1]})
		case Dropout:
		default:
			return NetByHand{}, fmt.Errorf("copy net: layer %s is a %s: only Dense and Dropout layers are run by hand", m.names[i], l.kerasClass())
		}
	}
	if len(n.Layers) == 0 {
		return NetByHand{}, fmt.Errorf("copy net: the model has no layers (a model made by FromGraph has no layer list)")
	}
	return n, nil
}

// Probs runs the net on one image's values in float64: each layer's Σ w·x + b
// and its activation, softmax at the end.
func (n NetByHand) Probs(x []float32) []float64 {
	in := make([]float64, len(x))
	for i, v := range x {
		in[i] = float64(v)
	}
	for _, l := range n.Layers {
		units := l.Kernel.Shape[1]
		out := make([]float64, units)
		for u := range out {
			out[u] = float64(l.Bias.Data[u])
		}
		for i, v := range in {
			if v == 0 {
				continue // most pixels are 0
			}
			row := l.Kernel.Data[i*units : (i+1)*units]
			for u, w := range row {
				out[u] += v * float64(w)
			}
		}
		if l.Activation == "relu" {
			for u := range out {
				out[u] = max(out[u], 0)
			}
		}
		in = out
	}
	return softmax64(in)
}

// Loss is the categorical cross-entropy of one image: −log Probs(x)[label].
func (n NetByHand) Loss(x []float32, label int) float64 {
	return -math.Log(n.Probs(x)[label])
}

func softmax64(scores []float64) []float64 {
	top := slices.Max(scores)
	total, probs := 0.0, make([]float64, len(scores))
	for i, s := range scores {
		probs[i] = math.Exp(s - top)
		total += probs[i]
	}
	for i := range probs {
		probs[i] /= total
	}
	return probs
}

// Adam is the optimizer Keras' "adam" names (Kingma and Ba, 2015), written
// out. For each weight w with gradient g, at step t = 1, 2, ...:
//
//	m ← β1·m + (1−β1)·g        a running mean of the gradient (first moment)
//	v ← β2·v + (1−β2)·g²       a running mean of its square (second moment)
//	m̂ = m / (1−β1^t)          both start at 0: this corrects the bias
//	v̂ = v / (1−β2^t)
//	w ← w − η·m̂ / (√v̂ + ε)
//
// Each weight's step is about η in size, whatever the size of its gradient:
// the gradient gives the direction, the running means the confidence.
type Adam struct {
	LearningRate, Beta1, Beta2, Epsilon float64

	t    int
	m, v map[string][]Array // by layer, as the weights
}

// NewAdam is Adam with Keras' defaults, which Fit uses too: η = 0.001,
// β1 = 0.9, β2 = 0.999, ε = 1e-7.
func NewAdam() *Adam {
	return &Adam{LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Step counts one step and updates each layer's weights in place from its
// gradients (both keyed by layer, kernel then bias, as GetWeights and
// Gradients give them).
func (a *Adam) Step(weights, grads map[string][]Array) error {
	if a.m == nil {
		a.m, a.v = map[string][]Array{}, map[string][]Array{}
	}
	a.t++
	correct1 := 1 - math.Pow(a.Beta1, float64(a.t))
	correct2 := 1 - math.Pow(a.Beta2, float64(a.t))
	for layer, ws := range weights {
		gs := grads[layer]
		if len(gs) != len(ws) {
			return fmt.Errorf("adam: layer %s has %d weight arrays but %d gradients", layer, len(ws), len(gs))
		}
		if a.m[layer] == nil {
			for _, w := range ws {
				a.m[layer] = append(a.m[layer], zeros(w.Shape...))
				a.v[layer] = append(a.v[layer], zeros(w.Shape...))
			}
		}
		for k, w := range ws {
			m, v, g := a.m[layer][k].Data, a.v[layer][k].Data, gs[k].Data
			if len(g) != len(w.Data) || len(m) != len(w.Data) {
				return fmt.Errorf("adam: layer %s array %d: %d weights, %d gradients", layer, k, len(w.Data), len(g))
			}
			for i := range w.Data {
				gi := float64(g[i])
				m[i] = float32(a.Beta1*float64(m[i]) + (1-a.Beta1)*gi)
				v[i] = float32(a.Beta2*float64(v[i]) + (1-a.Beta2)*gi*gi)
				mHat, vHat := float64(m[i])/correct1, float64(v[i])/correct2
				w.Data[i] -= float32(a.LearningRate * mHat / (math.Sqrt(vHat) + a.Epsilon))
			}
		}
	}
	return nil
}
