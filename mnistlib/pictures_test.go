package mnistlib

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// Each picture renders as SVG (labels as glyph outlines, pixels as embedded
// PNG) and as a PNG of twice its size; WORKBOOK_PICTURES=dir keeps them to look at.
func TestPicturesRender(t *testing.T) {
	mlp := trainedBriefly(t, TutorialMLP())
	cnn := trainedBriefly(t, TutorialCNN(true))
	x := testDigits(t, 1)
	pixels, _ := tensors.CopyFlatData[float32](x)
	outs, err := cnn.LayerOutputs(inputFor(cnn, x))
	if err != nil {
		t.Fatal(err)
	}
	templates, err := WeightTemplates(mlp, "dense", []int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	units, err := DenseByHand(mlp, "dense", pixels, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	step, err := ConvByHand(cnn, "conv2d", Array{Shape: []int{28, 28, 1}, Data: pixels}, 1, 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	filters, _ := Filters(cnn, "conv2d")
	maps, _ := FeatureMaps(outs, "conv2d", 0)
	pooled, _ := FeatureMaps(outs, "max_pooling2d", 0)
	formulas, _ := cnn.ParamFormulas()
	pool, _ := outputNamed(outs, "max_pooling2d")
	pictures := map[string]Picture{
		"templates": templates, "units": UnitsPicture{Layer: "dense", Digit: pixels, Steps: units},
		"softmax": SoftmaxPicture{Scores: []float32{-2, 1, 0.5, 7, -1, 0, 2, -3, 1, 0}},
		"conv":    step, "filters": filters, "maps": maps, "pooled": pooled,
		"flatten": FlattenPicture{From: "max_pooling2d", Layer: "flatten", Maps: pool.Value.Item(0), Next: formulas[3]},
	}
	_, data := loadReal(t)
	many, _ := Normalize(Reshape2D(data.Test.Images.Slice(0, 500)))
	raw, _ := tensors.CopyFlatData[float32](many)
	hidden, err := mlp.LayerOutputs(many)
	if err != nil {
		t.Fatal(err)
	}
	labels := data.Test.Labels[:500]
	byPixels, _ := MapOf("raw pixels", Array{Shape: []int{500, 784}, Data: raw}, labels)
	byMLP, _ := MapOf("the MLP's 256 hidden values", hidden[0].Value, labels)
	pictures["map"] = DigitMap{Panels: []MapPanel{byPixels, byMLP}}
	dir := os.Getenv("WORKBOOK_PICTURES")
	for name, p := range pictures {
		svg := PictureSVG(p)
		w, h := p.Size()
		if !strings.HasPrefix(svg, "<svg") || strings.Contains(svg, "<text") || name != "softmax" && !strings.Contains(svg, "data:image/png;base64,") {
			t.Errorf("%s: SVG %.200s…", name, svg)
		}
		b, err := PicturePNG(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 2*w || img.Bounds().Dy() != 2*h {
			t.Errorf("%s: PNG %v, %v; want %d×%d", name, err, img.Bounds(), 2*w, 2*h)
		}
		if dir != "" {
			os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
			os.WriteFile(filepath.Join(dir, name+".svg"), []byte(svg), 0o644)
		}
	}
}

// MapOf finds the directions the data varies along: classes apart along one
// axis of a 50-dimensional space gather by their own centres on the map,
// and labels unrelated to the data do not.
func TestMapOf(t *testing.T) {
	const n, d = 300, 50
	features := Array{Shape: []int{n, d}, Data: make([]float32, n*d)}
	labels, shuffled := make(Labels, n), make(Labels, n)
	for i := range n {
		labels[i], shuffled[i] = uint8(i%3), uint8((i*7/3)%3)
		for j := range d {
			features.Data[i*d+j] = float32(math.Sin(float64(i*d+j))) * 0.3 // noise
		}
		features.Data[i*d+17] += 5 * float32(labels[i]) // the classes lie apart along axis 17
	}
	apart, err := MapOf("apart", features, labels)
	if err != nil {
		t.Fatal(err)
	}
	random, _ := MapOf("random labels", features, shuffled)
	if apart.NearestCentre < 0.99 || random.NearestCentre > 0.6 {
		t.Errorf("nearest own centre: %.2f for separated classes (want 1), %.2f for unrelated labels (want about 1/3)", apart.NearestCentre, random.NearestCentre)
	}
	if _, err := MapOf("short", features, labels[:10]); err == nil {
		t.Error("300 rows and 10 labels: no error")
	}
}
