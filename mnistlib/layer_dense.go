package mnistlib

// Dense, Keras' fully connected layer: each unit weighs every input, adds its
// bias and applies the activation. The models' last layer is Dense(10, softmax).

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gonb-mnist/workbook/internal/checkpoint"
)

// Dense is a fully connected layer: Keras' Dense(units, input_dim, kernel_initializer, activation).
type Dense struct {
	Units             int    `json:"units"`
	InputDim          int    `json:"input_dim,omitempty"`          // first layer only: 784, the flattened image
	KernelInitializer string `json:"kernel_initializer,omitempty"` // "normal" or "glorot_uniform" (the default)
	Activation        string `json:"activation,omitempty"`         // "relu", "softmax", ... or "" (linear)
}

func (Dense) kerasClass() string { return "Dense" }
func (Dense) kerasName() string  { return "dense" }

func (d Dense) input() []int {
	if d.InputDim == 0 {
		return nil
	}
	return []int{d.InputDim}
}

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

// params counts a weight for each input and unit, and a bias for each unit.
func (d Dense) params(in []int) (int64, string) {
	// Each term capped, so that a crafted Units near MaxInt64 is refused as
	// too large at this layer, not overflowed into a negative count.
	n := min(checkpoint.MulCapped(int64(in[0]), int64(d.Units), paramsCap)+min(int64(d.Units), paramsCap), paramsCap)
	return n, fmt.Sprintf("%s×%s + %s", thousands(in[0]), thousands(d.Units), thousands(d.Units))
}

func (d Dense) build(scope *model.Scope, x *Node) *Node {
	return activate(d.Activation, d.linear(scope, x))
}

// linear is the layer without its activation: the model's last layer gives
// logits, and the loss and Predict apply the softmax.
func (d Dense) linear(scope *model.Scope, x *Node) *Node {
	return layers.Dense(scope.WithInitializer(kernelInitializer(scope, d.KernelInitializer)), x, true, d.Units)
}
