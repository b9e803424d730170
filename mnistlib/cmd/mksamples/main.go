// Command mksamples writes the sample images the prediction notebooks read:
// a few test digits exported as 28×28 BMP (like the tutorial's 9.bmp), and
// digits "drawn" by this program as dark ink on white paper at other sizes,
// the way a learner's own drawing or photo would look.
//
//	go run ./mnistlib/cmd/mksamples notebooks/images
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/gonb-mnist/workbook/mnistlib"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: mksamples OUTPUT_FOLDER")
	}
	out := os.Args[1]
	data, err := mnistlib.LoadData()
	if err != nil {
		log.Fatal(err)
	}
	// Test-set digits: index 7 is a 9, the tutorial's file name.
	for _, i := range []int{7, 1, 18} {
		name := fmt.Sprintf("%d.bmp", data.Test.Labels[i])
		if err := mnistlib.SaveBMP(data.Test.Images.Digit(i), filepath.Join(out, name)); err != nil {
			log.Fatal(err)
		}
	}
	save(filepath.Join(out, "drawn_7.png"), drawOnPaper(180, 240, seven))
	save(filepath.Join(out, "drawn_4.jpg"), drawOnPaper(320, 300, four))
}

// Strokes in a unit square (0,0 top left), as a pen would draw them.
var (
	seven = [][2]float64{{0.22, 0.2}, {0.78, 0.2}, {0.62, 0.45}, {0.45, 0.82}}
	four  = [][2]float64{{0.6, 0.82}, {0.6, 0.18}, {0.25, 0.6}, {0.75, 0.6}}
)

// drawOnPaper draws a polyline with a round pen of dark blue ink on slightly
// uneven off-white paper, w×h pixels.
func drawOnPaper(w, h int, stroke [][2]float64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	pen := 0.045 * float64(min(w, h)) // pen radius
	for y := range h {
		for x := range w {
			d := math.Inf(1)
			for i := 1; i < len(stroke); i++ {
				a := [2]float64{stroke[i-1][0] * float64(w), stroke[i-1][1] * float64(h)}
				b := [2]float64{stroke[i][0] * float64(w), stroke[i][1] * float64(h)}
				d = math.Min(d, segmentDistance(float64(x), float64(y), a, b))
			}
			inkAmount := math.Max(0, math.Min(1, pen-d+0.5)) // anti-aliased edge
			shade := 0.97 - 0.04*float64(y)/float64(h) + 0.01*math.Sin(float64(x*7+y*13))
			paper := [3]float64{shade * 255, shade * 250, shade * 240}
			inkC := [3]float64{35, 40, 70}
			var c [3]uint8
			for k := range c {
				c[k] = uint8(paper[k]*(1-inkAmount) + inkC[k]*inkAmount)
			}
			img.Set(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	return img
}

func segmentDistance(px, py float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := ((px-a[0])*dx + (py-a[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(px-(a[0]+t*dx), py-(a[1]+t*dy))
}

func save(path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if filepath.Ext(path) == ".jpg" {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 90})
	} else {
		err = png.Encode(f, img)
	}
	if err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
