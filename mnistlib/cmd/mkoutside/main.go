// Command mkoutside writes the "outside" digits of notebook 10: digits by
// writers that are not in MNIST, which no model of the workbook trains on.
// Two kinds, each as a small grayscale PNG of dark ink on light paper, named
// LABEL-SOURCE-N.png:
//
//   - pen: digits drawn by this program along scripted pen paths, with random
//     slant, rotation, proportions, wobble and pen width (from a fine pen to a
//     marker), at random sizes on the paper;
//   - marker: the same paths drawn with a felt marker;
//   - blocky: the same paths drawn 6 to 11 pixels high and enlarged, blocky;
//   - forms: 1s with a base, open and closed 4s, 7s with a bar, 9s with a
//     straight stem: forms that MNIST's American writers seldom used;
//   - fonts: the ten digits of handwriting-style fonts from Debian packages,
//     upright and slanted.
//
// The fonts are read from a folder where the Debian packages were unpacked
// (not installed), for example:
//
//	cd /tmp/fonts && apt-get download fonts-breip fonts-bwht fonts-comic-neue \
//	    fonts-dancingscript fonts-ecolier-court fonts-humor-sans && \
//	    for d in *.deb; do dpkg-deb -x "$d" root; done
//	go run ./mnistlib/cmd/mkoutside -fonts /tmp/fonts/root notebooks/images/outside
//
// It also writes the folder's README.md, naming each package and its licence.
// The output is the same on every run: every random choice comes from a fixed seed.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gonb-mnist/workbook/mnistlib"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

var (
	flagFonts    = flag.String("fonts", "", "folder where the font packages were unpacked (holds usr/share/fonts); empty: pen digits only")
	flagPerPen   = flag.Int("pen", 40, "pen digits per class")
	flagPerStyle = flag.Int("style", 10, "marker digits and blocky digits per class")
	flagPerForm  = flag.Int("form", 8, "digits per form of 1, 4, 7 and 9 written as MNIST's writers seldom do")
)

func main() {
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: mkoutside [-fonts DIR] OUTPUT_FOLDER")
	}
	out := flag.Arg(0)
	if err := os.MkdirAll(out, 0o755); err != nil {
		log.Fatal(err)
	}
	n := writePenDigits(out, *flagPerPen)
	n += writeMarkerDigits(out, *flagPerStyle)
	n += writeBlockyDigits(out, *flagPerStyle)
	n += writeFormDigits(out, *flagPerForm)
	var used []fontFile
	if *flagFonts != "" {
		var count int
		used, count = writeFontDigits(out, *flagFonts)
		n += count
	}
	if err := writeReadme(filepath.Join(out, "README.md"), used); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d digits to %s\n", n, out)
}

// ---- pen digits ----

// writeKind draws perClass digits of each class along the templates' paths,
// each put on paper by draw, and saves them as LABEL-KIND-N.png.
func writeKind(out, kind string, perClass int, draw func([]mnistlib.Stroke) image.Image) int {
	for digit := range 10 {
		variants := templates[digit]
		for i := range perClass {
			img := draw(variants[i%len(variants)]())
			save(filepath.Join(out, fmt.Sprintf("%d-%s-%02d.png", digit, kind, i+1)), img)
		}
	}
	return 10 * perClass
}

// writePenDigits draws perClass digits of each class with any pen.
func writePenDigits(out string, perClass int) int {
	rng := rand.New(rand.NewPCG(2024, 10))
	return writeKind(out, "pen", perClass, func(s []mnistlib.Stroke) image.Image { return penDigit(s, rng, anyPen) })
}

// writeMarkerDigits draws perClass digits of each class with a felt marker.
func writeMarkerDigits(out string, perClass int) int {
	rng := rand.New(rand.NewPCG(2026, 1))
	return writeKind(out, "marker", perClass, func(s []mnistlib.Stroke) image.Image { return penDigit(s, rng, marker) })
}

// writeBlockyDigits draws perClass digits of each class the way a
// low-resolution scan or a pixel-art tool makes them: a digit 6 to 11 pixels
// high, each of its pixels enlarged to a square block 3 to 6 pixels wide.
func writeBlockyDigits(out string, perClass int) int {
	rng := rand.New(rand.NewPCG(2026, 2))
	return writeKind(out, "blocky", perClass, func(s []mnistlib.Stroke) image.Image {
		return enlarge(penDigit(s, rng, tiny), 3+rng.IntN(4))
	})
}

