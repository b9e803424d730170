package mnistlib

import (
	"math"
	"reflect"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// dropout keeps each value with probability 1-rate, scaled by 1/(1-rate):
// over two steps of a [200, 14, 14, 16] layer of ones (the deep CNN's first
// Dropout), the kept share is 1-rate to within 5 standard deviations, a kept
// value is 1/(1-rate), neighbours (along the channels and along the batch) and
// the two steps' masks agree as often as independent draws do, and outside
// training it changes nothing.
func TestDropout(t *testing.T) {
	backend, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	dims := []int{200, 14, 14, 16}
	for _, rate := range []float64{0.25, 0.5, 0.1, 1 - 1e-12} { // the last: a threshold that must not wrap to 0
		store := model.NewStore()
		if err := store.SetRNGStateFromSeed(7); err != nil {
			t.Fatal(err)
		}
		exec, err := model.NewExec(backend, store, func(scope *model.Scope, x *Node) (*Node, *Node, *Node) {
			g := x.Graph()
			scope.Store().SetTraining(g, true)
			first, second := dropout(scope, x, rate), dropout(scope, x, rate)
			scope.Store().SetTraining(g, false)
			return first, second, dropout(scope, x, rate)
		})
		if err != nil {
			t.Fatal(err)
		}
		ones := tensors.FromShape(shapes.Make(dtypes.Float32, dims...))
		tensors.MustMutableFlatData(ones, func(f []float32) {
			for i := range f {
				f[i] = 1
			}
		})
		outs, err := exec.Call(ones)
		if err != nil {
			t.Fatal(err)
		}
		a, b, off := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1]), tensors.MustCopyFlatData[float32](outs[2])
		keep, n := 1-rate, float64(len(a))
		tol := 5 * math.Sqrt(keep*(1-keep)/n)
		var kept, sameChannel, sameImage, sameStep float64
		for i, v := range a {
			switch {
			case v == 0:
			case math.Abs(float64(v)-1/keep) < 1e-6:
				kept++
			default:
				t.Fatalf("rate %g: value %v, want 0 or %v", rate, v, 1/keep)
			}
			if off[i] != 1 {
				t.Fatalf("rate %g: outside training, value %v, want 1", rate, off[i])
			}
			if i%16 != 15 && (v == 0) == (a[i+1] == 0) {
				sameChannel++
			}
			if j := i + 14*14*16; j < len(a) && (v == 0) == (a[j] == 0) {
				sameImage++
			}
			if (v == 0) == (b[i] == 0) {
				sameStep++
			}
		}
		agree := keep*keep + (1-keep)*(1-keep) // two independent draws give the same answer
		for _, c := range []struct {
			what      string
			got, want float64
		}{
			{"kept share", kept / n, keep},
			{"neighbouring channels agree", sameChannel / (n * 15 / 16), agree},
			{"neighbouring images agree", sameImage / (n - 14*14*16), agree},
			{"the two steps agree", sameStep / n, agree},
		} {
			if math.Abs(c.got-c.want) > tol {
				t.Errorf("rate %g: %s: %.4f, want %.4f ± %.4f", rate, c.what, c.got, c.want, tol)
			}
		}
	}
}

// Each kind has its own class name, the one Keras spells and a checkpoint
// records, and its own summary name; a class name makes an empty layer of its
// kind.
func TestLayerKinds(t *testing.T) {
	kinds := []struct {
		class, name string
		kind        Layer
	}{
		{"Dense", "dense", Dense{}},
		{"Dropout", "dropout", Dropout{}},
		{"Conv2D", "conv2d", Conv2D{}},
		{"MaxPooling2D", "max_pooling2d", MaxPooling2D{}},
		{"Flatten", "flatten", Flatten{}},
	}
	for _, tc := range kinds {
		if tc.kind.kerasClass() != tc.class || tc.kind.kerasName() != tc.name {
			t.Errorf("%T: class %q and name %q, want %q and %q", tc.kind, tc.kind.kerasClass(), tc.kind.kerasName(), tc.class, tc.name)
		}
		l, ok := newLayer(tc.class)
		if !ok || reflect.TypeOf(l).Elem() != reflect.TypeOf(tc.kind) {
			t.Errorf("newLayer(%q) = %T, %v; want a *%T", tc.class, l, ok, tc.kind)
		}
	}
	classes, names := map[string]bool{}, map[string]bool{}
	for _, k := range layerKinds {
		if classes[k.kerasClass()] || names[k.kerasName()] {
			t.Errorf("%T: class %q or name %q is another kind's", k, k.kerasClass(), k.kerasName())
		}
		classes[k.kerasClass()], names[k.kerasName()] = true, true
	}
	if len(layerKinds) != len(kinds) {
		t.Errorf("%d kinds in layerKinds, the test knows %d: add the new one above", len(layerKinds), len(kinds))
	}
	if l, ok := newLayer("Conv3D"); ok {
		t.Errorf("newLayer(Conv3D) = %T", l)
	}
}

// A crafted Units near the largest int64 counts as too many parameters at
// its own layer: capped, never overflowed into a negative count.
func TestDenseParamsCapped(t *testing.T) {
	for _, units := range []int{math.MaxInt64, math.MaxInt64 - 1, math.MaxInt32} {
		if n, _ := (Dense{Units: units}).params([]int{784}); n != paramsCap {
			t.Errorf("Dense{Units: %d} counts %d parameters, want the cap %d", units, n, paramsCap)
		}
	}
}
