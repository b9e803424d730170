package mnistlib

// The arithmetic the tutorial explains, done by hand in plain Go from a
// trained layer's weights: one Dense unit's weighted sum, bias and ReLU;
// softmax; one pixel of a convolution; each layer's parameter count by its
// formula (which each kind of layer writes next to its count, Layer.params).
// Tests check that each equals what the model itself computes.

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// UnitStep is one unit of a Dense layer for one image: Σ w·x, + b, then the
// activation.
type UnitStep struct {
	Unit     int
	Weights  []float32 // the unit's weight for each input (a 28×28 template for the first layer)
	Products []float32 // w·x for each input: what the sum adds up
	Sum      float32   // Σ w·x
	Bias     float32
	Score    float32 // Sum + Bias
	Out      float32 // what the activation passes: ReLU(Score), or Score before a softmax
}

// DenseByHand computes, for the input x (the layer's input for one image),
// each listed unit of the Dense layer named layer.
func DenseByHand(m *Model, layer string, x []float32, units []int) ([]UnitStep, error) {
	d, kernel, bias, err := denseWeights(m, layer)
	if err != nil {
		return nil, err
	}
	return denseByHand(layer, kernel, bias, d.Activation, x, units)
}

// denseByHand is DenseByHand from the layer's weights alone: its kernel
// [inputs, units], its bias [units] and its activation.
func denseByHand(layer string, kernel, bias Array, activation string, x []float32, units []int) ([]UnitStep, error) {
	if len(x) != kernel.Shape[0] {
		return nil, fmt.Errorf("%s by hand: the input has %d values, the layer takes %d", layer, len(x), kernel.Shape[0])
	}
	steps := make([]UnitStep, 0, len(units))
	for _, u := range units {
		if u < 0 || u >= kernel.Shape[1] {
			return nil, fmt.Errorf("%s by hand: unit %d: the layer has units 0 to %d", layer, u, kernel.Shape[1]-1)
		}
		s := UnitStep{Unit: u, Weights: kernel.Column(u), Products: make([]float32, len(x)), Bias: bias.Data[u]}
		for i, w := range s.Weights {
			s.Products[i] = w * x[i]
			s.Sum += s.Products[i]
		}
		s.Score, s.Out = s.Sum+s.Bias, s.Sum+s.Bias
		if activation == "relu" {
			s.Out = max(s.Score, 0)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// denseWeights finds a Dense layer by name and returns it with its kernel
// [inputs, units] and bias [units].
func denseWeights(m *Model, layer string) (Dense, Array, Array, error) {
	ws, err := m.GetWeights(layer)
	if err != nil {
		return Dense{}, Array{}, Array{}, err
	}
	i, _ := m.layerIndex(layer)
	d, ok := m.layers[i].(Dense)
	if !ok || len(ws) != 2 {
		return Dense{}, Array{}, Array{}, fmt.Errorf("%q is a %s, not a Dense layer", layer, m.layers[i].kerasClass())
	}
	return d, ws[0], ws[1], nil
}

// SoftmaxByHand turns scores into probabilities that add up to 1:
// exp(score) / Σ exp(scores), computed after subtracting the largest score
// (the same result, without overflow).
func SoftmaxByHand(scores []float32) []float32 {
	top := math.Inf(-1)
	for _, s := range scores {
		top = math.Max(top, float64(s))
	}
	total, probs := 0.0, make([]float32, len(scores))
	for i, s := range scores {
		e := math.Exp(float64(s) - top)
		probs[i], total = float32(e), total+e
	}
	for i := range probs {
		probs[i] = float32(float64(probs[i]) / total)
	}
	return probs
}

// ConvStep is one output pixel of a Conv2D filter: the 5×5 patch of the
// padded input around it, times the kernel, summed, plus the bias, through
// the activation.
type ConvStep struct {
	Layer            string
	Row, Col, Filter int
	Input            Array // the image the layer sees, [height, width]
	Pad              [2]int
	Patch            Array // [kh, kw]: the padded input under the kernel (0 in the ring)
	Kernel           Array // [kh, kw]
	Products         Array // Patch × Kernel, value by value
	Sum, Bias, Out   float32
	Map              Array // the whole feature map of the filter, [height, width], by the same arithmetic
}

// ConvByHand computes the output at (row, col) of one filter of a Conv2D
// layer with one input channel (the first of every CNN here) for image, the
// layer's input [height, width, 1].
func ConvByHand(m *Model, layer string, image Array, row, col, filter int) (ConvStep, error) {
	ws, err := m.GetWeights(layer)
	if err != nil {
		return ConvStep{}, err
	}
	i, _ := m.layerIndex(layer)
	c, ok := m.layers[i].(Conv2D)
	if !ok {
		return ConvStep{}, fmt.Errorf("%q is a %s, not a Conv2D layer", layer, m.layers[i].kerasClass())
	}
	return convByHand(layer, ws[0], ws[1], c.Activation, image, row, col, filter)
}

// convByHand is ConvByHand from the layer's weights alone: its kernel
// [height, width, channels, filters], its bias [filters] and its activation,
// with 'same' padding (Conv2D's only one).
func convByHand(layer string, kernel, bias Array, activation string, image Array, row, col, filter int) (ConvStep, error) {
	filters := kernel.Shape[3]
	switch {
	case kernel.Shape[2] != 1:
		return ConvStep{}, fmt.Errorf("%s by hand: it takes %d channels; the convolution is drawn by hand for a layer with one input channel (the first Conv2D)", layer, kernel.Shape[2])
	case len(image.Shape) < 2 || len(image.Data) != image.Shape[0]*image.Shape[1]:
		return ConvStep{}, fmt.Errorf("%s by hand: want one image [height, width, 1], got shape %v", layer, image.Shape)
	case row < 0 || col < 0 || row >= image.Shape[0] || col >= image.Shape[1] || filter < 0 || filter >= filters:
		return ConvStep{}, fmt.Errorf("%s by hand: pixel (%d, %d) of filter %d is outside the %d×%d×%d output", layer, row, col, filter, image.Shape[0], image.Shape[1], filters)
	}
	kh, kw := kernel.Shape[0], kernel.Shape[1]
	s := ConvStep{Layer: layer, Row: row, Col: col, Filter: filter, Pad: [2]int{(kh - 1) / 2, (kw - 1) / 2},
		Input: Array{Shape: image.Shape[:2], Data: image.Data}, Bias: bias.Data[filter],
		Kernel: zeros(kh, kw), Map: zeros(image.Shape[0], image.Shape[1])}
	for k := range s.Kernel.Data {
		s.Kernel.Data[k] = kernel.At(k/kw, k%kw, 0, filter)
	}
	for y := range image.Shape[0] {
		for x := range image.Shape[1] {
			patch, products, sum := s.at(y, x)
			out := sum + s.Bias
			if activation == "relu" {
				out = max(out, 0)
			}
			s.Map.Data[y*image.Shape[1]+x] = out
			if y == row && x == col {
				s.Patch, s.Products, s.Sum, s.Out = patch, products, sum, out
			}
		}
	}
	return s, nil
}

// at is the kernel on the patch around (row, col): the patch (0 in the
// 'same' ring), the products and their sum.
func (s ConvStep) at(row, col int) (patch, products Array, sum float32) {
	kh, kw := s.Kernel.Shape[0], s.Kernel.Shape[1]
	patch, products = zeros(kh, kw), zeros(kh, kw)
	for k := range patch.Data {
		y, x := row+k/kw-s.Pad[0], col+k%kw-s.Pad[1]
		if y >= 0 && x >= 0 && y < s.Input.Shape[0] && x < s.Input.Shape[1] {
			patch.Data[k] = s.Input.At(y, x)
		}
		products.Data[k] = patch.Data[k] * s.Kernel.Data[k]
		sum += products.Data[k]
	}
	return patch, products, sum
}

func zeros(dims ...int) Array {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return Array{Shape: dims, Data: make([]float32, n)}
}

// ParamFormula is a layer's parameter count written as its formula.
type ParamFormula struct {
	Name    string // as Summary prints it
	Formula string // "5×5×1×16 + 16", or "" for a layer without weights
	Params  int
}

// ParamFormulas works out each layer's parameters from the layer list alone
// (the summary counts them in the built model's variables):
// a Dense layer has inputs × units weights and one bias per unit, a Conv2D
// height × width × channels × filters weights and one bias per filter.
func (m *Model) ParamFormulas() ([]ParamFormula, error) {
	if err := m.build(); err != nil {
		return nil, fmt.Errorf("parameter formulas: %w", err)
	}
	if m.graphFn != nil {
		return nil, fmt.Errorf("parameter formulas: a model made by FromGraph has no layer list")
	}
	rows := make([]ParamFormula, len(m.layers))
	in := m.input
	for i, l := range m.layers {
		// The count is the one the checkpoint check uses; each kind
		// writes its formula next to it (Layer.params).
		n, formula := l.params(in)
		rows[i] = ParamFormula{Name: m.names[i], Formula: formula, Params: int(n)}
		in = m.outputs[i]
	}
	return rows, nil
}

// TopUnits returns the indices of the n largest values, largest first: the
// units a digit excites most.
func TopUnits(values []float32, n int) []int {
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(values[b], values[a]) })
	return idx[:min(n, len(idx))]
}

// LeastUnits returns the indices of the n smallest values, smallest first:
// units the digit leaves off (ReLU gives them 0).
func LeastUnits(values []float32, n int) []int {
	neg := make([]float32, len(values))
	for i, v := range values {
		neg[i] = -v
	}
	return TopUnits(neg, n)
}

// The four kinds of pooling the tutorial lists, in its order. Keras has the
// first two as layers (MaxPooling2D, the CNN's, and AveragePooling2D).
var poolingKinds = []string{"max", "average", "min", "L2"}

// pool2x2 pools a map [h, w] over 2×2 blocks by kind, as a Keras pooling
// layer with pool_size (2, 2) does: [h/2, w/2], an odd last row or column left out.
func pool2x2(a Array, kind string) Array {
	h, w := a.Shape[0]/2, a.Shape[1]/2
	out := zeros(h, w)
	for r := range h {
		for c := range w {
			out.Data[r*w+c] = poolBlock(block2x2(a, r, c), kind)
		}
	}
	return out
}

// block2x2 is the block of a that pools into pixel (r, c): top left, top
// right, bottom left, bottom right.
func block2x2(a Array, r, c int) [4]float32 {
	return [4]float32{a.At(2*r, 2*c), a.At(2*r, 2*c+1), a.At(2*r+1, 2*c), a.At(2*r+1, 2*c+1)}
}

// poolBlock is what a kind of pooling keeps of one block: its largest value,
// the mean, the smallest, or the L2 norm √(Σ v²) (PyTorch's LPPool2d with
// norm 2; Keras has no L2 pooling layer).
func poolBlock(b [4]float32, kind string) float32 {
	switch kind {
	case "max":
		return max(b[0], b[1], b[2], b[3])
	case "average":
		return (b[0] + b[1] + b[2] + b[3]) / 4
	case "min":
		return min(b[0], b[1], b[2], b[3])
	}
	var squares float64
	for _, v := range b {
		squares += float64(v) * float64(v)
	}
	return float32(math.Sqrt(squares))
}

// channelMap is channel c of one image's feature maps [h, w, channels], as a
// map [h, w].
func channelMap(img Array, c int) Array {
	s := img.Shape
	m := zeros(s[0], s[1])
	for p := range m.Data {
		m.Data[p] = img.Data[p*s[2]+c]
	}
	return m
}