// enlarge repeats every pixel k×k times (nearest neighbour: the blocks stay sharp).
func enlarge(img *image.Gray, k int) *image.Gray {
	b := img.Bounds()
	big := image.NewGray(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
	for y := range big.Rect.Dy() {
		for x := range big.Rect.Dx() {
			big.Pix[y*big.Stride+x] = img.GrayAt(b.Min.X+x/k, b.Min.Y+y/k).Y
		}
	}
	return big
}

// writeFormDigits draws perForm digits of each of the forms MNIST's writers
// seldom use, with any pen.
func writeFormDigits(out string, perForm int) int {
	rng := rand.New(rand.NewPCG(2026, 3))
	n := 0
	for digit := range 10 {
		for i := range perForm * len(forms[digit]) {
			strokes := forms[digit][i%len(forms[digit])]()
			save(filepath.Join(out, fmt.Sprintf("%d-forms-%02d.png", digit, i+1)), penDigit(strokes, rng, anyPen))
			n++
		}
	}
	return n
}

// forms are ways of writing 1, 4, 7 and 9 common in other countries' schools
// and rare in MNIST, whose writers were American.
var forms = [10][]func() []mnistlib.Stroke{
	1: { // with a long flag and a base; a short flag and a base; a flag, no base
		func() []mnistlib.Stroke {
			return strokes(line(0.22, 0.36, 0.56, 0.06, 0.56, 0.92), line(0.28, 0.93, 0.84, 0.93))
		},
		func() []mnistlib.Stroke {
			return strokes(line(0.38, 0.18, 0.52, 0.06, 0.52, 0.93), line(0.34, 0.93, 0.72, 0.93))
		},
		func() []mnistlib.Stroke { return strokes(line(0.3, 0.3, 0.6, 0.06, 0.58, 0.94)) },
	},
	4: { // closed, the stem through the top; open, two strokes; closed and narrow
		func() []mnistlib.Stroke {
			return strokes(line(0.6, 0.12, 0.14, 0.62, 0.86, 0.62), line(0.62, 0.04, 0.62, 0.96))
		},
		func() []mnistlib.Stroke {
			return strokes(line(0.3, 0.06, 0.16, 0.58, 0.86, 0.56), line(0.64, 0.22, 0.64, 0.96))
		},
		func() []mnistlib.Stroke {
			return strokes(line(0.56, 0.06, 0.26, 0.6, 0.78, 0.6), line(0.58, 0.06, 0.58, 0.96))
		},
	},
	7: { // a bar across the stem; a bar and a hooked top; straight with a short bar
		func() []mnistlib.Stroke {
			return strokes(line(0.14, 0.08, 0.86, 0.08, 0.36, 0.95), line(0.32, 0.5, 0.84, 0.48))
		},
		func() []mnistlib.Stroke {
			return strokes(line(0.12, 0.2, 0.16, 0.08, 0.86, 0.08, 0.42, 0.95), line(0.4, 0.54, 0.82, 0.52))
		},
		func() []mnistlib.Stroke {
			return strokes(line(0.18, 0.08, 0.82, 0.08, 0.5, 0.95), line(0.5, 0.52, 0.76, 0.52))
		},
	},
	9: { // a round loop on a straight, upright stem; a small loop on a long stem; a stem with a foot
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.46, 0.28, 0.26, 0.22, 0, 360), line(0.72, 0.28, 0.72, 0.95)))
		},
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.5, 0.22, 0.22, 0.17, 0, 360), line(0.72, 0.22, 0.72, 0.95)))
		},
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.46, 0.28, 0.26, 0.22, 0, 360), line(0.72, 0.28, 0.72, 0.9), arc(0.6, 0.9, 0.12, 0.06, 0, 160)))
		},
	},
}

