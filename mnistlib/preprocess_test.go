package mnistlib

import (
	"reflect"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

func TestPreprocessShapes(t *testing.T) {
	im := tinyData(3).Train.Images
	cases := []struct {
		name string
		got  *tensors.Tensor
		want []int
	}{
		{"Flatten", Reshape2D(im), []int{3, 784}},
		{"Reshape4D", Reshape4D(im), []int{3, 28, 28, 1}},
		{"ToCategorical", ToCategorical(Labels{5, 0, 9}, 10), []int{3, 10}},
	}
	for _, c := range cases {
		if dims := c.got.Shape().Dimensions; !reflect.DeepEqual(dims, c.want) {
			t.Errorf("%s: shape %v, want %v", c.name, dims, c.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	x := Reshape2D(tinyData(2).Train.Images)
	lo, hi, err := ValueRange(x)
	if err != nil || lo != 0 || hi != 255 {
		t.Fatalf("before: range [%v, %v] (%v), want [0, 255]", lo, hi, err)
	}
	n, err := Normalize(x)
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi, _ = ValueRange(n); lo != 0 || hi != 1 {
		t.Errorf("after: range [%v, %v], want [0, 1]", lo, hi)
	}
	row, _ := Row(n, 0)
	if row[51] != 51.0/255 {
		t.Errorf("pixel 51 = %v, want 51/255", row[51])
	}
	if _, err := Normalize(tensors.FromValue([]int32{1, 2})); err == nil {
		t.Error("Normalize accepted int32 pixels")
	}
}

func TestToCategorical(t *testing.T) {
	y := ToCategorical(Labels{5, 0}, 10)
	for i, want := range [][]float32{{0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0}} {
		if got, _ := Row(y, i); !reflect.DeepEqual(got, want) {
			t.Errorf("row %d = %v, want %v", i, got, want)
		}
	}
	if _, err := Row(y, 2); err == nil {
		t.Error("Row(2) of a 2-row tensor did not fail")
	}
}
