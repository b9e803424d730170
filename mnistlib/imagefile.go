package mnistlib

import (
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG for image.Decode
	_ "image/png"  // registers PNG
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/gonb-mnist/workbook/internal/safefile"
	"golang.org/x/image/bmp" // registers BMP, and writes it
	xdraw "golang.org/x/image/draw"
)

// MaxDigitPixels is the largest picture ReadDigit decodes: 16 megapixels (a
// 4000×4000 photo of a digit; decoding it takes up to 128 MB). A file can
// declare any size in a few bytes, so the size is checked before decoding.
const MaxDigitPixels = 16 << 20

// ReadDigit reads a digit from an image file (BMP, PNG or JPEG) and turns it
// into a 28×28 MNIST input. See DigitFromImage for what it does to the image,
// and for the pictures it refuses as holding no digit to read.
//
// The file is opened as checkpoints' files are (safefile.OpenRegular): a regular file,
// or a link to one; a FIFO, device, socket or folder is refused, without
// waiting on it.
func ReadDigit(path string) (Digit, error) {
	f, _, err := safefile.OpenRegular(path)
	if errors.Is(err, safefile.ErrNotRegular) {
		return Digit{}, fmt.Errorf("read digit %s: %w; save the picture as a BMP, PNG or JPEG file", path, err)
	}
	if err != nil {
		return Digit{}, fmt.Errorf("read digit: %w", err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err == nil && (cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxDigitPixels) {
		return Digit{}, fmt.Errorf("read digit %s: the %s image says it is %d×%d pixels; ReadDigit takes at most %d megapixels: scale the picture down",
			path, format, cfg.Width, cfg.Height, MaxDigitPixels>>20)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Digit{}, fmt.Errorf("read digit %s: %w", path, err)
	}
	img, format, err := image.Decode(f)
	if errors.Is(err, image.ErrFormat) {
		return Digit{}, fmt.Errorf("read digit %s: not a BMP, PNG or JPEG image; save the drawing in one of those formats", path)
	}
	if err != nil {
		return Digit{}, fmt.Errorf("read digit %s: damaged %s image (%v); export it again", path, format, err)
	}
	d, err := DigitFromImage(img)
	if err != nil {
		return Digit{}, fmt.Errorf("read digit %s: %w", path, err)
	}
	return d, nil
}

// DigitFromImage prepares any picture of a digit the way MNIST's were made:
// grayscale, white ink on black (a light background is detected and
// inverted), the digit cropped to its bounding box, scaled to fit 20×20 and
// centred by its centre of mass in a 28×28 field.
//
// A 28×28 picture is taken as it is (after grayscale and inversion), the
// way the tutorial reads its 9.bmp: it is already an MNIST input.
//
// A picture with no digit to read is refused, whatever its size or shape:
// one blank or with only faint marks, and one whose digit, once prepared,
// has too little ink (see checkInk): two dots on a page, a hairline on a
// large photo, a picture 1 pixel wide. The error for the last wraps
// errTooLittleInk.
func DigitFromImage(img image.Image) (Digit, error) {
	gray := toGray(img)
	if blank(gray) {
		return Digit{}, errors.New("no digit found: the image is blank (a single shade); draw a dark digit on light paper or a light one on dark")
	}
	if lightBackground(gray) {
		for i, p := range gray.Pix {
			gray.Pix[i] = 255 - p
		}
	}
	b := gray.Rect
	if b.Dx() == 28 && b.Dy() == 28 {
		d := Digit{Rows: 28, Cols: 28, Pix: gray.Pix}
		if err := checkInk(d, b.Size()); err != nil {
			return Digit{}, err
		}
		return d, nil
	}
	stretchContrast(gray)
	box, ok := inkBox(gray)
	if !ok {
		return Digit{}, errors.New("no digit found: only faint marks, no strokes; draw the digit with a darker pen")
	}
	d := centre(fit20(gray.SubImage(box).(*image.Gray)))
	if err := checkInk(d, box.Size()); err != nil {
		return Digit{}, err
	}
	return d, nil
}

// minDigitInk is the least ink a digit may hold once prepared, in pixels'
// worth of full ink (inkAfterScaling: its 784 pixels' sum over 255).
//
// Measured (TestInkOfRealDigits and TestSampleAndOutsideInk keep these true):
// MNIST's 60,000 training digits hold at least 19.9 pixels' worth (the median
// digit 100), 19.6 once scaled to 56×56 and prepared again; the 961 pictures
// under notebooks/images (the samples, the outside digits) at least 15.3, a
// thin "1" (outside/1-pen-07.png). The pictures that hold no digit hold
// almost none: 0 for two dots on a white 1000×1000 page, a 1×16,777,216 or
// 16,777,216×1 line; 0.2 for a hairline across a 2000×2000 page, straight or
// slanted. 5 lies well below every real digit (a third of the thinnest) and
// far above those.
const minDigitInk = 5

// minInkSide is the fewest pixels the ink may span on its longer side before
// it is scaled to fit 20×20. A smaller mark is scaled up fivefold or more
// into a blob that reads as anything: two neighbouring dots would fill a
// 20×10 box. The smallest real digit under notebooks/images spans 17.
const minInkSide = 5

// errTooLittleInk marks a picture refused for holding too little ink to read.
var errTooLittleInk = errors.New("the digit has too little ink")

// checkInk refuses a prepared digit d with too little ink to read, box being
// the size of its ink before scaling (28×28 for a picture taken as it is).
func checkInk(d Digit, box image.Point) error {
	if max(box.X, box.Y) < minInkSide {
		return fmt.Errorf("%w: it spans only %d×%d pixels, too few to scale up to 20×20 (at least %d on its longer side); draw it larger, dark on light",
			errTooLittleInk, box.X, box.Y, minInkSide)
	}
	if ink := inkAfterScaling(d, box); ink < minDigitInk {
		return fmt.Errorf("%w after scaling to 28×28 (%.1f of %d pixels); draw it larger or with a thicker pen, dark on light",
			errTooLittleInk, ink, len(d.Pix))
	}
	return nil
}

// inkAfterScaling is the ink of a prepared digit d in pixels' worth of full
// ink (its pixels' sum over 255), box being the size of its ink before scaling.
//
// fit20 draws a side that would be under a pixel long one pixel long: a
// hairline 1 pixel wide and 2000 long becomes a full line 1 pixel wide and 20
// long. Such a digit's ink is counted at its true width (0.01 of that line),
// the ink the MNIST preparation's averaging would leave of it.
func inkAfterScaling(d Digit, box image.Point) float64 {
	sum := 0
	for _, p := range d.Pix {
		sum += int(p)
	}
	short, long := min(box.X, box.Y), max(box.X, box.Y)
	return float64(sum) / 255 * min(1, float64(short)*20/float64(long))
}

// blank reports whether the picture is (nearly) a single shade.
func blank(g *image.Gray) bool {
	lo, hi := uint8(255), uint8(0)
	for _, p := range g.Pix {
		lo, hi = min(lo, p), max(hi, p)
	}
	return int(hi)-int(lo) < 32
}

// toGray converts to 8-bit gray, one pixel at a time into a single byte plane
// (never a second full-size copy in a wider type). A picture whose border is
// mostly transparent (strokes on a transparent layer, as drawing apps save
// them) is read by its alpha: ink where it is opaque, whatever its colour, on
// black. Any other picture is read by its colour, transparent pixels laid on
// white paper.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	if src, ok := img.(*image.Gray); ok { // BMP and gray PNG: nothing to convert
		for y := range b.Dy() {
			copy(g.Pix[y*g.Stride:y*g.Stride+b.Dx()], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return g
	}
	byAlpha := transparentBorder(img)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := g.Pix[(y-b.Min.Y)*g.Stride:]
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.At(x, y)
			r, gr, bl, a := c.RGBA() // premultiplied by alpha, 16 bits
			if byAlpha {
				row[x-b.Min.X] = uint8(a >> 8)
				continue
			}
			// color.GrayModel's weights, plus the white showing through.
			v := (19595*r + 38470*gr + 7471*bl + 1<<15) >> 24
			row[x-b.Min.X] = uint8(v) + uint8((0xffff-a)>>8)
		}
	}
	return g
}

