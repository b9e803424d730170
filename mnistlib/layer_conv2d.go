package mnistlib

// Conv2D, Keras' convolution layer: each filter slides a small kernel over
// the image and gives a feature map of the same size ('same' padding). The
// arithmetic is Conv2DSame's (conv.go); where a MaxPooling2D follows, the
// model builds the two together (convPool).

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gonb-mnist/workbook/internal/checkpoint"
)

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

func (Conv2D) kerasClass() string { return "Conv2D" }
func (Conv2D) kerasName() string  { return "conv2d" }
func (c Conv2D) input() []int     { return c.InputShape }

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

// params counts a kernel (height × width × input channels) for each filter,
// and a bias for each filter.
func (c Conv2D) params(in []int) (int64, string) {
	k := checkpoint.MulCapped(int64(c.KernelSize[0])*int64(c.KernelSize[1]), int64(in[2]), paramsCap)
	n := min(checkpoint.MulCapped(k, int64(c.Filters), paramsCap)+int64(c.Filters), paramsCap)
	return n, fmt.Sprintf("%d×%d×%d×%d + %d", c.KernelSize[0], c.KernelSize[1], in[2], c.Filters, c.Filters)
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