// templates holds, per digit, ways of writing it: strokes in a unit square
// (x right, y down), the digit filling most of it.
var templates = [10][]func() []mnistlib.Stroke{
	{ // 0: an oval, closed or slightly overlapping
		func() []mnistlib.Stroke { return strokes(arc(0.5, 0.5, 0.3, 0.45, -100, 270)) },
		func() []mnistlib.Stroke { return strokes(arc(0.5, 0.5, 0.36, 0.44, -80, 290)) },
	},
	{ // 1: a bar, with a flag, with a flag and a base
		func() []mnistlib.Stroke { return strokes(line(0.52, 0.06, 0.48, 0.94)) },
		func() []mnistlib.Stroke { return strokes(line(0.3, 0.28, 0.55, 0.06, 0.52, 0.94)) },
		func() []mnistlib.Stroke {
			return strokes(line(0.3, 0.26, 0.55, 0.06, 0.55, 0.92), line(0.3, 0.93, 0.8, 0.93))
		},
	},
	{ // 2: a hook, a diagonal and a base; or with a loop at the bottom
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.5, 0.3, 0.3, 0.22, 190, 380), line(0.15, 0.92, 0.88, 0.92)))
		},
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.48, 0.3, 0.3, 0.24, 200, 400), arc(0.3, 0.85, 0.1, 0.07, -60, 200), line(0.3, 0.9, 0.9, 0.88)))
		},
	},
	{ // 3: two bellies; or a flat top
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.48, 0.28, 0.28, 0.2, 200, 450), arc(0.48, 0.7, 0.32, 0.22, -90, 150)))
		},
		func() []mnistlib.Stroke {
			return strokes(join(line(0.2, 0.08, 0.8, 0.08, 0.45, 0.45), arc(0.48, 0.68, 0.32, 0.24, -100, 150)))
		},
	},
	{ // 4: closed, and open with two strokes
		func() []mnistlib.Stroke {
			return strokes(line(0.62, 0.06, 0.12, 0.64, 0.88, 0.64), line(0.64, 0.3, 0.64, 0.95))
		},
		func() []mnistlib.Stroke {
			return strokes(line(0.24, 0.06, 0.18, 0.56, 0.84, 0.56), line(0.66, 0.08, 0.66, 0.95))
		},
	},
	{ // 5: a flag, a stem and a belly
		func() []mnistlib.Stroke {
			return strokes(join(line(0.3, 0.1, 0.26, 0.47), arc(0.48, 0.68, 0.3, 0.25, -135, 150)), line(0.3, 0.1, 0.82, 0.09))
		},
		func() []mnistlib.Stroke {
			return strokes(join(line(0.8, 0.08, 0.3, 0.1, 0.26, 0.47), arc(0.5, 0.7, 0.32, 0.23, -140, 160)))
		},
	},
	{ // 6: a sweep down the left into a loop
		func() []mnistlib.Stroke {
			return strokes(join(curve(0.72, 0.06, 0.45, 0.22, 0.3, 0.48, 0.28, 0.7), arc(0.5, 0.7, 0.22, 0.22, 180, -175)))
		},
		func() []mnistlib.Stroke {
			return strokes(join(curve(0.65, 0.06, 0.38, 0.3, 0.26, 0.62), arc(0.5, 0.72, 0.25, 0.2, 200, -150)))
		},
	},
	{ // 7: a bar and a diagonal; with a crossbar; with a bent stem
		func() []mnistlib.Stroke { return strokes(line(0.14, 0.1, 0.86, 0.1, 0.4, 0.94)) },
		func() []mnistlib.Stroke {
			return strokes(line(0.14, 0.1, 0.86, 0.1, 0.42, 0.94), line(0.38, 0.52, 0.78, 0.5))
		},
		func() []mnistlib.Stroke {
			return strokes(line(0.14, 0.18, 0.18, 0.1, 0.84, 0.1, 0.55, 0.5, 0.48, 0.94))
		},
	},
	{ // 8: two loops, as two strokes or one crossing path
		func() []mnistlib.Stroke {
			return strokes(arc(0.5, 0.28, 0.22, 0.19, -90, 275), arc(0.5, 0.7, 0.27, 0.22, -90, 275))
		},
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.5, 0.27, 0.24, 0.2, 10, -260), arc(0.5, 0.7, 0.28, 0.23, -90, 260), line(0.24, 0.62, 0.74, 0.3)))
		},
	},
	{ // 9: a loop and a stem, straight or curved
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.5, 0.3, 0.26, 0.21, 0, 365), line(0.76, 0.3, 0.7, 0.94)))
		},
		func() []mnistlib.Stroke {
			return strokes(join(arc(0.48, 0.3, 0.26, 0.22, -10, 355), curve(0.74, 0.3, 0.72, 0.7, 0.5, 0.94)))
		},
	},
}

// style is how a digit is put on paper: the paper's height in pixels (from
// Height to Height+Heights-1), the digit's height as a share of it, and the
// pen's width as a share of the digit's height (log-uniform between the two).
type style struct {
	Height, Heights int
	SizeLo, SizeHi  float64
	PenLo, PenHi    float64
}