// transparentBorder reports whether the picture's border is mostly transparent:
// then its alpha, not its colour, tells ink from background. A few transparent
// pixels on opaque paper (rounded corners) do not count.
func transparentBorder(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return false
	}
	b := img.Bounds()
	var sum, n uint64
	add := func(x, y int) {
		_, _, _, a := img.At(x, y).RGBA()
		sum, n = sum+uint64(a), n+1
	}
	for x := b.Min.X; x < b.Max.X; x++ {
		add(x, b.Min.Y)
		add(x, b.Max.Y-1)
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		add(b.Min.X, y)
		add(b.Max.X-1, y)
	}
	return sum < n*0x8000
}

// lightBackground reports whether the border is mostly light, as paper is.
func lightBackground(g *image.Gray) bool {
	b := g.Rect
	sum, n := 0, 0
	for x := b.Min.X; x < b.Max.X; x++ {
		sum += int(g.GrayAt(x, b.Min.Y).Y) + int(g.GrayAt(x, b.Max.Y-1).Y)
		n += 2
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		sum += int(g.GrayAt(b.Min.X, y).Y) + int(g.GrayAt(b.Max.X-1, y).Y)
		n += 2
	}
	return sum/n > 127
}

// stretchContrast maps the background level (the median) to 0 and the
// brightest ink to 255, so gray paper and faded pencil look like MNIST.
func stretchContrast(g *image.Gray) {
	var hist [256]int
	for _, p := range g.Pix {
		hist[p]++
	}
	bg, seen := 0, 0
	for seen*2 < len(g.Pix) {
		seen += hist[bg]
		bg++
	}
	hi := 255
	for hi > 0 && hist[hi] == 0 {
		hi--
	}
	if hi-bg < 32 { // no ink to speak of: leave it blank
		clear(g.Pix)
		return
	}
	for i, p := range g.Pix {
		v := (int(p) - bg) * 255 / (hi - bg)
		if v < 32 { // paper grain
			v = 0
		}
		g.Pix[i] = uint8(min(max(v, 0), 255))
	}
}

