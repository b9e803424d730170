package mnistlib

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// A linear model's saliency is known: the gradient of logit c = x·W[:, c] + b[c]
// with respect to x is the column W[:, c] of the winning class c.
func TestSaliencyKnownAnswer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w := make([]float32, InputSize*NumClasses)
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	bias := []float32{0, 0.5, -0.5, 1, 0, 0, 0.2, 0, 0, -1}
	m := FromGraph(func(_ *model.Scope, x *Node) *Node {
		g := x.Graph()
		return Add(MatMul(x, Const(g, tensors.FromFlatDataAndDimensions(w, InputSize, NumClasses))),
			Const(g, tensors.FromFlatDataAndDimensions(bias, 1, NumClasses)))
	})
	m.Out = nil
	const n = 4
	pix := make([]float32, n*InputSize)
	for i := range pix {
		pix[i] = rng.Float32()
	}
	got, err := m.Saliency(tensors.FromFlatDataAndDimensions(pix, n, InputSize))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d maps for %d images", len(got), n)
	}
	for i := range n {
		// The winner, computed here in Go.
		best, bestScore := 0, math.Inf(-1)
		for c := range NumClasses {
			s := float64(bias[c])
			for j := range InputSize {
				s += float64(pix[i*InputSize+j]) * float64(w[j*NumClasses+c])
			}
			if s > bestScore {
				best, bestScore = c, s
			}
		}
		if len(got[i]) != InputSize {
			t.Fatalf("image %d: a map of %d values", i, len(got[i]))
		}
		for j := range InputSize {
			if want := w[j*NumClasses+best]; math.Abs(float64(got[i][j]-want)) > 1e-5 {
				t.Fatalf("image %d (class %d), pixel %d: gradient %v, want W[%d, %d] = %v", i, best, j, got[i][j], j, best, want)
			}
		}
	}
}

// On the tutorial's CNN (untrained: the weights its seed fixes), the map has
// one value per pixel, all finite, and is not zero where the digit is.
func TestSaliencyCNN(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model *Model
	}{{"cnn", TutorialCNN(true)}, {"mlp", TutorialMLP()}} {
		tc.model.Out = nil
		one := drawnDigit(t, Stroke{{140, 40}, {140, 240}})
		zero := drawnDigit(t, Stroke{{140, 40}, {220, 140}, {140, 240}, {60, 140}, {140, 40}})
		x := tensors.FromFlatDataAndDimensions(append(append([]float32{}, one...), zero...), 2, ImageSize, ImageSize, 1)
		maps, err := tc.model.Saliency(inputFor(tc.model, x))
		if err != nil {
			t.Fatal(err)
		}
		if len(maps) != 2 {
			t.Fatalf("%s: %d maps for 2 images", tc.name, len(maps))
		}
		for i, img := range [][]float32{one, zero} {
			var onInk float64
			for j, g := range maps[i] {
				if math.IsNaN(float64(g)) || math.IsInf(float64(g), 0) {
					t.Fatalf("%s, image %d, pixel %d: %v", tc.name, i, j, g)
				}
				if img[j] > 0.5 {
					onInk += math.Abs(float64(g))
				}
			}
			if len(maps[i]) != InputSize || onInk == 0 {
				t.Errorf("%s, image %d: %d values, %g on the digit's pixels", tc.name, i, len(maps[i]), onInk)
			}
		}
	}
}

func TestSaliencyImage(t *testing.T) {
	d := Digit{Rows: ImageSize, Cols: ImageSize, Pix: make([]uint8, InputSize)}
	d.Pix[5*ImageSize+5] = 255 // a digit pixel with no gradient: gray
	sal := make([]float32, InputSize)
	sal[10*ImageSize+10] = -2 // the strongest gradient (its sign does not matter): red
	sal[20*ImageSize+20] = 0.5
	img := SaliencyImage(d, sal, 3)
	if img.Rect.Dx() != 84 || img.Rect.Dy() != 84 {
		t.Fatalf("size %v, want 84×84", img.Rect)
	}
	at := func(r, c int) [3]uint8 {
		p := img.RGBAAt(c*3+1, r*3+1)
		return [3]uint8{p.R, p.G, p.B}
	}
	if p := at(10, 10); p[0] < 200 || p[1] > 60 {
		t.Errorf("the strongest pixel is %v, want red", p)
	}
	if p := at(20, 20); !(p[0] > p[1] && p[0] < at(10, 10)[0]) {
		t.Errorf("a weaker pixel is %v, want a lighter red", p)
	}
	if p := at(5, 5); p[0] != p[1] || p[0] == 0 {
		t.Errorf("a digit pixel without gradient is %v, want gray", p)
	}
	if p := at(0, 0); p != [3]uint8{} {
		t.Errorf("the background is %v, want black", p)
	}
	gallery := SaliencyGallery{Images: Images{N: 1, Rows: ImageSize, Cols: ImageSize, Pix: d.Pix},
		Saliency: [][]float32{sal}, Captions: []string{"7->1"}}.Image()
	if gallery.Rect.Dx() < 28*4 || gallery.Rect.Dy() < 28*4+captionH {
		t.Errorf("gallery size %v", gallery.Rect)
	}
}