var (
	// anyPen: a fine pen to a marker, on paper of 32 to 67 pixels.
	anyPen = style{Height: 32, Heights: 36, SizeLo: 0.55, SizeHi: 0.85, PenLo: 0.025, PenHi: 0.3}
	// marker: a felt marker, its stroke a quarter of the digit's height or
	// more; the digit smaller on the paper to leave room for the ink.
	marker = style{Height: 40, Heights: 28, SizeLo: 0.5, SizeHi: 0.65, PenLo: 0.22, PenHi: 0.32}
	// tiny: a digit 6 to 11 pixels high, a pixel or two wide, before blocky enlarges it.
	tiny = style{Height: 10, Heights: 5, SizeLo: 0.6, SizeHi: 0.8, PenLo: 0.12, PenHi: 0.22}
)

// penDigit writes the strokes on paper: random slant, rotation, width,
// wobble and pen, at a random size and place on a picture of random size.
func penDigit(unit []mnistlib.Stroke, rng *rand.Rand, p style) *image.Gray {
	uniform := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	slant, angle, aspect := uniform(-0.4, 0.6), uniform(-20, 20)*math.Pi/180, uniform(0.6, 1.1)
	// A wobble: low-frequency waves, the same along a stroke, so lines stay smooth.
	wx, wy, px, py := uniform(0, 0.04), uniform(0, 0.04), uniform(0, 2*math.Pi), uniform(0, 2*math.Pi)
	h := p.Height + rng.IntN(p.Heights)
	w := int(float64(h) * uniform(0.8, 1.3))
	size := float64(h) * uniform(p.SizeLo, p.SizeHi)                      // the digit's height in pixels
	pen := size * math.Exp(uniform(math.Log(p.PenLo), math.Log(p.PenHi))) // its stroke's width
	cx := float64(w)/2 + uniform(-0.1, 0.1)*float64(w)                    // where the digit's middle goes
	cy := float64(h)/2 + uniform(-0.08, 0.08)*float64(h)                  // (never off the paper: the sizes leave room)
	var out []mnistlib.Stroke
	for _, s := range unit {
		var t mnistlib.Stroke
		for _, p := range s {
			x, y := p[0]-0.5, p[1]-0.5
			x += wx * math.Sin(2*math.Pi*y*1.3+px)
			y += wy * math.Sin(2*math.Pi*x*1.1+py)
			x = x*aspect - slant*y // italic: the top leans right
			x, y = x*math.Cos(angle)-y*math.Sin(angle), x*math.Sin(angle)+y*math.Cos(angle)
			t = append(t, [2]float64{cx + x*size, cy + y*size})
		}
		out = append(out, t)
	}
	ink := mnistlib.DrawStrokes(w, h, pen, out)
	return onPaper(ink, uniform(0.82, 1), uniform(0, 0.35))
}

// onPaper turns white-on-black ink into dark ink (level inkLevel, 0 black) on
// paper of brightness paper, 1 white.
func onPaper(ink *image.Gray, paper, inkLevel float64) *image.Gray {
	img := image.NewGray(ink.Rect)
	for i, v := range ink.Pix {
		a := float64(v) / 255
		img.Pix[i] = uint8(math.Round(255 * (paper*(1-a) + inkLevel*a)))
	}
	return img
}

func strokes(s ...mnistlib.Stroke) []mnistlib.Stroke { return s }

// line is a polyline through the points x0, y0, x1, y1, ...
func line(xy ...float64) mnistlib.Stroke {
	var s mnistlib.Stroke
	for i := 0; i+1 < len(xy); i += 2 {
		s = append(s, [2]float64{xy[i], xy[i+1]})
	}
	return s
}

// arc is an elliptical arc from angle a0 to a1 (degrees; 0 is right, 90 down,
// so increasing angles turn clockwise on the page).
func arc(cx, cy, rx, ry, a0, a1 float64) mnistlib.Stroke {
	n := max(8, int(math.Abs(a1-a0)/6))
	var s mnistlib.Stroke
	for i := 0; i <= n; i++ {
		t := (a0 + (a1-a0)*float64(i)/float64(n)) * math.Pi / 180
		s = append(s, [2]float64{cx + rx*math.Cos(t), cy + ry*math.Sin(t)})
	}
	return s
}

