package mnistlib

import (
	"slices"
	"testing"
)

// The arithmetic by hand needs a layer's weights, not its model: a Dense
// unit is Σ w·x + b through the activation, worked out here on paper.
func TestDenseByHandFromWeights(t *testing.T) {
	kernel := Array{Shape: []int{3, 2}, Data: []float32{1, -1, 2, 0, 0, 1}} // [inputs, units]
	bias := Array{Shape: []int{2}, Data: []float32{0.5, -3}}
	x := []float32{1, 1, 2}
	steps, err := denseByHand("dense", kernel, bias, "relu", x, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct{ sum, score, out float32 }{{3, 3.5, 3.5}, {1, -2, 0}} {
		if s := steps[i]; s.Sum != want.sum || s.Score != want.score || s.Out != want.out {
			t.Errorf("unit %d: Σ %v, score %v, out %v; want %v", i, s.Sum, s.Score, s.Out, want)
		}
	}
	if steps, _ := denseByHand("dense_1", kernel, bias, "softmax", x, []int{1}); steps[0].Out != -2 {
		t.Errorf("before a softmax the unit passes its score: out %v, want -2", steps[0].Out)
	}
	if _, err := denseByHand("dense", kernel, bias, "relu", x, []int{2}); err == nil {
		t.Error("unit 2 of a layer of 2 units: no error")
	}
}

// One filter of a 'same' convolution by hand: the ring of zeros around the
// image counts at the edges, ReLU cuts what the bias takes below 0.
func TestConvByHandFromWeights(t *testing.T) {
	image := Array{Shape: []int{3, 3, 1}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}}
	kernel := Array{Shape: []int{3, 3, 1, 1}, Data: slices.Repeat([]float32{1}, 9)} // sums the patch
	bias := Array{Shape: []int{1}, Data: []float32{-20}}
	s, err := convByHand("conv2d", kernel, bias, "relu", image, 1, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Sum != 45 || s.Out != 25 || s.Pad != [2]int{1, 1} {
		t.Errorf("the middle pixel: Σ %v, out %v, padding %v; want 45, 25, [1 1]", s.Sum, s.Out, s.Pad)
	}
	// The corner sees 1, 2, 4 and 5 and the ring: 12 − 20 < 0.
	if want := []float32{0, 1, 0, 7, 25, 13, 4, 19, 8}; !slices.Equal(s.Map.Data, want) {
		t.Errorf("feature map %v, want %v", s.Map.Data, want)
	}
	if _, err := convByHand("conv2d", kernel, bias, "relu", image, 0, 3, 0); err == nil {
		t.Error("pixel (0, 3) of a 3×3 image: no error")
	}
}
