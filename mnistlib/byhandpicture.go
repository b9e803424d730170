package mnistlib

// Pictures of the arithmetic in byhand.go: a few hidden units working on one
// digit, softmax turning ten scores into probabilities, one pixel of a
// convolution, and Flatten laying the pooled maps out in one row.

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"

	"github.com/gonb-mnist/workbook/internal/canvas"
)

// UnitsPicture shows, for one digit, each unit's weight template, the
// products w·x that its sum adds up, and the sum through bias and ReLU.
type UnitsPicture struct {
	Layer string
	Digit []float32 // the 784 pixels, in [0, 1]
	Steps []UnitStep
}

const unitCell = 84

func (p UnitsPicture) Size() (int, int) {
	return 3*(unitCell+34) + 300, 40 + len(p.Steps)*(unitCell+26) + 50
}

func (p UnitsPicture) Text() string {
	var s []string
	for _, st := range p.Steps {
		s = append(s, fmt.Sprintf(tr("unit %d: Σ w·x = %.3f, + b (%.3f) = %.3f, ReLU → %.3f"), st.Unit, st.Sum, st.Bias, st.Score, st.Out))
	}
	return strings.Join(s, "\n")
}

func (p UnitsPicture) draw(cv canvas.Canvas) {
	w, h := p.Size()
	cv.Begin(float64(w), float64(h))
	cv.Text(12, 20, 14, canvas.Start, fmt.Sprintf(tr("%s: the digit × each unit's weights → a sum, + bias, through ReLU"), p.Layer))
	var weights, products [][]float32
	for _, st := range p.Steps {
		weights, products = append(weights, st.Weights), append(products, st.Products)
	}
	wl, pl := maxAbs(weights...), maxAbs(products...)
	digit := grayImage(Array{Shape: []int{ImageSize, ImageSize}, Data: p.Digit})
	for i, st := range p.Steps {
		y := 40 + float64(i)*(unitCell+26)
		x := 12.0
		for j, img := range []*image.RGBA{digit, heatmap(square(st.Weights), wl), heatmap(square(st.Products), pl)} {
			cv.Pixels(x, y, unitCell, unitCell, img)
			cv.Box(x, y, unitCell, unitCell, "none", "#bbb")
			cv.Text(x+unitCell/2, y+unitCell+13, 10, canvas.Middle, []string{tr("the digit x"), fmt.Sprintf(tr("unit %d's weights w"), st.Unit), "w·x"}[j])
			if j < 2 {
				cv.Text(x+unitCell+17, y+unitCell/2+6, 18, canvas.Middle, []string{"×", "="}[j])
			}
			x += unitCell + 34
		}
		cv.Text(x, y+20, 13, canvas.Start, fmt.Sprintf("Σ w·x = %.3f", st.Sum))
		cv.Text(x, y+40, 13, canvas.Start, fmt.Sprintf(tr("+ bias (%.3f) = %.3f"), st.Bias, st.Score))
		relu := tr("ReLU passes it")
		if st.Score <= 0 {
			relu = tr("ReLU turns it to 0")
		}
		cv.Text(x, y+60, 13, canvas.Start, fmt.Sprintf("%s → %.3f", relu, st.Out))
	}
	colourScale(cv, 12+unitCell+34, float64(h)-32, 2*unitCell+34, 1, true, tr("weights and products, each on its own scale (−largest … +largest)"))
}

// square views 784 values as a 28×28 array.
func square(v []float32) Array { return Array{Shape: []int{ImageSize, ImageSize}, Data: v} }

// SoftmaxPicture shows the output layer's ten scores and the ten
// probabilities softmax makes of them.
type SoftmaxPicture struct {
	Scores []float32
}

func (p SoftmaxPicture) Size() (int, int) { return 600, 230 }

func (p SoftmaxPicture) Text() string {
	probs := SoftmaxByHand(p.Scores)
	return fmt.Sprintf(tr("scores %.2f → softmax → probabilities %.4f"), p.Scores, probs)
}

