package mnistlib

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestDigitImage(t *testing.T) {
	d := tinyData(1).Train.Images.Digit(0)
	img := d.Image(3)
	if img.Rect.Dx() != 84 || img.Rect.Dy() != 84 {
		t.Fatalf("size %v, want 84×84", img.Rect.Size())
	}
	// Pixel (row 1, col 2) = byte 30 covers the 3×3 square at (6..8, 3..5).
	for _, p := range []image.Point{{6, 3}, {8, 5}} {
		if got := img.GrayAt(p.X, p.Y).Y; got != 30 {
			t.Errorf("pixel %v = %d, want 30", p, got)
		}
	}
}

func TestGalleryMarksMistakes(t *testing.T) {
	d := tinyData(6).Train
	red := func(img *image.RGBA) int {
		n := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i] > 200 && img.Pix[i+1] < 60 && img.Pix[i+2] < 60 {
				n++
			}
		}
		return n
	}
	cases := []struct {
		name      string
		predicted []int
		wantRed   bool
	}{
		{"labels only", nil, false},
		{"all right", []int{0, 1, 2, 3, 4, 5}, false},
		{"one wrong", []int{0, 1, 7, 3, 4, 5}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := Gallery{Images: d.Images, Labels: d.Labels, Predicted: c.predicted, Columns: 3}.Image()
			if img.Rect.Dx() < 3*84 || img.Rect.Dy() < 2*84 {
				t.Errorf("gallery %v too small for 3×2 digits at scale 3", img.Rect.Size())
			}
			if got := red(img) > 0; got != c.wantRed {
				t.Errorf("red pixels present = %v, want %v", got, c.wantRed)
			}
		})
	}
}

func TestSavePNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := SavePNG(Gallery{Images: tinyData(4).Test.Images}.Image(), path); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("written PNG does not decode: %v", err)
	}
	assertErrorMentions(t, SavePNG(image.NewGray(image.Rect(0, 0, 1, 1)), "/nonexistent/dir/x.png"), "/nonexistent/dir/x.png")
}

// A test digit written as BMP and read back is the same network input.
func TestBMPRoundTrip(t *testing.T) {
	_, data := loadReal(t)
	for _, i := range []int{0, 7, 9999} {
		want := data.Test.Images.Digit(i)
		path := filepath.Join(t.TempDir(), "digit.bmp")
		if err := SaveBMP(want, path); err != nil {
			t.Fatal(err)
		}
		got, err := ReadDigit(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("test digit %d changed on its way through BMP", i)
		}
	}
}

// paperDigit draws a dark "L"-shaped stroke on light gray paper, w×h pixels.
func paperDigit(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{235, 232, 225, 255}
			inStem := x > w/3 && x < w/3+w/10 && y > h/5 && y < h*4/5
			inFoot := y > h*4/5-h/12 && y < h*4/5 && x > w/3 && x < w*2/3
			if inStem || inFoot {
				c = color.RGBA{30, 30, 60, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func TestDigitFromPaper(t *testing.T) {
	for _, size := range []image.Point{{120, 160}, {300, 200}, {50, 50}} {
		d, err := DigitFromImage(paperDigit(size.X, size.Y))
		if err != nil {
			t.Fatal(err)
		}
		if d.Rows != 28 || d.Cols != 28 {
			t.Fatalf("%v: digit %d×%d, want 28×28", size, d.Rows, d.Cols)
		}
		box, _ := inkBox(d.Image(1))
		if max(box.Dx(), box.Dy()) != 20 && max(box.Dx(), box.Dy()) != 21 {
			t.Errorf("%v: ink box %v, want its longer side scaled to 20", size, box)
		}
		var sum, sx, sy, maxv float64
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				v := float64(d.At(y, x))
				sum, sx, sy, maxv = sum+v, sx+v*(float64(x)+.5), sy+v*(float64(y)+.5), math.Max(maxv, v)
			}
		}
		if cx, cy := sx/sum, sy/sum; math.Abs(cx-14) > 1 || math.Abs(cy-14) > 1 {
			t.Errorf("%v: centre of mass (%.1f, %.1f), want (14, 14)", size, cx, cy)
		}
		if d.At(0, 0) != 0 || d.At(27, 27) != 0 || maxv < 250 {
			t.Errorf("%v: want white ink (max %v) on black (corners %d, %d)", size, maxv, d.At(0, 0), d.At(27, 27))
		}
	}
}

func TestReadDigitFormats(t *testing.T) {
	dir := t.TempDir()
	img := paperDigit(90, 120)
	var pngBuf, jpgBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	jpeg.Encode(&jpgBuf, img, &jpeg.Options{Quality: 90})
	writeFile(t, filepath.Join(dir, "d.png"), pngBuf.Bytes())
	writeFile(t, filepath.Join(dir, "d.jpg"), jpgBuf.Bytes())
	a, err := ReadDigit(filepath.Join(dir, "d.png"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadDigit(filepath.Join(dir, "d.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	diff := 0
	for i := range a.Pix {
		diff = max(diff, int(a.Pix[i])-int(b.Pix[i]), int(b.Pix[i])-int(a.Pix[i]))
	}
	if diff > 80 {
		t.Errorf("PNG and JPEG of one drawing differ by up to %d gray levels", diff)
	}
}

func TestReadDigitErrors(t *testing.T) {
	dir := t.TempDir()
	white := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range white.Pix {
		white.Pix[i] = 250
	}
	var blankPNG, goodPNG bytes.Buffer
	png.Encode(&blankPNG, white)
	png.Encode(&goodPNG, paperDigit(40, 40))
	files := map[string][]byte{
		"notes.txt": []byte("this is not an image"),
		"blank.png": blankPNG.Bytes(),
		"cut.png":   goodPNG.Bytes()[:goodPNG.Len()/2],
		"huge.png":  pngClaiming(t, 30000, 30000),
		"wide.png":  pngClaiming(t, 20_000_000, 1),
	}
	for name, b := range files {
		writeFile(t, filepath.Join(dir, name), b)
	}
	cases := []struct {
		file string
		want []string
	}{
		{"missing.bmp", []string{"missing.bmp", "no such file"}},
		{"notes.txt", []string{"notes.txt", "not a BMP, PNG or JPEG"}},
		{"blank.png", []string{"blank.png", "no digit found", "blank"}},
		{"cut.png", []string{"cut.png", "damaged png image"}},
		{"huge.png", []string{"huge.png", "30000×30000 pixels", "at most 16 megapixels", "scale the picture down"}},
		{"wide.png", []string{"wide.png", "20000000×1 pixels"}},
	}
	for _, c := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ReadDigit(filepath.Join(dir, c.file))
		runtime.ReadMemStats(&after)
		assertErrorMentions(t, err, c.want...)
		// A picture that claims to be huge is refused before it is decoded.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
			t.Errorf("%s: reading it allocated %d MiB", c.file, grew>>20)
		}
	}
}

// pngClaiming is a tiny PNG whose header says it is w×h pixels: a real 1×1
// PNG with its IHDR chunk rewritten (and its checksum fixed).
func pngClaiming(t testing.TB, w, h uint32) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA64(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	ihdr := data[8+4 : 8+4+4+13] // after the signature and the chunk's length: "IHDR" + 13 bytes
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	binary.BigEndian.PutUint32(data[8+4+4+13:], crc32.ChecksumIEEE(ihdr))
	return data
}
