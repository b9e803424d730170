package mnistlib

import (
	"fmt"
	"strings"
)

// Image geometry and number of classes of MNIST.
const (
	ImageSize  = 28
	InputSize  = ImageSize * ImageSize
	NumClasses = 10
)

// Data is MNIST as Keras' mnist.load_data() returns it:
// (train_image, train_label), (test_image, test_label).
type Data struct {
	Train, Test Subset
	// ClassNames says what each label means ("0"–"9" for MNIST).
	ClassNames []string
	// Source says where the files were read from, for the reader to see.
	Source string
}

// Subset is one part of the data set (training or test): images and their labels.
type Subset struct {
	Images Images
	Labels Labels
}

// Images holds N grayscale images of Rows×Cols pixels, row-major, one byte
// per pixel (0 = black background, 255 = white ink), like a NumPy uint8 array
// of shape (N, Rows, Cols).
type Images struct {
	N, Rows, Cols int
	Pix           []uint8
}

// Labels holds one digit class (0–9) per image.
type Labels []uint8

// Shape is an array shape, printed the way NumPy prints .shape.
type Shape []int

// String formats the shape as a Python tuple: (60000, 28, 28) or (60000,).
func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Shape is (N, Rows, Cols), like train_image.shape.
func (im Images) Shape() Shape { return Shape{im.N, im.Rows, im.Cols} }

// Shape is (N,), like train_label.shape.
func (l Labels) Shape() Shape { return Shape{len(l)} }

// Digit returns image i (like train_image[i]). It shares memory with im.
func (im Images) Digit(i int) Digit {
	size := im.Rows * im.Cols
	return Digit{Rows: im.Rows, Cols: im.Cols, Pix: im.Pix[i*size : (i+1)*size]}
}

// Digit is one grayscale image.
type Digit struct {
	Rows, Cols int
	Pix        []uint8
}

// At returns the pixel at row r, column c.
func (d Digit) At(r, c int) uint8 { return d.Pix[r*d.Cols+c] }

// String prints the raw pixel values as a grid, one image row per line, the
// way the tutorial prints train_image[0].
func (d Digit) String() string {
	var b strings.Builder
	for r := 0; r < d.Rows; r++ {
		for c := 0; c < d.Cols; c++ {
			fmt.Fprintf(&b, "%4d", d.At(r, c))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// check verifies what every source must give: 28×28 images, as many labels
// as images, and labels 0–9. name says which files to blame.
func (s Subset) check(name string) error {
	if s.Images.Rows != 28 || s.Images.Cols != 28 {
		return fmt.Errorf("%s: images are %d×%d, MNIST's are 28×28: is this an MNIST file?",
			name, s.Images.Rows, s.Images.Cols)
	}
	if s.Images.N != len(s.Labels) {
		return fmt.Errorf("%s: %d images but %d labels: the image and label files do not belong together; replace both with a matching pair",
			name, s.Images.N, len(s.Labels))
	}
	for i, l := range s.Labels {
		if l > 9 {
			return fmt.Errorf("%s: label %d at index %d is not a digit 0–9: the labels file is corrupt; replace it", name, l, i)
		}
	}
	return nil
}

// Slice returns images from, from+1, …, to-1 (images[from:to] in NumPy),
// sharing memory with im.
func (im Images) Slice(from, to int) Images {
	size := im.Rows * im.Cols
	return Images{N: to - from, Rows: im.Rows, Cols: im.Cols, Pix: im.Pix[from*size : to*size]}
}