func (p SoftmaxPicture) draw(cv canvas.Canvas) {
	cv.Begin(600, 230)
	left, right, top, bottom := 40.0, 290.0, 40.0, 200.0
	cv.Text((left+right)/2, 20, 14, canvas.Middle, tr("the ten scores (Σ w·h + b)"))
	signedBars(cv, left, right, top, bottom, p.Scores, math.Max(maxAbs(p.Scores), 1e-6))
	cv.Text(300, 120, 12, canvas.Middle, "→")
	ProbabilityPanel{Name: "softmax", Probs: SoftmaxByHand(p.Scores)}.draw(cv, 305, 295, 230)
}

// A ConvStep is a Picture of itself: where the kernel sits on the padded
// digit, the patch under it, the kernel, their products and the sum, and
// where the result lands in the feature map.

func (p ConvStep) Size() (int, int) { return 1010, 300 }

func (p ConvStep) Text() string {
	return fmt.Sprintf(tr("%s, filter %d at (%d, %d): Σ patch × kernel = %.4f, + bias (%.4f), ReLU → %.4f"),
		p.Layer, p.Filter, p.Row, p.Col, p.Sum, p.Bias, p.Out)
}

func (p ConvStep) draw(cv canvas.Canvas) {
	cv.Begin(1010, 300)
	cv.Text(505, 20, 14, canvas.Middle, p.Text())
	in := p.Input.Shape
	px := 180.0 / float64(in[1]+2*p.Pad[1]) // CSS pixels per input pixel
	x0, y0 := 12.0, 50.0
	cv.Pixels(x0, y0, px*float64(in[1]+2*p.Pad[1]), px*float64(in[0]+2*p.Pad[0]), padded(p.Input, p.Pad))
	kh, kw := p.Kernel.Shape[0], p.Kernel.Shape[1]
	cv.Box(x0+px*float64(p.Col), y0+px*float64(p.Row), px*float64(kw), px*float64(kh), "none", "#ff7f0e")
	cv.Text(x0+90, y0+200, 10, canvas.Middle, tr("the digit, and the 'same' padding:"))
	cv.Text(x0+90, y0+214, 10, canvas.Middle, fmt.Sprintf(tr("a ring of %d zeros (gray) around it"), p.Pad[0]))
	x := 220.0
	for i, a := range []Array{p.Patch, p.Kernel, p.Products} {
		numbersGrid(cv, x, y0+10, a, i == 0)
		cv.Text(x+85, y0+200, 11, canvas.Middle, []string{tr("the 5×5 patch"), fmt.Sprintf(tr("filter %d's kernel"), p.Filter), tr("patch × kernel")}[i])
		if i < 2 {
			cv.Text(x+185, y0+95, 18, canvas.Middle, []string{"×", "="}[i])
		}
		x += 200
	}
	cv.Text(x-10, y0+60, 13, canvas.Start, fmt.Sprintf("Σ = %.4f", p.Sum))
	cv.Text(x-10, y0+82, 13, canvas.Start, fmt.Sprintf(tr("+ bias %.4f"), p.Bias))
	cv.Text(x-10, y0+104, 13, canvas.Start, fmt.Sprintf("ReLU → %.4f", p.Out))
	limit := math.Max(maxAbs(p.Map.Data), 1e-6)
	mx, ms := x-10, 90.0/float64(in[1])
	cv.Pixels(mx, y0+120, 90, 90, heatmap(p.Map, limit))
	cv.Box(mx+ms*float64(p.Col)-1, y0+120+ms*float64(p.Row)-1, ms+2, ms+2, "none", "#ff7f0e")
	cv.Text(mx+45, y0+225, 10, canvas.Middle, fmt.Sprintf(tr("feature map %d"), p.Filter))
}

