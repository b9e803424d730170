package mnistlib

// MaxPooling2D, Keras' pooling layer: it keeps the largest value of every 2×2
// block of each feature map, halving the image's height and width.

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// MaxPooling2D keeps the largest value of every PoolSize block: Keras' MaxPooling2D(pool_size).
// Only (2, 2), the tutorial's, is supported.
type MaxPooling2D struct {
	PoolSize [2]int `json:"pool_size"`
}

func (MaxPooling2D) kerasClass() string { return "MaxPooling2D" }
func (MaxPooling2D) kerasName() string  { return "max_pooling2d" }
func (MaxPooling2D) input() []int       { return nil }

func (p MaxPooling2D) check(in []int) ([]int, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("MaxPooling2D needs images (height, width, channels), got %v", in)
	}
	if p.PoolSize != [2]int{2, 2} {
		return nil, fmt.Errorf("MaxPooling2D: PoolSize %v: only {2, 2} is supported", p.PoolSize)
	}
	if in[0] < 2 || in[1] < 2 {
		return nil, fmt.Errorf("MaxPooling2D: the %d×%d input is too small to pool", in[0], in[1])
	}
	return []int{in[0] / 2, in[1] / 2, in[2]}, nil
}

func (MaxPooling2D) params([]int) (int64, string) { return 0, "" }

func (MaxPooling2D) build(_ *model.Scope, x *Node) *Node { return MaxPool2x2(x) }
