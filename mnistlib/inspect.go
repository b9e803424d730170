package mnistlib

// Looking inside a trained model, Keras' way: a layer's weights
// (model.get_layer(name).get_weights()) and what every layer gives for some
// images (Model(inputs, [layer.output for layer in model.layers])). Both come
// from the one layer list that builds the model.

import (
	"fmt"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Array is a block of float32 values and its shape, like a NumPy array: the
// last axis varies fastest (a Dense kernel [784, 256] holds input 0's 256
// weights first).
type Array struct {
	Shape []int
	Data  []float32
}

// At returns the value at the given index, one number per axis.
func (a Array) At(index ...int) float32 {
	i := 0
	for axis, v := range index {
		i = i*a.Shape[axis] + v
	}
	return a.Data[i]
}

// Item returns the i-th slice along the first axis: image i of a batch, row i
// of a kernel.
func (a Array) Item(i int) Array {
	n := len(a.Data) / a.Shape[0]
	return Array{Shape: a.Shape[1:], Data: a.Data[i*n : (i+1)*n : (i+1)*n]}
}

// Column returns a[..., j] of a 2-D array: a Dense unit's weights, one per input.
func (a Array) Column(j int) []float32 {
	col := make([]float32, a.Shape[0])
	for i := range col {
		col[i] = a.Data[i*a.Shape[1]+j]
	}
	return col
}

// LayerOutput is what one layer gives for a batch of images.
type LayerOutput struct {
	Name  string // as Summary prints it: "conv2d", "max_pooling2d", ...
	Type  string // "Conv2D", ...
	Value Array  // [N, ...the layer's output shape]
}

// GetWeights returns a layer's weights, kernel then bias, as Keras'
// model.get_layer(name).get_weights(): a Dense layer's kernel is
// [inputs, units], a Conv2D's [height, width, channels, filters]. Layers
// without weights (Dropout, MaxPooling2D, Flatten) return none.
func (m *Model) GetWeights(layer string) ([]Array, error) {
	if err := m.build(); err != nil {
		return nil, fmt.Errorf("get weights of %q: %w", layer, err)
	}
	if _, err := m.layerIndex(layer); err != nil {
		return nil, err
	}
	var ws []Array
	for _, v := range m.layerVariables(layer) {
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("get weights of %q: %w", layer, err)
		}
		data, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("get weights of %q: %w", layer, err)
		}
		ws = append(ws, Array{Shape: t.Shape().Dimensions, Data: data})
	}
	return ws, nil
}

// layerVariables are a layer's trainable variables, kernel then bias, as
// GetWeights and SetWeights take them. GoMLX's layers.Dense keeps its
// variables one scope deeper (/dense/dense/weights) than the Conv2D here
// (/conv2d/weights).
func (m *Model) layerVariables(layer string) []*model.Variable {
	var vs []*model.Variable
	for _, name := range []string{"weights", "biases"} {
		for v := range m.store.IterVariables() {
			if v.Trainable && v.Name() == name && strings.HasPrefix(v.Path(), "/"+layer+"/") {
				vs = append(vs, v)
			}
		}
	}
	return vs
}

// layerIndex finds a layer by its summary name; the error lists the names.
func (m *Model) layerIndex(name string) (int, error) {
	names := m.names
	if m.graphFn != nil {
		names = nil
		for _, row := range m.scopeSummaries() {
			names = append(names, row.Name)
		}
	}
	for i, n := range names {
		if n == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no layer named %q: the model's layers are %s (the names Summary prints)",
		name, strings.Join(names, ", "))
}

// LayerOutputs runs the images x through the model (as for Predict: [N, 784]
// for an MLP, [N, 28, 28, 1] for a CNN, pixels in [0, 1]) and returns every layer's output, in
// order, as Keras' Model(inputs, [layer.output for layer in model.layers])
// would. Dropout is off, as in Predict, and the last layer's output is the ten
// probabilities Predict returns. Each layer is built on its own here, even
// where training fuses a Conv2D with the pooling after it, so that the
// convolution's own feature maps can be seen.
func (m *Model) LayerOutputs(xs *tensors.Tensor) ([]LayerOutput, error) {
	if err := m.build(); err != nil {
		return nil, fmt.Errorf("layer outputs: %w", err)
	}
	if m.graphFn != nil {
		return nil, fmt.Errorf("layer outputs: a model made by FromGraph has no layer list; use GetWeights, or write the model with model.Add lines")
	}
	x, err := m.imageRows(xs)
	if err != nil {
		return nil, fmt.Errorf("layer outputs: %w", err)
	}
	exec, err := model.NewExec(m.backend, m.store, func(scope *model.Scope, in *Node) []*Node {
		return m.eachLayer(scope, in)
	})
	if err != nil {
		return nil, fmt.Errorf("layer outputs: %w", err)
	}
	defer exec.Finalize()
	outs := make([]LayerOutput, len(m.layers))
	for i := range outs {
		outs[i] = LayerOutput{Name: m.names[i], Type: m.layers[i].kerasClass(),
			Value: Array{Shape: append([]int{len(x)}, m.outputs[i]...)}}
	}
	for start := 0; start < len(x); start += evalBatchSize {
		rows, used := evalBatch(start, len(x))
		res, err := callFreeing(exec, m.gatherRows(x, rows))
		if err != nil {
			return nil, fmt.Errorf("layer outputs: %w", err)
		}
		for i, t := range res {
			data, err := tensors.CopyFlatData[float32](t)
			t.FinalizeAll()
			if err != nil {
				return nil, fmt.Errorf("layer outputs: %w", err)
			}
			outs[i].Value.Data = append(outs[i].Value.Data, data[:len(data)/len(rows)*used]...)
		}
	}
	return outs, nil
}

// eachLayer builds the layers one by one on x [batch, 784] and returns each
// one's output.
func (m *Model) eachLayer(scope *model.Scope, x *Node) []*Node {
	x = Reshape(x, append([]int{x.Shape().Dimensions[0]}, m.input...)...)
	outs := make([]*Node, len(m.layers))
	for i, l := range m.layers {
		x = l.build(scope.In("%s", m.names[i]), x)
		outs[i] = x
	}
	return outs
}

// ArrayOf copies a tensor of float32 values (images as the preprocessing
// functions give them, for one) into an Array.
func ArrayOf(t *tensors.Tensor) (Array, error) {
	if t == nil {
		return Array{}, fmt.Errorf("array of: the tensor is nil")
	}
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return Array{}, fmt.Errorf("array of: %w (want float32 values)", err)
	}
	return Array{Shape: t.Shape().Dimensions, Data: data}, nil
}
