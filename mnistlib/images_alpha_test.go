package mnistlib

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// inkDigit draws paperDigit's "L" stroke in ink on a background, both with
// their own alpha (non-premultiplied), w×h pixels.
func inkDigit(w, h int, ink, background color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := background
			inStem := x > w/3 && x < w/3+w/10 && y > h/5 && y < h*4/5
			inFoot := y > h*4/5-h/12 && y < h*4/5 && x > w/3 && x < w*2/3
			if inStem || inFoot {
				c = ink
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// writePNG encodes img as a PNG file in dir and returns its path.
func writePNG(t *testing.T, dir, name string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	writeFile(t, path, b.Bytes())
	return path
}

// A picture with a transparent background is read by its alpha: opaque ink is
// the digit whatever its colour, as drawing apps save white or black strokes on
// a transparent layer; a picture with nothing opaque is blank. Each must read
// as the same drawing made with black ink on opaque white paper.
func TestReadDigitByAlpha(t *testing.T) {
	dir := t.TempDir()
	black, white := color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}
	want, err := ReadDigit(writePNG(t, dir, "reference.png", inkDigit(90, 120, black, white)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		ink, paper  color.NRGBA
		wantErr     string // "" when it reads as the reference
		wantOpaqued bool   // an opaque picture: read by colour, as before
	}{
		{"white ink, transparent white paper", white, color.NRGBA{255, 255, 255, 0}, "", false},
		{"white ink, transparent black paper", white, color.NRGBA{0, 0, 0, 0}, "", false},
		{"black ink, transparent white paper", black, color.NRGBA{255, 255, 255, 0}, "", false},
		{"black ink, transparent black paper", black, color.NRGBA{0, 0, 0, 0}, "", false},
		{"red ink, transparent paper", color.NRGBA{220, 20, 20, 255}, color.NRGBA{255, 255, 255, 0}, "", false},
		{"fully transparent", color.NRGBA{0, 0, 0, 0}, color.NRGBA{255, 255, 255, 0}, "blank", false},
		{"fully transparent with coloured pixels", color.NRGBA{0, 0, 0, 0}, color.NRGBA{200, 100, 0, 0}, "blank", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePNG(t, dir, "d.png", inkDigit(90, 120, tc.ink, tc.paper))
			got, err := ReadDigit(path)
			if tc.wantErr != "" {
				assertErrorMentions(t, err, "d.png", tc.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("ReadDigit: %v", err)
			}
			if !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("read differently from the same drawing in black on white:\n%s\nwant\n%s", digitArt(got), digitArt(want))
			}
		})
	}
}

// A picture on opaque paper with a few transparent pixels (rounded corners, say)
// is still read by its colour: alpha decides only when the background is transparent.
func TestReadDigitOpaquePaperWithTransparentCorners(t *testing.T) {
	dir := t.TempDir()
	black, white := color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}
	want, err := ReadDigit(writePNG(t, dir, "reference.png", inkDigit(90, 120, black, white)))
	if err != nil {
		t.Fatal(err)
	}
	img := inkDigit(90, 120, black, white)
	for _, p := range []image.Point{{0, 0}, {89, 0}, {0, 119}, {89, 119}} {
		img.SetNRGBA(p.X, p.Y, color.NRGBA{})
	}
	got, err := ReadDigit(writePNG(t, dir, "corners.png", img))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Pix, want.Pix) {
		t.Errorf("transparent corners changed the digit:\n%s\nwant\n%s", digitArt(got), digitArt(want))
	}
}

// digitArt draws a digit in characters, for failure messages.
func digitArt(d Digit) string {
	var b bytes.Buffer
	for y := range d.Rows {
		for x := range d.Cols {
			b.WriteByte(" .:-=+*#%@"[int(d.Pix[y*d.Cols+x])*10/256])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// The largest pictures ReadDigit takes are read in bounded memory, whatever
// their shape: each is read by a child process, whose peak memory is measured.
// The 1×16,777,216 PNG took 1.5 GB before; it is now read whole and then
// refused, its line having too little ink at 28×28.
func TestReadDigitMemory(t *testing.T) {
	if path := os.Getenv("MNISTLIB_TEST_READ_DIGIT"); path != "" {
		d, err := ReadDigit(path)
		fmt.Printf("ERROR: %v\nINK: %d\n", err, digitInk(d))
		reportPeak()
		return
	}
	if testing.Short() {
		t.Skip("writes pictures of 16 megapixels")
	}
	dir := t.TempDir()
	const limitMiB = 512
	for _, tc := range []struct {
		name    string
		img     func() image.Image
		wantErr string // what the child's "ERROR: " line must hold
	}{
		{"4000×4000 RGBA", func() image.Image {
			return paperDigit(4000, 4000)
		}, "ERROR: <nil>"},
		{"4000×4000 RGBA, 16 bits a channel", func() image.Image {
			src, img := paperDigit(4000, 4000), image.NewRGBA64(image.Rect(0, 0, 4000, 4000))
			for i, p := range src.Pix {
				img.Pix[2*i], img.Pix[2*i+1] = p, p
			}
			return img
		}, "ERROR: <nil>"},
		{"1×16,777,216 with transparency", func() image.Image {
			return tallLine(MaxDigitPixels)
		}, "the digit has too little ink"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePNG(t, dir, "big.png", tc.img())
			out, peak := peakInChild(t, "TestReadDigitMemory", "MNISTLIB_TEST_READ_DIGIT="+path)
			t.Logf("peak memory reading it: %d MiB", peak)
			if !bytes.Contains([]byte(out), []byte(tc.wantErr)) {
				t.Errorf("the child did not report %q:\n%s", tc.wantErr, out)
			}
			if peak > limitMiB {
				t.Errorf("reading it took %d MiB at peak, want at most %d", peak, limitMiB)
			}
		})
	}
}

// tallLine is a 1×n picture, transparent but for an opaque black line down all
// of it but its ends: a digit "1" at the widest aspect ratio the pixel cap allows
// (ReadDigit refuses it: at 28×28 it holds no ink).
func tallLine(n int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 1, n))
	for y := 2; y < n-2; y++ {
		img.Pix[4*y+3] = 255
	}
	return img
}

func digitInk(d Digit) int {
	n := 0
	for _, p := range d.Pix {
		n += int(p)
	}
	return n
}
