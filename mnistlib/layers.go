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

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Layer is one model.Add line: Dense, Dropout, Conv2D, MaxPooling2D or Flatten.
type Layer interface {
	// kerasName is the layer's name in model.summary(): "dense", "conv2d", ...
	kerasName() string
	// check says what is wrong with the layer's settings, given the shape it
	// receives (without the batch axis), and returns the shape it gives.
	check(in []int) (out []int, err error)
	// build adds the layer to the graph under its own scope.
	build(scope *model.Scope, x *Node) *Node
}

// Dense is a fully connected layer: Keras' Dense(units, input_dim, kernel_initializer, activation).
type Dense struct {
	Units             int    `json:"units"`
	InputDim          int    `json:"input_dim,omitempty"`          // first layer only: 784, the flattened image
	KernelInitializer string `json:"kernel_initializer,omitempty"` // "normal" or "glorot_uniform" (the default)
	Activation        string `json:"activation,omitempty"`         // "relu", "softmax", ... or "" (linear)
}

// Dropout zeroes a random fraction Rate of its inputs while training: Keras' Dropout(rate).
type Dropout struct {
	Rate float64 `json:"rate"`
}

// Conv2D slides Filters kernels over the image: Keras' Conv2D(filters, kernel_size, padding,
// input_shape, activation). Only padding "same" (the tutorial's) is supported.
type Conv2D struct {
	Filters           int    `json:"filters"`
	KernelSize        [2]int `json:"kernel_size"`
	Padding           string `json:"padding"`
	InputShape        []int  `json:"input_shape,omitempty"` // first layer only: {28, 28, 1}
	Activation        string `json:"activation,omitempty"`
	KernelInitializer string `json:"kernel_initializer,omitempty"`
}

// MaxPooling2D keeps the largest value of every PoolSize block: Keras' MaxPooling2D(pool_size).
// Only (2, 2), the tutorial's, is supported.
type MaxPooling2D struct {
	PoolSize [2]int `json:"pool_size"`
}

// Flatten turns each image's feature maps into one row of numbers: Keras' Flatten().
type Flatten struct{}

func (Dense) kerasName() string        { return "dense" }
func (Dropout) kerasName() string      { return "dropout" }
func (Conv2D) kerasName() string       { return "conv2d" }
func (MaxPooling2D) kerasName() string { return "max_pooling2d" }
func (Flatten) kerasName() string      { return "flatten" }

func (d Dense) check(in []int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("Dense needs a flat input, got %v: add Flatten{} before it", in)
	}
	if d.Units <= 0 {
		return nil, fmt.Errorf("Dense: Units must be positive, got %d", d.Units)
	}
	if err := checkActivation(d.Activation); err != nil {
		return nil, fmt.Errorf("Dense: %w", err)
	}
	return []int{d.Units}, checkInitializer(d.KernelInitializer)
}

func (d Dense) build(scope *model.Scope, x *Node) *Node {
	return activate(d.Activation, d.linear(scope, x))
}

// linear is the layer without its activation: the model's last layer gives
// logits, and the loss and Predict apply the softmax.
func (d Dense) linear(scope *model.Scope, x *Node) *Node {
	return layers.Dense(scope.WithInitializer(kernelInitializer(scope, d.KernelInitializer)), x, true, d.Units)
}

func (d Dropout) check(in []int) ([]int, error) {
	if !(d.Rate >= 0 && d.Rate < 1) { // also refuses NaN
		return nil, fmt.Errorf("Dropout: Rate must be in [0, 1), got %g", d.Rate)
	}
	return in, nil
}

func (d Dropout) build(scope *model.Scope, x *Node) *Node {
	return dropout(scope, x, d.Rate)
}

// dropout is Keras' Dropout while training: each value is kept with
// probability 1-rate and scaled by 1/(1-rate), else zeroed; outside training
// it returns x. GoMLX's layers.Dropout draws a float32 from XLA's
// random-bit generator for every value, which cost 2 s of the deep CNN's
// 11 s/epoch (bench/RESULTS.md). Here the generator gives two 32-bit keys per
// call and step, and each value's bits are a hash of its index and the keys
// (counter-based, as Philox in JAX and PyTorch, with a cheaper mixer): a few
// integer operations that XLA fuses into the layer's own loop.
func dropout(scope *model.Scope, x *Node, rate float64) *Node {
	g := x.Graph()
	if rate <= 0 || !layers.IsDropoutActive(scope, g) {
		return x
	}
	keys := scope.RandomIntN(g, uint64(math.MaxUint32), shapes.Make(dtypes.Uint32, 2))
	bits := IotaFull(g, shapes.Make(dtypes.Uint32, x.Shape().Dimensions...))
	key := func(i int) *Node { return Reshape(Slice(keys, AxisElem(i))) } // a scalar
	bits = mix32(BitwiseXor(mix32(Add(bits, key(0))), key(1)))
	threshold := min(math.Round(rate*(1<<32)), math.MaxUint32) // a rate within 2⁻³³ of 1 would wrap to 0
	keep := GreaterOrEqual(bits, Scalar(g, dtypes.Uint32, uint32(threshold)))
	return Where(keep, MulScalar(x, 1/(1-rate)), ZerosLike(x))
}

