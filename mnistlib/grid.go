package mnistlib

// Grids of small images from inside a model: a Dense layer's weight
// templates, a Conv2D layer's filters, the feature maps one digit makes.

import (
	"fmt"
	"math"

	"github.com/gonb-mnist/workbook/internal/canvas"
)

// Grid is a titled grid of small 2-D arrays with a caption under each, drawn
// in the blue/red palette with its scale: signed values (weights) on a scale
// symmetric around 0, non-negative ones (what ReLU and pooling pass) from 0.
type Grid struct {
	Title    string
	Images   []Array // each [rows, cols]
	Captions []string
	Cols     int     // images per row; default 8
	Cell     float64 // CSS pixels per image side; default 64
	Signed   bool
	Limit    float64 // the scale's end; default the largest |value| in the grid
	Scale    string  // what the scale measures: "weight", "activation"
}

// Size is the grid's size in CSS pixels.
func (g Grid) Size() (w, h int) {
	cols, rows, cell := g.layout()
	return int(math.Ceil(float64(cols)*(cell+8) + 16)), int(math.Ceil(float64(rows)*(cell+20) + 94))
}

func (g Grid) layout() (cols, rows int, cell float64) {
	cols = min(orDefault(g.Cols, 8), max(len(g.Images), 1))
	rows = (len(g.Images) + cols - 1) / cols
	cell = g.Cell
	if cell <= 0 {
		cell = 64
	}
	return cols, rows, cell
}

// Text is the grid's title and how many images it holds.
func (g Grid) Text() string {
	return fmt.Sprintf(tr("%s (%d images)"), g.Title, len(g.Images))
}

func (g Grid) limit() float64 {
	if g.Limit > 0 {
		return g.Limit
	}
	var all [][]float32
	for _, a := range g.Images {
		all = append(all, a.Data)
	}
	return maxAbs(all...)
}

func (g Grid) draw(cv canvas.Canvas) {
	w, h := g.Size()
	cols, _, cell := g.layout()
	cv.Begin(float64(w), float64(h))
	cv.Text(float64(w)/2, 20, 14, canvas.Middle, g.Title)
	limit := g.limit()
	for i, a := range g.Images {
		x, y := 12+float64(i%cols)*(cell+8), 32+float64(i/cols)*(cell+20)
		cv.Pixels(x, y, cell, cell, heatmap(a, limit))
		cv.Box(x, y, cell, cell, "none", "#bbb")
		if i < len(g.Captions) {
			cv.Text(x+cell/2, y+cell+13, 10, canvas.Middle, g.Captions[i])
		}
	}
	colourScale(cv, float64(w)/2-100, float64(h)-42, 200, limit, g.Signed, g.Scale)
}

// WeightTemplates draws, for each listed unit of a Dense layer that takes the
// 784 pixels, its 784 weights as a 28×28 picture: blue where ink raises the
// unit's sum, red where it lowers it.
func WeightTemplates(m *Model, layer string, units []int) (Grid, error) {
	_, kernel, _, err := denseWeights(m, layer)
	if err != nil {
		return Grid{}, err
	}
	return KernelTemplates(layer, kernel, units)
}

// KernelTemplates is WeightTemplates of a kernel [784, units] held apart
// from its model: the weights at one step of training, for one.
func KernelTemplates(layer string, kernel Array, units []int) (Grid, error) {
	if len(kernel.Shape) != 2 || kernel.Shape[0] != InputSize {
		return Grid{}, fmt.Errorf("%s: a kernel of shape %v does not take the 784 pixels: its weights are not a picture", layer, kernel.Shape)
	}
	g := Grid{Title: fmt.Sprintf(tr("%s: the weights of %d units, each a 28×28 template"), layer, len(units)), Signed: true, Scale: tr("weight")}
	for _, u := range units {
		if u < 0 || u >= kernel.Shape[1] {
			return Grid{}, fmt.Errorf("%s: unit %d: the layer has units 0 to %d", layer, u, kernel.Shape[1]-1)
		}
		g.Images = append(g.Images, Array{Shape: []int{ImageSize, ImageSize}, Data: kernel.Column(u)})
		g.Captions = append(g.Captions, fmt.Sprintf(tr("unit %d"), u))
	}
	return g, nil
}

// Filters draws a Conv2D layer's kernels, one per filter (for a layer with
// several input channels, the kernel of the first channel).
func Filters(m *Model, layer string) (Grid, error) {
	ws, err := m.GetWeights(layer)
	if err != nil {
		return Grid{}, err
	}
	if len(ws) != 2 || len(ws[0].Shape) != 4 {
		return Grid{}, fmt.Errorf("%q has no convolution kernels: Filters draws a Conv2D layer", layer)
	}
	return filterGrid(layer, ws[0]), nil
}

// filterGrid is Filters of a kernel [height, width, channels, filters].
func filterGrid(layer string, kernel Array) Grid {
	k := kernel.Shape
	g := Grid{Title: fmt.Sprintf(tr("%s: its %d learned %d×%d filters"), layer, k[3], k[0], k[1]), Signed: true, Scale: tr("weight"), Cell: 40}
	if k[2] > 1 {
		g.Title += fmt.Sprintf(tr(" (input channel 0 of %d)"), k[2])
	}
	for f := range k[3] {
		a := zeros(k[0], k[1])
		for i := range a.Data {
			a.Data[i] = kernel.At(i/k[1], i%k[1], 0, f)
		}
		g.Images = append(g.Images, a)
		g.Captions = append(g.Captions, fmt.Sprintf(tr("filter %d"), f))
	}
	return g
}

// FeatureMaps draws what the layer named layer (a Conv2D or a MaxPooling2D)
// gives for image i of the outputs: one map per channel.
func FeatureMaps(outs []LayerOutput, layer string, i int) (Grid, error) {
	o, err := outputNamed(outs, layer)
	if err != nil {
		return Grid{}, err
	}
	s := o.Value.Shape // [N, h, w, channels]
	if len(s) != 4 {
		return Grid{}, fmt.Errorf("%s gives %v per image, not feature maps: FeatureMaps draws a Conv2D or MaxPooling2D layer", layer, s[1:])
	}
	if i < 0 || i >= s[0] {
		return Grid{}, fmt.Errorf("%s: image %d: the outputs hold images 0 to %d", layer, i, s[0]-1)
	}
	img := o.Value.Item(i)
	g := Grid{Title: fmt.Sprintf(tr("%s (%s): %d feature maps of %d×%d"), layer, o.Type, s[3], s[1], s[2]),
		Cell: 56, Cols: 8, Scale: tr("activation")}
	if s[3] > 16 {
		g.Cols = 12
	}
	for c := range s[3] {
		g.Images = append(g.Images, channelMap(img, c))
		g.Captions = append(g.Captions, fmt.Sprintf(tr("map %d"), c))
	}
	return g, nil
}

// Output is the output of the layer named name (as Summary prints it).
func Output(outs []LayerOutput, name string) (Array, error) {
	o, err := outputNamed(outs, name)
	return o.Value, err
}

// outputNamed finds a layer's output by its summary name.
func outputNamed(outs []LayerOutput, name string) (LayerOutput, error) {
	var names []string
	for _, o := range outs {
		if o.Name == name {
			return o, nil
		}
		names = append(names, o.Name)
	}
	return LayerOutput{}, fmt.Errorf("no layer named %q among the outputs (%v)", name, names)
}