// curve is a smooth path through the points (a Catmull-Rom spline).
func curve(xy ...float64) mnistlib.Stroke {
	pts := line(xy...)
	var s mnistlib.Stroke
	for i := 0; i+1 < len(pts); i++ {
		p0, p1, p2, p3 := pts[max(i-1, 0)], pts[i], pts[i+1], pts[min(i+2, len(pts)-1)]
		for k := range 8 {
			t := float64(k) / 8
			var q [2]float64
			for d := range 2 {
				q[d] = 0.5 * (2*p1[d] + (-p0[d]+p2[d])*t + (2*p0[d]-5*p1[d]+4*p2[d]-p3[d])*t*t + (-p0[d]+3*p1[d]-3*p2[d]+p3[d])*t*t*t)
			}
			s = append(s, q)
		}
	}
	return append(s, pts[len(pts)-1])
}

// join makes one stroke of several: the pen moves on without lifting.
func join(parts ...mnistlib.Stroke) mnistlib.Stroke {
	var s mnistlib.Stroke
	for _, p := range parts {
		s = append(s, p...)
	}
	return s
}

// ---- font digits ----

// fontFile is one face of a Debian font package.
type fontFile struct {
	Name, Package, Path, License string
	Italic                       bool // slanted already: no second, slanted copy
}

// handwritingFonts are the faces used, all under the SIL Open Font License.
var handwritingFonts = []fontFile{
	{"breip", "fonts-breip", "usr/share/fonts/truetype/breip/Breip.ttf", "SIL Open Font License 1.0", false},
	{"bwbuild", "fonts-bwht", "usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf", "SIL Open Font License 1.1", false},
	{"bwconnect", "fonts-bwht", "usr/share/fonts/opentype/bwht/BecauseWeConnect-Regular.otf", "SIL Open Font License 1.1", false},
	{"bwcreate", "fonts-bwht", "usr/share/fonts/opentype/bwht/BecauseWeCreate-Regular.otf", "SIL Open Font License 1.1", false},
	{"bwlearn", "fonts-bwht", "usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf", "SIL Open Font License 1.1", false},
	{"bwmentor", "fonts-bwht", "usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf", "SIL Open Font License 1.1", false},
	{"bworganize", "fonts-bwht", "usr/share/fonts/opentype/bwht/BecauseWeOrganize-Regular.otf", "SIL Open Font License 1.1", false},
	{"comicneue", "fonts-comic-neue", "usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf", "SIL Open Font License 1.1", false},
	{"comicneue-bold", "fonts-comic-neue", "usr/share/fonts/opentype/comic-neue/ComicNeue-Bold.otf", "SIL Open Font License 1.1", false},
	{"dancingscript", "fonts-dancingscript", "usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf", "SIL Open Font License 1.1", true},
	{"dancingscript-bold", "fonts-dancingscript", "usr/share/fonts/opentype/dancingscript/DancingScript-Bold.otf", "SIL Open Font License 1.1", true},
	{"ecolier", "fonts-ecolier-court", "usr/share/fonts/truetype/ecolier-court/Ecolier-court.ttf", "SIL Open Font License 1.1", true},
	{"humorsans", "fonts-humor-sans", "usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf", "SIL Open Font License 1.1", false},
}

// writeFontDigits renders the ten digits of every face found under root,
// upright and (for upright faces) slanted, and returns the faces used.
func writeFontDigits(out, root string) ([]fontFile, int) {
	var used []fontFile
	n := 0
	for _, ff := range handwritingFonts {
		data, err := os.ReadFile(filepath.Join(root, ff.Path))
		if err != nil {
			log.Printf("skipping %s: %v (unpack %s under %s)", ff.Name, err, ff.Package, root)
			continue
		}
		f, err := sfnt.Parse(data)
		if err != nil {
			log.Fatalf("%s: %v", ff.Path, err)
		}
		slants := []float64{0, 0.3}
		if ff.Italic {
			slants = []float64{0, -0.15} // already slanted: straighten it a little instead
		}
		for digit := range 10 {
			for k, slant := range slants {
				img, err := glyph(f, rune('0'+digit), 48, slant)
				if err != nil {
					log.Fatalf("%s, digit %d: %v", ff.Name, digit, err)
				}
				save(filepath.Join(out, fmt.Sprintf("%d-%s-%d.png", digit, ff.Name, k+1)), img)
				n++
			}
		}
		used = append(used, ff)
	}
	return used, n
}

