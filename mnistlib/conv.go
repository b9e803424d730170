package mnistlib

// Convolution and max pooling, written the way bench/RESULTS.md measured
// fastest on each backend. Both work on channels-last (NHWC) images, as Keras
// does, and GoMLX's autodiff differentiates them like any other ops.

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Conv2DSame is a stride-1 2D convolution with 'same' padding:
//
//   - x: [batch, height, width, inChannels]
//   - kernel: [kh, kw, inChannels, filters] (the layout of layers.Convolution's weights)
//   - bias: [filters], or nil.
//
// It returns [batch, height, width, filters], the same as
// layers.Convolution(scope, x).Filters(filters).KernelSize(kh).PadSame().Done(),
// computed as measured fastest (bench/RESULTS.md, per step of the CNN's block):
//
//   - one input channel (the first layer of every CNN here), on either backend:
//     BandedConv2DSame with blocks of up to 4 columns (XLA: 2.4 ms forward against
//     6.9 for XLA's own convolution);
//   - more channels on XLA, odd kernels: XLA's own convolution (4.8 ms against 24–47),
//     with the kernel's gradient as kernelGradient computes it (12 ms against 15);
//   - otherwise BandedConv2DSame with blocks of 1 column (im2col): the "go"
//     backend's generic convolution is slow.
func Conv2DSame(x, kernel, bias *Node) *Node {
	if x.Rank() != 4 || kernel.Rank() != 4 || kernel.Shape().Dimensions[2] != x.Shape().Dimensions[3] {
		panic(fmt.Sprintf("Conv2DSame: want x [N,H,W,C] and kernel [kh,kw,C,F], got x %s and kernel %s",
			x.Shape(), kernel.Shape()))
	}
	var out *Node
	switch w := x.Shape().Dimensions[2]; {
	case x.Shape().Dimensions[3] == 1:
		out = BandedConv2DSame(x, kernel, largestDivisor(w, 4))
	case strings.HasPrefix(x.Graph().Backend().Name(), "xla") && kernel.Shape().Dimensions[0]%2 == 1 &&
		kernel.Shape().Dimensions[1]%2 == 1:
		// (Odd kernels only: GoMLX v0.28.8's gradient of its convolution with
		// respect to the input is wrong for even kernels, which pad unevenly.)
		out = xlaConv2DSame(x, kernel)
	default:
		out = BandedConv2DSame(x, kernel, 1)
	}
	if bias != nil {
		out = Add(out, Reshape(bias, 1, 1, 1, -1))
	}
	return out
}

// xlaConv2DSame is XLA's own convolution (odd kernels), with the kernel's
// gradient computed as kernelGradient does rather than as GoMLX does: XLA's
// convolution runs GoMLX's form 20% slower (bench/RESULTS.md, the deep CNN's
// profile). GoMLX v0.28.8 lets a custom gradient be set on an identity only,
// so one identity on the output catches the output's gradient on its way
// back, and one on the kernel, reached later by the backward pass, returns
// the kernel's gradient from it. The gradient GoMLX builds for the kernel is
// then unused, and XLA drops it when it compiles the graph.
func xlaConv2DSame(x, kernel *Node) *Node {
	kh, kw := kernel.Shape().Dimensions[0], kernel.Shape().Dimensions[1]
	var dOut *Node
	k := IdentityWithCustomGradient(kernel, func(_, _ *Node) *Node { return kernelGradient(x, dOut, kh, kw) })
	out := Convolve(x, k).PadSame().Done()
	return IdentityWithCustomGradient(out, func(_, v *Node) *Node { dOut = v; return v })
}

// kernelGradient is the gradient of a 'same' convolution's (odd) kernel,
// given its input x [N, H, W, C] and the gradient of its output dOut
// [N, H, W, F]: dK[dy, dx, c, f] = Σ x[n, y+dy-p, x+dx-p, c]·dOut[n, y, x, f],
// p the padding. It is one convolution too, with dOut as the input (filters
// as the batch, images as the channels) and x as a window as large as the
// image, whose output has the 16 channels of x, where GoMLX's form has dOut's
// filters (36 in the deep CNN): XLA's CPU kernels tile a small channel count
// better. Its output comes with the offsets reversed.
func kernelGradient(x, dOut *Node, kh, kw int) *Node {
	g := TransposeAllDims(dOut, 3, 1, 2, 0) // [F, H, W, N]
	xs := TransposeAllDims(x, 1, 2, 0, 3)   // [H, W, N, C]
	pad := [][2]int{{(kh - 1) / 2, (kh - 1) / 2}, {(kw - 1) / 2, (kw - 1) / 2}}
	dk := Convolve(g, xs).PaddingPerDim(pad).Done() // [F, kh, kw, C]
	return TransposeAllDims(Reverse(dk, 1, 2), 1, 2, 3, 0)
}

