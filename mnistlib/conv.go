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
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
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

// convPool is Conv2D(same) followed by MaxPooling2D(2×2), the CNN's block. It
// pools before adding the bias and applying the activation, which gives the same
// values (max(x)+b = max(x+b), and relu is monotonic) on a tensor 4× smaller:
// fewer passes over the largest activation, forward and backward.
//
// With patches set, x is already cut into the kernel's patches [N, H, W, k²]
// (see gatherPatches), and the convolution is a single matrix product.
func convPool(scope *model.Scope, c Conv2D, x *Node, patches bool) *Node {
	inChannels := x.Shape().Dimensions[3]
	if patches {
		inChannels = 1
	}
	kernel, bias := c.variables(scope, x.Graph(), x.DType(), inChannels)
	if patches {
		d := x.Shape().Dimensions
		x = MatMul(Reshape(x, d[0]*d[1]*d[2], d[3]), Reshape(kernel, d[3], c.Filters))
		x = Reshape(x, d[0], d[1], d[2], c.Filters)
	} else {
		x = Conv2DSame(x, kernel, nil)
	}
	x = Add(MaxPool2x2(x), Reshape(bias, 1, 1, 1, c.Filters))
	return activate(c.Activation, x)
}

// monotonic reports whether an activation keeps order (a ≤ b ⇒ f(a) ≤ f(b)),
// so that pooling before it gives the same result as after.
func monotonic(activation string) bool {
	return activation == "relu" || activation == "" || activation == "linear"
}

// gatherPatches cuts each 28×28 image into its k×k neighbourhoods, zero-padded
// like 'same' padding: element [n, y, x, dy*k+dx] is pixel (y+dy-p, x+dx-p)
// of image n, p = (k-1)/2 -- the order Conv2DSame's im2col uses.
func gatherPatches(x [][]float32, rows []int, k int) *tensors.Tensor {
	p, kk := (k-1)/2, k*k
	t := tensors.FromShape(shapes.Make(dtypes.Float32, len(rows), ImageSize, ImageSize, kk))
	tensors.MustMutableFlatData(t, func(flat []float32) {
		for i, r := range rows {
			img, out := x[r], flat[i*InputSize*kk:(i+1)*InputSize*kk]
			for y := range ImageSize {
				for dy := range k {
					sy := y + dy - p
					if sy < 0 || sy >= ImageSize {
						continue
					}
					for xx := range ImageSize {
						base := (y*ImageSize+xx)*kk + dy*k
						for dx := range k {
							if sx := xx + dx - p; sx >= 0 && sx < ImageSize {
								out[base+dx] = img[sy*ImageSize+sx]
							}
						}
					}
				}
			}
		}
	})
	return t
}