// glyph draws one character as dark ink on white, ppem pixels per em, with
// its top leaning right by slant (x shifts by slant × height), and a margin.
func glyph(f *sfnt.Font, r rune, ppem int, slant float64) (image.Image, error) {
	var buf sfnt.Buffer
	idx, err := f.GlyphIndex(&buf, r)
	if err != nil || idx == 0 {
		return nil, fmt.Errorf("no glyph for %q", r)
	}
	segs, err := f.LoadGlyph(&buf, idx, fixed.I(ppem), nil)
	if err != nil {
		return nil, err
	}
	// Outline coordinates are 26.6 fixed point, y down from the baseline.
	tf := func(p fixed.Point26_6) (float32, float32) {
		x, y := float64(p.X)/64, float64(p.Y)/64
		return float32(x - slant*y), float32(y)
	}
	minX, minY, maxX, maxY := float32(math.Inf(1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, s := range segs {
		for _, p := range s.Args[:argsOf(s.Op)] {
			x, y := tf(p)
			minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
		}
	}
	margin := float32(ppem) / 6
	w, h := int(maxX-minX+2*margin), int(maxY-minY+2*margin)
	z := vector.NewRasterizer(w, h)
	at := func(p fixed.Point26_6) (float32, float32) {
		x, y := tf(p)
		return x - minX + margin, y - minY + margin
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(at(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(at(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			x1, y1 := at(s.Args[0])
			x2, y2 := at(s.Args[1])
			z.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := at(s.Args[0])
			x2, y2 := at(s.Args[1])
			x3, y3 := at(s.Args[2])
			z.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	ink := image.NewGray(mask.Rect)
	copy(ink.Pix, mask.Pix)
	return onPaper(ink, 1, 0.1), nil
}

func argsOf(op sfnt.SegmentOp) int {
	switch op {
	case sfnt.SegmentOpQuadTo:
		return 2
	case sfnt.SegmentOpCubeTo:
		return 3
	}
	return 1
}

// ---- files ----

func save(path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// writeReadme says what the folder holds and where each font comes from.
func writeReadme(path string, used []fontFile) error {
	var b strings.Builder
	b.WriteString(`# Digits from outside MNIST

Notebook 10 (` + "`10_your_digits`" + `) measures the models on these digits, which no model of the workbook
trains on. Each file is a small grayscale PNG of dark ink on light paper, read through
` + "`mnistlib.ReadDigit`" + ` like a learner's own picture; its name is ` + "`LABEL-SOURCE-N.png`" + `.
` + "`mnistlib.ReadDigitFolder`" + ` reads them all.

Made by ` + "`go run ./mnistlib/cmd/mkoutside -fonts DIR notebooks/images/outside`" + ` (see the command's
comment for how DIR is made); the output is the same on every run.

`)
	fmt.Fprintf(&b, "- `*-pen-*.png`: %d per digit, drawn by the program along scripted pen paths (two or three ways\n"+
		"  of writing each digit), with random slant, rotation, proportions, wobble, pen width (a fine pen to a\n"+
		"  marker), ink and paper shades, and size and place on the paper: the repository's own work.\n", *flagPerPen)
	fmt.Fprintf(&b, "- `*-marker-*.png`: %d per digit, the same paths drawn with a felt marker, its stroke a quarter of\n"+
		"  the digit's height or more.\n", *flagPerStyle)
	fmt.Fprintf(&b, "- `*-blocky-*.png`: %d per digit, the same paths drawn 6 to 11 pixels high and enlarged, each\n"+
		"  pixel a block 3 to 6 pixels wide, as a low-resolution scan or a pixel-art tool makes them.\n", *flagPerStyle)
	fmt.Fprintf(&b, "- `*-forms-*.png`: %d of each of three ways of writing 1, 4, 7 and 9 that MNIST's writers seldom\n"+
		"  use: 1s with a flag and a base, open and closed 4s, 7s with a bar, 9s with a straight upright stem.\n", *flagPerForm)
	if len(used) > 0 {
		b.WriteString("- `*-FONT-1.png` and `*-FONT-2.png`: the ten digits of handwriting-style fonts from Debian's\n" +
			"  packages (unpacked with `apt-get download` and `dpkg-deb -x`, not installed), upright (`-1`) and\n" +
			"  slanted by the program (`-2`; for faces that slant already, straightened a little):\n\n" +
			"| FONT | Debian package | file | licence |\n|---|---|---|---|\n")
		for _, f := range used {
			fmt.Fprintf(&b, "| `%s` | `%s` | `%s` | %s |\n", f.Name, f.Package, filepath.Base(f.Path), f.License)
		}
		b.WriteString("\nThe pictures are renderings of the fonts' glyphs, not the fonts themselves; the Open Font License\n" +
			"places no condition on documents or images made with a font.\n")
	}
	b.WriteString("\nNo scanned handwriting is used (scikit-learn's digits included): every picture is made here.\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