// padded paints the input with its padding ring in gray, so the ring shows
// against the black background of the digit.
func padded(in Array, pad [2]int) *image.RGBA {
	h, w := in.Shape[0], in.Shape[1]
	img := image.NewRGBA(image.Rect(0, 0, w+2*pad[1], h+2*pad[0]))
	digit := grayImage(in)
	for y := range h + 2*pad[0] {
		for x := range w + 2*pad[1] {
			c := color.RGBA{0x70, 0x70, 0x70, 0xff}
			if y >= pad[0] && x >= pad[1] && y < h+pad[0] && x < w+pad[1] {
				c = digit.RGBAAt(x-pad[1], y-pad[0])
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// numbersGrid draws a small array as cells with their values written in:
// pixels in gray (ink white), weights and products in the signed palette.
func numbersGrid(cv canvas.Canvas, x, y float64, a Array, pixels bool) {
	cols := a.Shape[1]
	cell := 170 / float64(cols)
	limit := math.Max(maxAbs(a.Data), 1e-6)
	for i, v := range a.Data {
		cx, cy := x+float64(i%cols)*cell, y+float64(i/cols)*cell
		fill := hexColor(signedColor(float64(v), limit))
		if pixels {
			g := uint8(255 * math.Max(0, math.Min(1, float64(v))))
			fill = hexColor(color.RGBA{g, g, g, 255})
		}
		cv.Box(cx, cy, cell, cell, fill, "#999")
		bg := fill
		cv.Box(cx+cell*0.05, cy+cell*0.32, cell*0.9, cell*0.36, lighten(bg), "")
		cv.Text(cx+cell/2, cy+cell/2+4, 10, canvas.Middle, twoDecimals(v))
	}
}

// twoDecimals writes v to two decimals, never as "-0.00".
func twoDecimals(v float32) string {
	s := fmt.Sprintf("%.2f", v)
	if s == "-0.00" {
		return "0.00"
	}
	return s
}

// lighten makes a pale backing for a number written on a coloured cell.
func lighten(hex string) string {
	c := canvas.ParseHex(hex)
	return hexColor(mix(c, color.RGBA{255, 255, 255, 255}, 0.7))
}

// FlattenPicture shows Flatten laying a pooled digit's maps (height × width ×
// channels) out in one row, the input of the Dense layer after it.
type FlattenPicture struct {
	From, Layer string
	Maps        Array // [h, w, channels] for one image
	Next        ParamFormula
}

func (p FlattenPicture) Size() (int, int) { return 820, 250 }

func (p FlattenPicture) Text() string {
	s := p.Maps.Shape
	return fmt.Sprintf(tr("%s: %d×%d×%d → one row of %s values → %s: %s = %s weights"),
		p.Layer, s[0], s[1], s[2], thousands(len(p.Maps.Data)), p.Next.Name, p.Next.Formula, thousands(p.Next.Params))
}

func (p FlattenPicture) draw(cv canvas.Canvas) {
	cv.Begin(820, 250)
	s := p.Maps.Shape
	cv.Text(410, 20, 14, canvas.Middle, p.Text())
	limit := math.Max(maxAbs(p.Maps.Data), 1e-6)
	row := Array{Shape: []int{1, len(p.Maps.Data)}, Data: p.Maps.Data}
	cv.Text(12, 52, 11, canvas.Start, fmt.Sprintf(tr("the %d maps of %s, %d×%d each:"), s[2], p.From, s[0], s[1]))
	side := math.Min(44, 790/float64(s[2])-4)
	for c := range s[2] {
		m := zeros(s[0], s[1])
		for i := range m.Data {
			m.Data[i] = p.Maps.Data[i*s[2]+c]
		}
		cv.Pixels(12+float64(c)*(side+4), 60, side, side, heatmap(m, limit))
	}
	cv.Text(12, 134, 11, canvas.Start, fmt.Sprintf(tr("%s: all %s values in one row (value k is map k mod %d at pixel k div %d):"), p.Layer, thousands(len(row.Data)), s[2], s[2]))
	cv.Pixels(12, 142, 796, 18, heatmap(row, limit))
	cv.Box(12, 142, 796, 18, "none", "#888")
	// Enlarge three pixels' values from where the maps are brightest.
	pixel, best := 0, float32(-1)
	for q := range s[0] * s[1] {
		var sum float32
		for _, v := range p.Maps.Data[q*s[2] : (q+1)*s[2]] {
			sum += v
		}
		if sum > best {
			pixel, best = q, sum
		}
	}
	pixel = min(pixel, s[0]*s[1]-3)
	from, zoom := pixel*s[2], 3*s[2]
	cv.Text(12, 184, 11, canvas.Start, fmt.Sprintf(tr("values %d to %d, enlarged: pixel (%d,%d) of every map, then (%d,%d), then (%d,%d):"),
		from, from+zoom-1, pixel/s[1], pixel%s[1], (pixel+1)/s[1], (pixel+1)%s[1], (pixel+2)/s[1], (pixel+2)%s[1]))
	cell := 796 / float64(zoom)
	cv.Pixels(12, 192, cell*float64(zoom), 18, heatmap(Array{Shape: []int{1, zoom}, Data: row.Data[from : from+zoom]}, limit))
	for k := 0; k <= zoom; k += s[2] {
		cv.Line([]canvas.Point{{X: 12 + cell*float64(k), Y: 188}, {X: 12 + cell*float64(k), Y: 214}}, "#333", 1)
	}
	colourScale(cv, 610, 224, 198, limit, false, "")
}

// FlattenView is the FlattenPicture of image i of the outputs: what the
// model's first Flatten layer receives, and the Dense layer it feeds.
func FlattenView(m *Model, outs []LayerOutput, i int) (FlattenPicture, error) {
	formulas, err := m.ParamFormulas()
	if err != nil {
		return FlattenPicture{}, err
	}
	return flattenView(formulas, outs, i)
}

// flattenView is FlattenView from the model's parameter formulas, one per
// layer as outs lists them.
func flattenView(formulas []ParamFormula, outs []LayerOutput, i int) (FlattenPicture, error) {
	for k, o := range outs {
		if o.Type != "Flatten" || k == 0 || k+1 >= len(outs) {
			continue
		}
		before := outs[k-1].Value
		if len(before.Shape) != 4 || i < 0 || i >= before.Shape[0] {
			return FlattenPicture{}, fmt.Errorf("flatten: image %d of outputs shaped %v", i, before.Shape)
		}
		return FlattenPicture{From: outs[k-1].Name, Layer: o.Name, Maps: before.Item(i), Next: formulas[k+1]}, nil
	}
	return FlattenPicture{}, fmt.Errorf("the model has no Flatten layer between two others")
}

// PoolingPicture shows one feature map beside its 2×2 pooling of the four
// kinds the tutorial lists (max, average, min, L2), all on one colour scale,
// and one block of four values with what each kind keeps of it.
type PoolingPicture struct {
	Layer    string
	Channel  int      // which of the layer's feature maps
	Map      Array    // the feature map, [h, w]
	Kinds    []string // "max", "average", "min", "L2"
	Pooled   []Array  // the map pooled by each kind, [h/2, w/2]
	Row, Col int      // the block written out, in pooled pixels: where max pooling keeps the most
}

// PoolingKinds pools feature map channel of image i of a Conv2D's output
// (outs as LayerOutputs gives them) over 2×2 blocks in the four ways the
// tutorial lists: max (Keras' MaxPooling2D, the one the CNN uses), average
// (AveragePooling2D), min, and L2 (the block's √(Σ v²)).
func PoolingKinds(outs []LayerOutput, layer string, i, channel int) (PoolingPicture, error) {
	o, err := outputNamed(outs, layer)
	if err != nil {
		return PoolingPicture{}, err
	}
	s := o.Value.Shape // [N, h, w, channels]
	switch {
	case len(s) != 4 || s[1] < 2 || s[2] < 2:
		return PoolingPicture{}, fmt.Errorf("%s gives %v per image, not feature maps to pool: PoolingKinds takes a Conv2D or MaxPooling2D layer", layer, s[1:])
	case i < 0 || i >= s[0]:
		return PoolingPicture{}, fmt.Errorf("%s: image %d: the outputs hold images 0 to %d", layer, i, s[0]-1)
	case channel < 0 || channel >= s[3]:
		return PoolingPicture{}, fmt.Errorf("%s: feature map %d: the layer has maps 0 to %d", layer, channel, s[3]-1)
	}
	p := PoolingPicture{Layer: layer, Channel: channel, Map: channelMap(o.Value.Item(i), channel), Kinds: slices.Clone(poolingKinds)}
	for _, kind := range p.Kinds {
		p.Pooled = append(p.Pooled, pool2x2(p.Map, kind))
	}
	top := TopUnits(p.Pooled[0].Data, 1)[0]
	p.Row, p.Col = top/p.Pooled[0].Shape[1], top%p.Pooled[0].Shape[1]
	return p, nil
}

// KindName names kind k as the picture does, in the edition's language:
// "max pooling", 最大池化.
func (p PoolingPicture) KindName(k int) string { return fmt.Sprintf(tr("%s pooling"), tr(p.Kinds[k])) }

// Block is the 2×2 block of the map that pools into (Row, Col): top left,
// top right, bottom left, bottom right.
func (p PoolingPicture) Block() [4]float32 { return block2x2(p.Map, p.Row, p.Col) }

const poolPixel = 7.0 // CSS pixels per feature-map pixel, the same in every panel

func (p PoolingPicture) Size() (int, int) {
	rows, cols := p.Map.Shape[0], p.Map.Shape[1]
	return int(24 + poolPixel*float64(cols+len(p.Kinds)*(cols/2)) + 24*float64(len(p.Kinds))), int(164 + poolPixel*float64(rows))
}

func (p PoolingPicture) Text() string {
	b := p.Block()
	lines := []string{
		fmt.Sprintf(tr("%s, feature map %d (%d×%d), pooled over 2×2 blocks into %d×%d"),
			p.Layer, p.Channel, p.Map.Shape[0], p.Map.Shape[1], p.Map.Shape[0]/2, p.Map.Shape[1]/2),
		fmt.Sprintf(tr("the orange block, rows %d–%d and columns %d–%d: %.4f %.4f / %.4f %.4f"),
			2*p.Row, 2*p.Row+1, 2*p.Col, 2*p.Col+1, b[0], b[1], b[2], b[3]),
	}
	var kept []string
	for k, kind := range p.Kinds {
		kept = append(kept, fmt.Sprintf(tr("%s pooling"), tr(kind))+fmt.Sprintf(" %.4f", p.Pooled[k].At(p.Row, p.Col)))
	}
	return strings.Join(append(lines, strings.Join(kept, tr("; "))), "\n")
}

func (p PoolingPicture) draw(cv canvas.Canvas) {
	w, h := p.Size()
	cv.Begin(float64(w), float64(h))
	lines := strings.Split(p.Text(), "\n")
	cv.Text(float64(w)/2, 20, 14, canvas.Middle, lines[0])
	limit := math.Max(maxAbs(append([][]float32{p.Map.Data}, dataOf(p.Pooled)...)...), 1e-6)
	signed := slices.ContainsFunc(append([][]float32{p.Map.Data}, dataOf(p.Pooled)...), func(d []float32) bool {
		return slices.ContainsFunc(d, func(v float32) bool { return v < 0 })
	})
	x, y := 12.0, 44.0
	panel := func(a Array, caption string, blockSide float64) {
		side := poolPixel * float64(a.Shape[1])
		cv.Pixels(x, y, side, poolPixel*float64(a.Shape[0]), heatmap(a, limit))
		cv.Box(x, y, side, poolPixel*float64(a.Shape[0]), "none", "#bbb")
		at := blockSide / poolPixel // the block's pixels in this panel: 2 in the map, 1 pooled
		cv.Box(x+poolPixel*at*float64(p.Col)-1, y+poolPixel*at*float64(p.Row)-1, blockSide+2, blockSide+2, "none", "#ff7f0e")
		cv.Text(x+side/2, y+poolPixel*float64(a.Shape[0])+14, 11, canvas.Middle, caption)
		x += side + 24
	}
	panel(p.Map, fmt.Sprintf(tr("feature map %d"), p.Channel), 2*poolPixel)
	for k, kind := range p.Kinds {
		panel(p.Pooled[k], fmt.Sprintf(tr("%s pooling"), tr(kind)), poolPixel)
	}
	cv.Text(12, float64(h)-86, 12, canvas.Start, lines[1])
	cv.Text(12, float64(h)-66, 12, canvas.Start, "→ "+lines[2])
	colourScale(cv, float64(w)/2-100, float64(h)-34, 200, limit, signed, tr("activation"))
}

// dataOf lists the arrays' values.
func dataOf(as []Array) [][]float32 {
	var d [][]float32
	for _, a := range as {
		d = append(d, a.Data)
	}
	return d
}
