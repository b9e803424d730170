package mnistlib

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// convOutput is a Conv2D output of one image with two channels: channel 1
// holds m (rows of a map), channel 0 holds 100s, which no pooling of
// channel 1 may pick up.
func convOutput(m [][]float32) []LayerOutput {
	h, w := len(m), len(m[0])
	a := zeros(1, h, w, 2)
	for r, row := range m {
		for c, v := range row {
			a.Data[(r*w+c)*2], a.Data[(r*w+c)*2+1] = 100, v
		}
	}
	return []LayerOutput{{Name: "conv2d", Type: "Conv2D", Value: a}}
}

// The four kinds of pooling, checked by hand on small maps: each 2×2 block's
// largest value, mean, smallest value and √(sum of squares).
func TestPoolingKinds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		m        [][]float32
		want     map[string][]float32 // the pooled map, row by row
		row, col int                  // the block written out: where max pooling keeps the most
		text     string
	}{
		{"4×4", [][]float32{
			{1, -2, 0, 3},
			{4, 2, 5, 1},
			{0, 0, -1, -1},
			{0, 3, -3, 1},
		}, map[string][]float32{
			"max":     {4, 5, 3, 1},
			"average": {1.25, 2.25, 0.75, -1},
			"min":     {-2, 0, 0, -3},
			"L2":      {5, float32(math.Sqrt(35)), 3, float32(math.Sqrt(12))}, // √(1+4+16+4), √(9+25+1), √9, √(1+1+9+1)
		}, 0, 1, "the orange block, rows 0–1 and columns 2–3: 0.0000 3.0000 / 5.0000 1.0000\n" +
			"max pooling 5.0000; average pooling 2.2500; min pooling 0.0000; L2 pooling 5.9161"},
		{"5×5: the odd last row and column are left out, as in Keras", [][]float32{
			{0, 0, 1, 1, 9},
			{0, 0, 1, 1, 9},
			{2, 2, 0, 4, 9},
			{2, 2, 0, 0, 9},
			{9, 9, 9, 9, 9},
		}, map[string][]float32{
			"max":     {0, 1, 2, 4},
			"average": {0, 1, 2, 1},
			"min":     {0, 1, 2, 0},
			"L2":      {0, 2, 4, 4},
		}, 1, 1, "the orange block, rows 2–3 and columns 2–3: 0.0000 4.0000 / 0.0000 0.0000\n" +
			"max pooling 4.0000; average pooling 1.0000; min pooling 0.0000; L2 pooling 4.0000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("WORKBOOK_LANG", "en")
			p, err := PoolingKinds(convOutput(tc.m), "conv2d", 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Kinds, []string{"max", "average", "min", "L2"}) {
				t.Fatalf("kinds %v", p.Kinds)
			}
			for k, kind := range p.Kinds {
				got := p.Pooled[k]
				if !slices.Equal(got.Shape, []int{2, 2}) {
					t.Fatalf("%s pooling: shape %v, want [2 2]", kind, got.Shape)
				}
				for i, want := range tc.want[kind] {
					if math.Abs(float64(got.Data[i]-want)) > 1e-6 {
						t.Errorf("%s pooling: pixel (%d, %d) = %v, want %v", kind, i/2, i%2, got.Data[i], want)
					}
				}
			}
			if p.Row != tc.row || p.Col != tc.col {
				t.Errorf("the block written out is (%d, %d), want (%d, %d)", p.Row, p.Col, tc.row, tc.col)
			}
			if got := p.Text(); !strings.HasSuffix(got, "\n"+tc.text) {
				t.Errorf("Text() = %q,\nwant it to end with %q", got, tc.text)
			}
			if w, h := p.Size(); w < 100 || h < 100 || !strings.Contains(PictureSVG(p), "<svg") {
				t.Errorf("the picture is %d×%d", w, h)
			}
		})
	}
}

// Max pooling by hand is what the CNN's own MaxPooling2D layer gives, on
// every map of a drawn digit.
func TestPoolingKindsMaxIsTheModels(t *testing.T) {
	m := TutorialCNN(true)
	m.Out = nil
	x := tensors.FromFlatDataAndDimensions(drawnDigit(t, Stroke{{140, 40}, {220, 140}, {140, 240}, {60, 140}, {140, 40}}), 1, ImageSize, ImageSize, 1)
	outs, err := m.LayerOutputs(x)
	if err != nil {
		t.Fatal(err)
	}
	pooled, err := Output(outs, "max_pooling2d")
	if err != nil {
		t.Fatal(err)
	}
	for c := range 16 {
		p, err := PoolingKinds(outs, "conv2d", 0, c)
		if err != nil {
			t.Fatal(err)
		}
		if want := channelMap(pooled.Item(0), c); !slices.Equal(p.Pooled[0].Data, want.Data) {
			t.Fatalf("map %d: max pooling by hand differs from max_pooling2d's output", c)
		}
	}
}

func TestPoolingKindsErrors(t *testing.T) {
	outs := convOutput([][]float32{{1, 2}, {3, 4}})
	outs = append(outs, LayerOutput{Name: "dense", Type: "Dense", Value: zeros(1, 8)})
	for _, tc := range []struct {
		layer          string
		image, channel int
		want           string
	}{
		{"dense", 0, 0, "not feature maps to pool"},
		{"conv2d_9", 0, 0, `no layer named "conv2d_9"`},
		{"conv2d", 1, 0, "image 1: the outputs hold images 0 to 0"},
		{"conv2d", 0, 2, "feature map 2: the layer has maps 0 to 1"},
	} {
		_, err := PoolingKinds(outs, tc.layer, tc.image, tc.channel)
		assertErrorMentions(t, err, tc.want)
	}
}
