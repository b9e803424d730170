package mnistlib

import (
	"errors"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// page is a w×h picture of white paper with black ink at the points mark
// says, as a drawing app saves it (opaque RGB).
func page(w, h int, mark func(x, y int) bool) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if !mark(x, y) {
				g.Pix[y*w+x] = 255
			}
		}
	}
	return g
}

// A picture whose digit, once prepared, has too little ink to read is refused,
// whatever the picture's size or shape, with an error that says so and what
// to do; before, each came back as a digit (all black, or nearly so).
func TestReadDigitTooLittleInk(t *testing.T) {
	dir := t.TempDir()
	at := func(points ...image.Point) func(x, y int) bool {
		return func(x, y int) bool { return slices.Contains(points, image.Pt(x, y)) }
	}
	cases := []struct {
		name  string
		big   bool // 16 megapixels: skipped with -short
		img   func() image.Image
		wants []string
	}{
		{"1×16,777,216 line", true, func() image.Image { return tallLine(MaxDigitPixels) }, []string{"0.0 of 784 pixels"}},
		{"16,777,216×1 line", true, func() image.Image {
			img := image.NewNRGBA(image.Rect(0, 0, MaxDigitPixels, 1))
			for x := 2; x < MaxDigitPixels-2; x++ {
				img.Pix[4*x+3] = 255
			}
			return img
		}, []string{"0.0 of 784 pixels"}},
		{"two dots on a 1000×1000 page", false, func() image.Image {
			return page(1000, 1000, at(image.Pt(100, 100), image.Pt(900, 800)))
		}, []string{"0.0 of 784 pixels"}},
		{"two neighbouring dots on a 1000×1000 page", false, func() image.Image {
			return page(1000, 1000, at(image.Pt(100, 100), image.Pt(101, 100)))
		}, []string{"spans only 2×1 pixels", "too few to scale up"}},
		{"slanted hairline on a 2000×2000 page", false, func() image.Image {
			return page(2000, 2000, func(x, y int) bool { return x == y && x > 100 && x < 1900 })
		}, []string{"0.2 of 784 pixels"}},
		{"upright hairline on a 2000×2000 page", false, func() image.Image {
			return page(2000, 2000, func(x, y int) bool { return x == 1000 && y > 100 && y < 1900 })
		}, []string{"0.2 of 784 pixels"}},
		{"flat hairline on a 2000×2000 page", false, func() image.Image {
			return page(2000, 2000, func(x, y int) bool { return y == 1000 && x > 100 && x < 1900 })
		}, []string{"0.2 of 784 pixels"}},
		{"two dots on a 28×28 picture, taken as it is", false, func() image.Image {
			return page(28, 28, at(image.Pt(10, 10), image.Pt(17, 17)))
		}, []string{"2.0 of 784 pixels"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.big && testing.Short() {
				t.Skip("writes a picture of 16 megapixels")
			}
			path := writePNG(t, dir, "d.png", c.img())
			_, err := ReadDigit(path)
			assertErrorMentions(t, err, append(c.wants, path, "the digit has too little ink", "draw it larger")...)
			if !errors.Is(err, errTooLittleInk) {
				t.Errorf("the error does not wrap errTooLittleInk")
			}
		})
	}
}

// A line 1 pixel wide is read as a "1" while, fitted into 20×20, it would
// still be a third of a pixel wide or more; refused once it would be a fifth
// or less (its ink, 20 pixels long, then under minDigitInk).
func TestReadDigitThinStrokes(t *testing.T) {
	for _, c := range []struct {
		long int
		ok   bool
	}{{10, true}, {40, true}, {60, true}, {100, false}, {400, false}} {
		img := page(c.long+20, c.long+20, func(x, y int) bool { return x == 10 && y >= 10 && y < 10+c.long })
		_, err := DigitFromImage(img)
		if (err == nil) != c.ok {
			t.Errorf("a 1×%d line: %v, want accepted %v", c.long, err, c.ok)
		}
	}
}

