package mnistlib

// Flatten, Keras' reshaping layer: it lays each image's feature maps out as
// one row of numbers, the input a Dense layer takes.

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Flatten turns each image's feature maps into one row of numbers: Keras' Flatten().
type Flatten struct{}

func (Flatten) kerasClass() string { return "Flatten" }
func (Flatten) kerasName() string  { return "flatten" }
func (Flatten) input() []int       { return nil }

func (Flatten) check(in []int) ([]int, error) {
	n := 1
	for _, d := range in {
		n *= d
	}
	return []int{n}, nil
}

func (Flatten) params([]int) (int64, string) { return 0, "" }

func (Flatten) build(_ *model.Scope, x *Node) *Node { return Reshape(x, x.Shape().Dimensions[0], -1) }
