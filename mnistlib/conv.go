package mnistlib

// Fast convolution and max pooling for the pure-Go backend.
//
// The generic Convolve and MaxPool (reduce-window) ops of the "go" backend are slow on
// a CPU. The two functions here express the same computations with plain graph ops
// (Pad, Slice, Concatenate, Reshape, Dot, ReduceMax) so they run on the backend's fast
// matmul and reductions, and GoMLX's autodiff differentiates them like any other ops.
// Both work on channels-last (NHWC) images, as Keras does.

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
)

// Conv2DSame is a stride-1 2D convolution with 'same' padding, computed as im2col + one matmul.
//
//   - x: [batch, height, width, inChannels]
//   - kernel: [kh, kw, inChannels, filters] (the layout of layers.Convolution's weights)
//   - bias: [filters], or nil.
//
// It returns [batch, height, width, filters], the same as
// layers.Convolution(scope, x).Filters(filters).KernelSize(kh).PadSame().Done().
func Conv2DSame(x, kernel, bias *Node) *Node {
	if x.Rank() != 4 || kernel.Rank() != 4 {
		panic(fmt.Sprintf("Conv2DSame: want x [N,H,W,C] and kernel [kh,kw,C,F], got x %s and kernel %s",
			x.Shape(), kernel.Shape()))
	}
	n, h, w, c := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2], x.Shape().Dimensions[3]
	kh, kw, kc, filters := kernel.Shape().Dimensions[0], kernel.Shape().Dimensions[1],
		kernel.Shape().Dimensions[2], kernel.Shape().Dimensions[3]
	if kc != c {
		panic(fmt.Sprintf("Conv2DSame: x has %d channels but kernel expects %d", c, kc))
	}

	// 'same' padding as in TensorFlow/Keras: the extra row/column (even kernels) goes at the end.
	padTop, padLeft := (kh-1)/2, (kw-1)/2
	padded := Pad(x, ScalarZero(x.Graph(), x.DType()),
		compute.PadAxis{},
		compute.PadAxis{Start: padTop, End: kh - 1 - padTop},
		compute.PadAxis{Start: padLeft, End: kw - 1 - padLeft},
		compute.PadAxis{}, // Pitfall: leaving out the trailing axes breaks Pad's gradient in v0.28.8.
	)

	// im2col: one shifted [N,H,W,C] view per kernel tap, concatenated on the channels
	// axis in (dy, dx, c) order -- the row-major order of the kernel's first 3 axes.
	// (Stacking the taps on a leading axis makes the concatenation cheaper, but the matmul
	// then needs a transpose, and the "go" backend's generic Transpose is ~3× slower still.)
	patches := make([]*Node, 0, kh*kw)
	for dy := range kh {
		for dx := range kw {
			patches = append(patches, Slice(padded, AxisRange(), AxisRange(dy, dy+h), AxisRange(dx, dx+w), AxisRange()))
		}
	}
	cols := patches[0]
	if len(patches) > 1 {
		cols = Concatenate(patches, -1)
	}
	cols = Reshape(cols, n*h*w, kh*kw*c)
	out := MatMul(cols, Reshape(kernel, kh*kw*c, filters))
	if bias != nil {
		out = Add(out, ExpandAxes(bias, 0))
	}
	return Reshape(out, n, h, w, filters)
}

// MaxPool2x2 is a 2×2 max pool with stride 2 ('valid' padding, like Keras' MaxPooling2D()).
// x is [batch, height, width, channels]; an odd last row/column is dropped.
// It reshapes to [N, H/2, 2, W/2, 2, C] and reduces the two window axes, which is much
// faster on the "go" backend than the generic reduce-window op behind graph.MaxPool.
func MaxPool2x2(x *Node) *Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("MaxPool2x2: want x [N,H,W,C], got %s", x.Shape()))
	}
	n, h, w, c := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2], x.Shape().Dimensions[3]
	if h%2 != 0 || w%2 != 0 {
		x = Slice(x, AxisRange(), AxisRange(0, h-h%2), AxisRange(0, w-w%2), AxisRange())
		h, w = h-h%2, w-w%2
	}
	return ReduceMax(Reshape(x, n, h/2, 2, w/2, 2, c), 2, 4)
}