// MNIST's 60,000 training digits are all read: as 28×28 pictures (taken as
// they are) and scaled to 56×56 (prepared again: cropped, fitted, centred).
// Their ink stays well above the threshold (minDigitInk's comment).
func TestInkOfRealDigits(t *testing.T) {
	l, err := realMNIST()
	if err != nil {
		if os.Getenv("WORKBOOK_REQUIRE_SETUP") == "1" {
			t.Fatalf("MNIST: %v", err)
		}
		t.Skipf("MNIST is not at hand (%v)", err)
	}
	data, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	train := data.Train.Images
	for _, scale := range []int{1, 2} {
		if scale > 1 && testing.Short() {
			continue
		}
		least := 784.0
		for i := range train.N {
			src := train.Digit(i)
			side := 28 * scale
			g := image.NewGray(image.Rect(0, 0, side, side))
			for y := range side {
				for x := range side {
					g.Pix[y*side+x] = src.Pix[y/scale*28+x/scale]
				}
			}
			box, _ := inkBox(g)
			if scale == 1 {
				box = g.Rect
			}
			d, err := DigitFromImage(g)
			if err != nil {
				t.Fatalf("training digit %d at %d×%d: %v", i, side, side, err)
			}
			least = min(least, inkAfterScaling(d, box.Size()))
		}
		t.Logf("%d training digits at %d×%d: the least ink %.1f pixels", train.N, 28*scale, 28*scale, least)
		if least < 3*minDigitInk {
			t.Errorf("a training digit at %d×%d holds %.1f pixels of ink, less than three times the threshold %d", 28*scale, 28*scale, least, minDigitInk)
		}
	}
}

// Every picture the notebooks read (the samples 07 reads, 10's outside digits)
// is read, with ink to spare.
func TestSampleAndOutsideInk(t *testing.T) {
	images := filepath.Join("..", "notebooks", "images")
	var paths []string
	for _, dir := range []string{images, filepath.Join(images, "outside")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if ext := strings.ToLower(filepath.Ext(e.Name())); !e.IsDir() && slices.Contains([]string{".png", ".bmp", ".jpg"}, ext) {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(paths) < 900 {
		t.Fatalf("%d pictures under %s, want the 5 samples and the outside digits", len(paths), images)
	}
	least, leastPath := 784.0, ""
	for _, path := range paths {
		d, err := ReadDigit(path)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if ink := inkAfterScaling(d, image.Pt(28, 28)); ink < least {
			least, leastPath = ink, path
		}
	}
	t.Logf("%d pictures: the least ink %.1f pixels (%s)", len(paths), least, leastPath)
	if least < 3*minDigitInk {
		t.Errorf("%s holds %.1f pixels of ink, less than three times the threshold %d", leastPath, least, minDigitInk)
	}
}

// The drawing pad shares the rule: a hairline drawn with a 1-pixel pen on a
// large canvas gets a note instead of an answer; a blank canvas, none.
func TestPadTooLittleInk(t *testing.T) {
	p := testPad(t)
	a, ok, err := p.answer(DrawStrokes(2000, 2000, 1, []Stroke{{{1000, 100}, {1000, 1900}}}))
	if ok || err != nil || !strings.Contains(a.TooLittle, "too little ink") {
		t.Errorf("a hairline: ok %v, %v, note %q; want no answer, no error, a note about ink", ok, err, a.TooLittle)
	}
	a, ok, err = p.answer(DrawStrokes(280, 280, 18, nil))
	if ok || err != nil || a.TooLittle != "" {
		t.Errorf("a blank canvas: ok %v, %v, note %q; want no answer and no note", ok, err, a.TooLittle)
	}
	s, f := newFakeSession(t, p, true)
	s.handle(padMessage{Seq: 1, Kind: "strokes", Width: 2000, Height: 2000, Pen: 1, Strokes: [][]float64{{1000, 100, 1000, 1900}}})
	if shown, _ := f.record(); len(shown) != 1 || !strings.Contains(shown[0], "too little ink") || s.last != nil {
		t.Errorf("shown %q, last %v; want the note and no last answer", shown, s.last)
	}
}

// A folder named like a picture is refused as a folder (the FIFO, the device
// and the socket: images_fifo_test.go).
func TestReadDigitFolderNamedLikeAPicture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "7-pen-1.png")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := ReadDigit(path)
	assertErrorMentions(t, err, path, "7-pen-1.png is a folder, not a regular file")
}
