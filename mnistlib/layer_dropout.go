package mnistlib

// Dropout, Keras' regularizer: while training, it zeroes a random share of the
// values that pass, so that no unit can count on another; outside training it
// passes everything.

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
)

// Dropout zeroes a random fraction Rate of its inputs while training: Keras' Dropout(rate).
type Dropout struct {
	Rate float64 `json:"rate"`
}

func (Dropout) kerasClass() string { return "Dropout" }
func (Dropout) kerasName() string  { return "dropout" }
func (Dropout) input() []int       { return nil }

func (d Dropout) check(in []int) ([]int, error) {
	if !(d.Rate >= 0 && d.Rate < 1) { // also refuses NaN
		return nil, fmt.Errorf("Dropout: Rate must be in [0, 1), got %g", d.Rate)
	}
	return in, nil
}

func (Dropout) params([]int) (int64, string) { return 0, "" }

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
