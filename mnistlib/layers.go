package mnistlib

// The layers of a Keras Sequential model, as plain data: each type's fields are
// the keyword arguments of the tutorial's model.add(...) lines, so
//
//	model.add(Dense(units=256, input_dim=784, kernel_initializer='normal', activation='relu'))
//
// becomes
//
//	model.Add(mnistlib.Dense{Units: 256, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
//
// A model's list of layers is the one description of its architecture: it builds
// the graph (on GoMLX's ml/layers, activation and initializer packages), and it is
// what a checkpoint records.
//
// A new kind of layer takes three steps: a file layer_KIND.go with its settings
// and the Layer methods below (its Keras class name, its check of the shape it
// receives, its parameter count and formula, its graph); one entry in layerKinds
// below, where a checkpoint's class names are looked up; and a row in
// TestLayerKinds (layers_test.go). Its arithmetic by hand, if a notebook shows
// it, goes in byhand.go, the file ShowCode puts on the page.

import (
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gonb-mnist/workbook/internal/checkpoint"
)

// Layer is one model.Add line: Dense, Dropout, Conv2D, MaxPooling2D or Flatten.
// Each kind is a struct of its Keras settings in a file of its own
// (layer_dense.go, layer_dropout.go, layer_conv2d.go, layer_maxpooling2d.go,
// layer_flatten.go) with the methods below, and is listed in layerKinds.
type Layer interface {
	// kerasClass is the kind's Keras class name, "Dense": Summary prints it as
	// the layer's type, and a checkpoint records it, so it must not change
	// (TestCheckpointFixture loads checkpoints saved before).
	kerasClass() string
	// kerasName is the layer's name in model.summary(): "dense", "conv2d", ...
	kerasName() string
	// input is the shape the layer says comes in (without the batch axis), or
	// nil: only a first layer says it (Dense's InputDim, Conv2D's InputShape).
	input() []int
	// check says what is wrong with the layer's settings, given the shape it
	// receives (without the batch axis), and returns the shape it gives.
	check(in []int) (out []int, err error)
	// params is the number of trainable parameters, given the shape the layer
	// receives (checked), and the formula that gives it: "784×256 + 256", or ""
	// for a layer without weights. The number stops at paramsCap.
	params(in []int) (n int64, formula string)
	// build adds the layer to the graph under its own scope.
	build(scope *model.Scope, x *Node) *Node
}

// layerKinds holds an empty layer of each kind: a checkpoint's class names are
// looked up here (newLayer).
var layerKinds = []Layer{Dense{}, Dropout{}, Conv2D{}, MaxPooling2D{}, Flatten{}}

// newLayer makes an empty layer of a Keras class name, as a pointer
// (*Dense, ...) for json.Unmarshal to fill.
func newLayer(class string) (any, bool) {
	for _, kind := range layerKinds {
		if kind.kerasClass() == class {
			return reflect.New(reflect.TypeOf(kind)).Interface(), true
		}
	}
	return nil, false
}

// paramsCap is where Layer.params stops counting, just above the most
// parameters a checkpoint may hold (checkpoint.MaxParams), so that no product of a
// crafted checkpoint's sizes overflows.
const paramsCap = checkpoint.MaxParams + 1

// What the kinds share: activations and kernel initializers by their Keras
// names.

// activate applies an activation by its Keras name.
func activate(name string, x *Node) *Node {
	switch name {
	case "", "linear":
		return x
	case "softmax":
		return Softmax(x)
	}
	return activation.Apply(activation.FromName(name), x)
}

func checkActivation(name string) error {
	if name == "" || name == "linear" || name == "softmax" {
		return nil
	}
	if _, err := activation.TypeString(name); err != nil {
		return fmt.Errorf("unknown activation %q: use \"relu\", \"softmax\", \"sigmoid\", \"tanh\" or \"\" (linear)", name)
	}
	return nil
}

// Kernel initializers, by their Keras names.
const (
	InitNormal        = "normal"         // Keras' 'normal': N(0, 0.05²)
	InitGlorotUniform = "glorot_uniform" // Keras' default for Dense and Conv2D
)

func checkInitializer(name string) error {
	if name != "" && name != InitNormal && name != InitGlorotUniform {
		return fmt.Errorf("unknown kernel initializer %q: use %q or %q", name, InitNormal, InitGlorotUniform)
	}
	return nil
}

// kernelInitializer returns GoMLX's initializer for a Keras name. Biases (rank ≤ 1)
// start at zero, as in Keras: GoMLX's RandomNormalFn would draw them too.
func kernelInitializer(scope *model.Scope, name string) model.VariableInitializer {
	if name != InitNormal {
		return initializer.GlorotUniformFn(scope)
	}
	normal := initializer.RandomNormalFn(scope, 0.05)
	return func(g *Graph, shape shapes.Shape) *Node {
		if shape.Rank() <= 1 {
			return Zeros(g, shape)
		}
		return normal(g, shape)
	}
}

// checkLayers walks the layer list as Keras' model.build would: the first
// layer names the input, every layer must accept what the one before gives,
// and the last must be Dense(10, softmax). It returns each layer's output shape.
func checkLayers(ls []Layer) (input []int, outs [][]int, err error) {
	if len(ls) == 0 {
		return nil, nil, fmt.Errorf("the model has no layers: add some with model.Add")
	}
	if input, err = inputShape(ls[0]); err != nil {
		return nil, nil, err
	}
	shape := input
	for i, l := range ls {
		if i > 0 && l.input() != nil {
			return nil, nil, fmt.Errorf("layer %d (%T): only the first layer says what comes in (InputDim or InputShape)", i+1, l)
		}
		if shape, err = l.check(shape); err != nil {
			return nil, nil, fmt.Errorf("layer %d: %w", i+1, err)
		}
		outs = append(outs, shape)
	}
	if last, ok := ls[len(ls)-1].(Dense); !ok || last.Units != NumClasses || last.Activation != "softmax" {
		return nil, nil, fmt.Errorf(`the last layer must be Dense{Units: %d, Activation: "softmax"}: the model answers ten probabilities, one per digit`, NumClasses)
	}
	return input, outs, nil
}

// inputShape is what the first layer says comes in: a flat 784 (Dense's
// InputDim) or a 28×28×1 image (Conv2D's InputShape).
func inputShape(first Layer) ([]int, error) {
	want := fmt.Errorf("the first layer says what comes in: Dense{..., InputDim: %d} or Conv2D{..., InputShape: []int{%d, %d, 1}}, as in Keras", InputSize, ImageSize, ImageSize)
	in := first.input()
	switch {
	case in == nil:
		return nil, want
	case slices.Equal(in, []int{InputSize}), slices.Equal(in, []int{ImageSize, ImageSize, 1}):
		return in, nil
	}
	return nil, fmt.Errorf("input %v: MNIST images are %d values flat or %d×%d×1: %w", in, InputSize, ImageSize, ImageSize, want)
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