// mix32 is the "lowbias32" integer hash (C. Wellons, hash-prospector): every
// input bit changes each output bit with probability close to 1/2.
func mix32(h *Node) *Node {
	g := h.Graph()
	h = BitwiseXor(h, BitwiseShiftRightLogicalScalar(h, 16))
	h = Mul(h, Scalar(g, dtypes.Uint32, uint32(0x7feb352d)))
	h = BitwiseXor(h, BitwiseShiftRightLogicalScalar(h, 15))
	h = Mul(h, Scalar(g, dtypes.Uint32, uint32(0x846ca68b)))
	return BitwiseXor(h, BitwiseShiftRightLogicalScalar(h, 16))
}

func (c Conv2D) check(in []int) ([]int, error) {
	switch {
	case len(in) != 3:
		return nil, fmt.Errorf("Conv2D needs images (height, width, channels), got %v", in)
	case c.Filters <= 0:
		return nil, fmt.Errorf("Conv2D: Filters must be positive, got %d", c.Filters)
	case c.KernelSize[0] <= 0 || c.KernelSize[1] <= 0 || c.KernelSize[0] > in[0] || c.KernelSize[1] > in[1]:
		return nil, fmt.Errorf("Conv2D: KernelSize %v must be positive and fit the %d×%d image", c.KernelSize, in[0], in[1])
	case c.Padding != "same":
		return nil, fmt.Errorf(`Conv2D: Padding %q: only "same" is supported (write Padding: "same", as the tutorial does)`, c.Padding)
	}
	if err := checkActivation(c.Activation); err != nil {
		return nil, fmt.Errorf("Conv2D: %w", err)
	}
	return []int{in[0], in[1], c.Filters}, checkInitializer(c.KernelInitializer)
}

func (c Conv2D) build(scope *model.Scope, x *Node) *Node {
	kernel, bias := c.variables(scope, x.Graph(), x.DType(), x.Shape().Dimensions[3])
	return activate(c.Activation, Conv2DSame(x, kernel, bias))
}

// variables makes the kernel [kh, kw, inChannels, filters] (the layout of
// layers.Convolution's) and the bias [filters].
func (c Conv2D) variables(scope *model.Scope, g *Graph, dtype dtypes.DType, inChannels int) (kernel, bias *Node) {
	scope = scope.WithInitializer(kernelInitializer(scope, c.KernelInitializer))
	k := scope.VariableWithShape("weights", shapes.Make(dtype, c.KernelSize[0], c.KernelSize[1], inChannels, c.Filters))
	b := scope.VariableWithShape("biases", shapes.Make(dtype, c.Filters))
	return k.NodeValue(g), b.NodeValue(g)
}

func (p MaxPooling2D) check(in []int) ([]int, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("MaxPooling2D needs images (height, width, channels), got %v", in)
	}
	if p.PoolSize != [2]int{2, 2} {
		return nil, fmt.Errorf("MaxPooling2D: PoolSize %v: only {2, 2} is supported", p.PoolSize)
	}
	if in[0] < 2 || in[1] < 2 {
		return nil, fmt.Errorf("MaxPooling2D: the %d×%d input is too small to pool", in[0], in[1])
	}
	return []int{in[0] / 2, in[1] / 2, in[2]}, nil
}

func (MaxPooling2D) build(_ *model.Scope, x *Node) *Node { return MaxPool2x2(x) }

func (Flatten) check(in []int) ([]int, error) {
	n := 1
	for _, d := range in {
		n *= d
	}
	return []int{n}, nil
}

func (Flatten) build(_ *model.Scope, x *Node) *Node { return Reshape(x, x.Shape().Dimensions[0], -1) }

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
		if i > 0 && declaredInput(l) != nil {
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
	in := declaredInput(first)
	switch {
	case in == nil:
		return nil, want
	case slices.Equal(in, []int{InputSize}), slices.Equal(in, []int{ImageSize, ImageSize, 1}):
		return in, nil
	}
	return nil, fmt.Errorf("input %v: MNIST images are %d values flat or %d×%d×1: %w", in, InputSize, ImageSize, ImageSize, want)
}

// declaredInput is the input a layer declares, or nil.
func declaredInput(l Layer) []int {
	switch l := l.(type) {
	case Dense:
		if l.InputDim != 0 {
			return []int{l.InputDim}
		}
	case Conv2D:
		return l.InputShape
	}
	return nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
