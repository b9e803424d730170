package mnistlib

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// The tutorial's preprocessing, one Keras/NumPy call per function. Each
// returns a GoMLX tensor, the form models take.

// Reshape2D is images.reshape(N, 784).astype(float): one row of 784 pixel
// values (0–255) per image, the input an MLP's Dense layer takes.
func Reshape2D(im Images) *tensors.Tensor {
	return toFloat32(im, im.N, im.Rows*im.Cols)
}

// Reshape4D is images.reshape(N, 28, 28, 1).astype(float): the image kept as
// a grid with one channel, the input a CNN's Conv2D layer takes.
func Reshape4D(im Images) *tensors.Tensor {
	return toFloat32(im, im.N, im.Rows, im.Cols, 1)
}

// toFloat32 makes the float32 copy in one pass over fresh memory: for the
// 60,000 training images that is 188 MB, so every extra pass (such as filling
// the tensor with zeros first) shows in a cell's run time.
func toFloat32(im Images, dims ...int) *tensors.Tensor {
	t := tensors.FromShape(shapes.Make(dtypes.Float32, dims...))
	tensors.MustMutableFlatData(t, func(flat []float32) {
		pix := im.Pix
		flat = flat[:len(pix)] // one bounds check for the loop
		for i, p := range pix {
			flat[i] = float32(p)
		}
	})
	return t
}

// normalizedPixels is Normalize(toFloat32(im, dims...)) in one pass and one
// allocation: each pixel p becomes float32(p)/255, the same float32 that
// Normalize computes, looked up in a table. For the 70,000 images of MNIST it
// takes about 0.11 s where the two steps take about 0.29 s, which Prepare
// pays in every notebook cell that prepares the data.
func normalizedPixels(im Images, dims ...int) *tensors.Tensor {
	t := tensors.FromShape(shapes.Make(dtypes.Float32, dims...))
	tensors.MustMutableFlatData(t, func(flat []float32) {
		pix := im.Pix
		flat = flat[:len(pix)]
		for i, p := range pix {
			flat[i] = pixelUnit[p]
		}
	})
	return t
}

// pixelUnit[p] is float32(p) / 255.
var pixelUnit = func() (t [256]float32) {
	for p := range t {
		t[p] = float32(p) / 255
	}
	return t
}()

// Normalize is x / 255: pixel values from 0–255 to 0–1, the scale that
// training works well with. x must be float32, as Flatten and Reshape4D
// make it.
func Normalize(x *tensors.Tensor) (*tensors.Tensor, error) {
	var out *tensors.Tensor
	err := tensors.ConstFlatData(x, func(flat []float32) {
		out = tensors.FromShape(shapes.Make(dtypes.Float32, x.Shape().Dimensions...))
		tensors.MustMutableFlatData(out, func(o []float32) {
			o = o[:len(flat)]
			for i, v := range flat {
				o[i] = v / 255
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("normalize: %w (want float32 pixels, as Flatten or Reshape4D give)", err)
	}
	return out, nil
}

// ToCategorical is keras.utils.to_categorical: label 3 becomes the one-hot
// row [0 0 0 1 0 0 0 0 0 0], one column per class.
func ToCategorical(labels Labels, numClasses int) *tensors.Tensor {
	t := tensors.FromShape(shapes.Make(dtypes.Float32, len(labels), numClasses)) // all zeros
	tensors.MustMutableFlatData(t, func(flat []float32) {
		for i, l := range labels {
			if int(l) < numClasses {
				flat[i*numClasses+int(l)] = 1
			}
		}
	})
	return t
}

// ValueRange returns the smallest and largest value of a float32 tensor,
// to see what Normalize did.
func ValueRange(x *tensors.Tensor) (lo, hi float32, err error) {
	err = tensors.ConstFlatData(x, func(flat []float32) {
		if len(flat) == 0 {
			return
		}
		lo, hi = flat[0], flat[0]
		for _, v := range flat {
			lo, hi = min(lo, v), max(hi, v)
		}
	})
	return lo, hi, err
}

// Row returns row i of a float32 tensor, as a slice: x[i] in NumPy.
func Row(x *tensors.Tensor, i int) ([]float32, error) {
	dims := x.Shape().Dimensions
	if len(dims) == 0 || i < 0 || i >= dims[0] {
		return nil, fmt.Errorf("row %d: out of range for shape %v", i, dims)
	}
	var row []float32
	err := tensors.ConstFlatData(x, func(flat []float32) {
		n := len(flat) / dims[0]
		row = append(row, flat[i*n:(i+1)*n]...)
	})
	return row, err
}