// largestDivisor returns the largest d ≤ limit that divides n.
func largestDivisor(n, limit int) int {
	for d := limit; d > 1; d-- {
		if n%d == 0 {
			return d
		}
	}
	return 1
}

// BandedConv2DSame computes Conv2DSame (without bias) as one matrix product.
// It cuts each output row into blocks of `block` columns (block must divide the
// width). The block's output, for every filter, depends on a window of
// block+kw-1 input columns in each of the kh input rows around it; those
// windows (rounded up to whole blocks) become the rows of one matrix
// A [N·H·W/block, kh·window·C], and the kernel becomes a banded matrix
// B [kh·window·C, block·F] with B[(dy, j, c), (x, f)] = kernel[dy, j-x, c, f]
// where 0 ≤ j-x < kw, else 0.
// Then A·B is the output [N, H, W/block, block·F] = [N, H, W, F].
//
// Block 1 is the classic im2col (A holds each pixel's kh×kw neighbourhood).
// Wider blocks make A smaller (fewer, wider rows overlap less) and the
// product better shaped for a matrix kernel, at the price of the zeros in B:
// with one input channel and a 5×5 kernel, blocks of 4 do 1.6× the arithmetic
// of a direct convolution and run 2.8× faster than XLA's own.
func BandedConv2DSame(x, kernel *Node, block int) *Node {
	d, kd := x.Shape().Dimensions, kernel.Shape().Dimensions
	n, h, w, c := d[0], d[1], d[2], d[3]
	kh, kw, filters := kd[0], kd[1], kd[3]
	if block < 1 || w%block != 0 {
		panic(fmt.Sprintf("BandedConv2DSame: block %d must divide the width %d", block, w))
	}
	// 'same' padding as in TensorFlow/Keras: the extra row/column (even kernels)
	// goes at the end. On the right, more zeros, so that the padded width is a
	// whole number of blocks.
	blocks, shifts := w/block, (block+kw-2)/block+1 // shifts: blocks a window spans
	window, left := shifts*block, (kw-1)/2
	padded := Pad(x, ScalarZero(x.Graph(), x.DType()),
		compute.PadAxis{},
		compute.PadAxis{Start: (kh - 1) / 2, End: kh - 1 - (kh-1)/2},
		compute.PadAxis{Start: left, End: (blocks+shifts-1)*block - w - left},
		compute.PadAxis{}, // Pitfall: leaving out the trailing axes breaks Pad's gradient in v0.28.8.
	)
	// A: the window of the output block b in row y is, for each dy, the input
	// blocks b, b+1, … of row y+dy: slices of the padded rows cut in blocks,
	// concatenated on the last axis in (dy, j, c) order.
	padded = Reshape(padded, n, h+kh-1, blocks+shifts-1, block*c)
	parts := make([]*Node, 0, kh*shifts)
	for dy := range kh {
		for s := range shifts {
			parts = append(parts, Slice(padded, AxisRange(), AxisRange(dy, dy+h), AxisRange(s, s+blocks), AxisRange()))
		}
	}
	a := parts[0]
	if len(parts) > 1 {
		a = Concatenate(parts, -1)
	}
	// B from the kernel: band[dx, j, x] = 1 where j = x+dx, a constant; its
	// product with the kernel puts each tap where the band says.
	g := x.Graph()
	bandShape := shapes.Make(dtypes.Int32, kw, window, block)
	band := ConvertDType(Equal(Iota(g, bandShape, 1), Add(Iota(g, bandShape, 0), Iota(g, bandShape, 2))), x.DType())
	b := Einsum("yxcf,xjb->yjcbf", kernel, band) // [kh, window, C, block, F]
	rows := kh * window * c
	out := MatMul(Reshape(a, n*h*blocks, rows), Reshape(b, rows, block*filters))
	return Reshape(out, n, h, w, filters)
}

// MaxPool2x2 is a 2×2 max pool with stride 2 ('valid' padding, like Keras' MaxPooling2D()).
// x is [batch, height, width, channels]; an odd last row/column is dropped.
// It reshapes to [N, H/2, 2, W/2, 2, C] and reduces the two window axes, which is much
// faster than the generic reduce-window op behind graph.MaxPool on both backends
// (XLA, with its own convolution: 12.1 s per CNN epoch with graph.MaxPool, 4.4 with this).
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
func convPool(scope *model.Scope, c Conv2D, x *Node) *Node {
	kernel, bias := c.variables(scope, x.Graph(), x.DType(), x.Shape().Dimensions[3])
	x = Add(MaxPool2x2(Conv2DSame(x, kernel, nil)), Reshape(bias, 1, 1, 1, c.Filters))
	return activate(c.Activation, x)
}

// monotonic reports whether an activation keeps order (a ≤ b ⇒ f(a) ≤ f(b)),
// so that pooling before it gives the same result as after.
func monotonic(activation string) bool {
	return activation == "relu" || activation == "" || activation == "linear"
}