// The two backends compute the CNN's convolution in different ways (see
// Conv2DSame): both give the same map.
func TestSaliencyBackendsAgree(t *testing.T) {
	requireXLA(t)
	x := tensors.FromFlatDataAndDimensions(drawnDigit(t, Stroke{{140, 40}, {220, 140}, {140, 240}, {60, 140}, {140, 40}}), 1, ImageSize, ImageSize, 1)
	maps := map[string][]float32{}
	onEachBackend(t, TutorialCNN(true), func(backend string, m *Model) {
		got, err := m.Saliency(x)
		if err != nil {
			t.Fatal(err)
		}
		maps[backend] = got[0]
	})
	var worst, top float64
	for i, v := range maps["go"] {
		worst = math.Max(worst, math.Abs(float64(v-maps["xla:cpu"][i])))
		top = math.Max(top, math.Abs(float64(v)))
	}
	if top == 0 || worst > 1e-3*top {
		t.Errorf("the maps differ by up to %g (largest value %g) between go and xla", worst, top)
	}
}

// A dense map colours only its strongest fifth.
func TestSaliencyImageDense(t *testing.T) {
	d := Digit{Rows: ImageSize, Cols: ImageSize, Pix: make([]uint8, InputSize)}
	sal := make([]float32, InputSize)
	for i := range sal {
		sal[i] = float32(i) // pixel i is stronger than every pixel before it
	}
	img := SaliencyImage(d, sal, 1)
	red := 0
	for i := range InputSize {
		if img.RGBAAt(i%ImageSize, i/ImageSize).R > 0 {
			red++
		}
	}
	if red < InputSize/10 || red > InputSize/4 {
		t.Errorf("%d of %d pixels red, want about a fifth", red, InputSize)
	}
	if p := img.RGBAAt(ImageSize-1, ImageSize-1); p.R < 230 {
		t.Errorf("the strongest pixel is %v, want full red", p)
	}
}

// The gallery draws the key to its red under the grid, as the other pictures
// of values do: the bar from black to full red, its label and ends, in the
// notebook's language; in the SVG and in the image Show displays.
func TestSaliencyGalleryScale(t *testing.T) {
	d := Digit{Rows: ImageSize, Cols: ImageSize, Pix: make([]uint8, InputSize)}
	sal := make([]float32, InputSize)
	sal[100] = 1
	g := SaliencyGallery{Images: Images{N: 2, Rows: ImageSize, Cols: ImageSize, Pix: append(append([]uint8{}, d.Pix...), d.Pix...)},
		Saliency: [][]float32{sal, sal}, Captions: []string{"7", "7->1"}}
	for _, c := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"|gradient| of the winning score, each map on its own scale", "80th percentile", "99th percentile", "7->1"}},
		{"zh", []string{"|梯度|：胜出数字的分数对像素的梯度，每张图按自己的范围着色", "第 80 百分位", "第 99 百分位", "7 预测为 1"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Setenv("WORKBOOK_LANG", c.lang)
			labels := svgLabels(t, PictureSVG(g))
			for _, w := range c.want {
				if !slices.Contains(labels, w) {
					t.Errorf("no label %q in %q", w, labels)
				}
			}
			w, h := g.Size()
			if w < labelWidth(saliencyLabel(), saliencyLabelSize) {
				t.Errorf("width %d: the scale's label does not fit", w)
			}
			img := g.Image()
			if img.Rect.Dx() != w || img.Rect.Dy() != h {
				t.Fatalf("image %v, picture %d×%d", img.Rect, w, h)
			}
			// The bar, 26 pixels above the bottom: black at its left end, red at its right.
			left, right := (w-saliencyScaleW)/2, (w+saliencyScaleW)/2
			if p := img.RGBAAt(left+2, h-21); p.R > 20 {
				t.Errorf("the bar's left end is %v, want black", p)
			}
			if p := img.RGBAAt(right-2, h-21); p.R < 220 || p.G > 50 {
				t.Errorf("the bar's right end is %v, want full red", p)
			}
		})
	}
}