// inkBox is the bounding box of the non-zero pixels.
func inkBox(g *image.Gray) (image.Rectangle, bool) {
	box := image.Rectangle{}
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		for x := g.Rect.Min.X; x < g.Rect.Max.X; x++ {
			if g.GrayAt(x, y).Y > 0 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box, !box.Empty()
}

// fit20 scales the cropped digit so its longer side is 20 pixels, keeping
// its proportions, with a filter that averages (anti-aliases) like MNIST's.
func fit20(g *image.Gray) *image.Gray {
	g = shrinkLongSides(g)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	scale := 20 / float64(max(w, h))
	nw, nh := max(1, int(math.Round(float64(w)*scale))), max(1, int(math.Round(float64(h)*scale)))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	xdraw.CatmullRom.Scale(out, out.Rect, g, g.Rect, xdraw.Src, nil)
	return out
}

// maxScaledSide is the longest side fit20 hands to the Catmull-Rom filter, whose
// buffers grow with the product of the source's height and the result's width
// (1.5 GB for a 1×16,777,216 picture). It is the side of the largest square
// picture ReadDigit takes, so every picture up to 4000×4000 is scaled as before.
const maxScaledSide = 4000

// shrinkLongSides averages blocks of pixels along any side longer than
// maxScaledSide, bringing it under that length; other pictures are returned as
// they are.
func shrinkLongSides(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	kx, ky := (w+maxScaledSide-1)/maxScaledSide, (h+maxScaledSide-1)/maxScaledSide
	if kx == 1 && ky == 1 {
		return g
	}
	out := image.NewGray(image.Rect(0, 0, (w+kx-1)/kx, (h+ky-1)/ky))
	for oy := range out.Rect.Dy() {
		for ox := range out.Rect.Dx() {
			sum, n := 0, 0
			for y := oy * ky; y < min((oy+1)*ky, h); y++ {
				for x := ox * kx; x < min((ox+1)*kx, w); x++ {
					sum, n = sum+int(g.GrayAt(g.Rect.Min.X+x, g.Rect.Min.Y+y).Y), n+1
				}
			}
			out.Pix[oy*out.Stride+ox] = uint8((sum + n/2) / n)
		}
	}
	return out
}

// centre places the digit in a 28×28 field so that its centre of mass lands
// on the middle, as MNIST's digits were.
func centre(g *image.Gray) Digit {
	var sum, sx, sy float64
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			v := float64(g.Pix[y*g.Stride+x])
			sum, sx, sy = sum+v, sx+v*float64(x), sy+v*float64(y)
		}
	}
	dx := int(math.Round(14 - sx/sum - 0.5))
	dy := int(math.Round(14 - sy/sum - 0.5))
	d := Digit{Rows: 28, Cols: 28, Pix: make([]uint8, 28*28)}
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			tx, ty := x+dx, y+dy
			if tx >= 0 && tx < 28 && ty >= 0 && ty < 28 {
				d.Pix[ty*28+tx] = g.Pix[y*g.Stride+x]
			}
		}
	}
	return d
}

// SaveBMP writes the digit as an 8-bit grayscale BMP, like the tutorial's
// 9.bmp: white digit on black, 28×28.
func SaveBMP(d Digit, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save BMP: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save BMP: %w", err)
	}
	if err := bmp.Encode(f, d.Image(1)); err != nil {
		f.Close()
		return fmt.Errorf("save BMP %s: %w", path, err)
	}
	return f.Close()
}
