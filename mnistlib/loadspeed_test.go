package mnistlib

// The fast path of loading: the unpacked copy the cache keeps next to its
// verified files, the bounded reading of IDX data, and benchmarks of what a
// notebook cell pays to load and prepare MNIST.

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-mnist/workbook/internal/idx"
)

// idxCache writes d as the four .gz IDX files into a fresh cache folder and
// returns a loader for it whose data set publishes exactly those files.
func idxCache(t *testing.T, d *Data) (*Loader, *bytes.Buffer) {
	t.Helper()
	cache := t.TempDir()
	writeIDXSet(t, cache, d)
	ds := *MNIST
	ds.SHA256 = map[string]string{}
	for _, name := range idxNames {
		b, err := os.ReadFile(filepath.Join(cache, name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		ds.SHA256[name+".gz"] = hex.EncodeToString(sum[:])
	}
	var log bytes.Buffer
	return &Loader{Dataset: &ds, CacheDir: cache, Log: &log}, &log
}

func sameData(t *testing.T, got, want *Data) {
	t.Helper()
	if !reflect.DeepEqual(got.Train, want.Train) || !reflect.DeepEqual(got.Test, want.Test) {
		t.Error("the data differs from what was written")
	}
}

// unpackedIsUsed reports whether the cache's unpacked copy is complete and
// matches the cache's verified files.
func unpackedIsUsed(t *testing.T, l *Loader, sources ...string) bool {
	t.Helper()
	want := map[string]string{}
	for _, s := range sources {
		want[s] = l.Dataset.SHA256[s]
	}
	d, err := readUnpacked(l.CacheDir, want)
	return d != nil && err == nil
}

func gzNames() []string {
	var names []string
	for _, n := range idxNames {
		names = append(names, n+".gz")
	}
	return names
}

func TestUnpackedCopy(t *testing.T) {
	want := tinyData(5)
	l, log := idxCache(t, want)
	first, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, first, want)
	if !unpackedIsUsed(t, l, gzNames()...) {
		t.Fatal("the first load left no usable unpacked copy")
	}
	for _, name := range idxNames {
		raw, err := os.ReadFile(filepath.Join(l.CacheDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if gz := inflatedIDX(t, filepath.Join(l.CacheDir, name+".gz")); !bytes.Equal(raw, gz) {
			t.Errorf("unpacked %s differs from its .gz", name)
		}
	}
	second, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, second, want)
	if second.Source != first.Source || !reflect.DeepEqual(second.ClassNames, first.ClassNames) {
		t.Errorf("second load: Source %q, ClassNames %v; first: %q, %v", second.Source, second.ClassNames, first.Source, first.ClassNames)
	}
	if log.Len() > 0 {
		t.Errorf("unexpected log: %s", log)
	}
	assertNoPartFiles(t, l.CacheDir)
}

// inflatedIDX returns the bytes of an IDX .gz file, inflated as gunzip would.
func inflatedIDX(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// A damaged unpacked copy is never used: the load inflates the verified .gz
// files instead, says so, and writes the copy again.
func TestUnpackedCopyDamaged(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		log   string // in the log line; "" means no line
	}{
		{"flipped pixel", func(t *testing.T, dir string) {
			p := filepath.Join(dir, idxNames[0])
			b, _ := os.ReadFile(p)
			b[100] ^= 0x40
			writeFile(t, p, b)
		}, "CRC-32C"},
		{"truncated file", func(t *testing.T, dir string) {
			p := filepath.Join(dir, idxNames[2])
			b, _ := os.ReadFile(p)
			writeFile(t, p, b[:len(b)-10])
		}, "its record says"},
		{"missing file", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, idxNames[3])) }, "no such file"},
		{"label changed, record rewritten to match", func(t *testing.T, dir string) {
			// Even a copy whose record fits its files must hold MNIST data.
			d := tinyData(5)
			d.Test.Labels[2] = 42
			writeUnpacked(dir, d, readRecord(t, dir).Sources)
		}, "label 42 at index 2"},
		{"record damaged", func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, unpackedRecord), []byte("{")) }, "not a valid record"},
		{"record of other sources", func(t *testing.T, dir string) {
			d := tinyData(5)
			d.Train.Images.Pix[0] = 99 // stale data, from other files
			writeUnpacked(dir, d, map[string]string{npzName: "0123"})
		}, ""},
		{"record removed", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, unpackedRecord)) }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := tinyData(5)
			l, log := idxCache(t, want)
			if _, err := l.Load(); err != nil {
				t.Fatal(err)
			}
			c.spoil(t, l.CacheDir)
			got, err := l.Load()
			if err != nil {
				t.Fatal(err)
			}
			sameData(t, got, want)
			switch {
			case c.log == "" && log.Len() > 0:
				t.Errorf("unexpected log: %s", log)
			case c.log != "" && (!strings.Contains(log.String(), c.log) || !strings.Contains(log.String(), "unpacking "+l.CacheDir+" again")):
				t.Errorf("log %q does not mention %q", log, c.log)
			}
			if !unpackedIsUsed(t, l, gzNames()...) {
				t.Error("the unpacked copy was not written again")
			}
			assertNoPartFiles(t, l.CacheDir)
		})
	}
}

func readRecord(t *testing.T, dir string) unpackedManifest {
	t.Helper()
	var man unpackedManifest
	b, err := os.ReadFile(filepath.Join(dir, unpackedRecord))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	return man
}

// The unpacked copy never hides a damaged cache: the .gz files are checked
// against their published SHA-256 on every load, as before.
func TestUnpackedCopyDoesNotHideDamage(t *testing.T) {
	l, _ := idxCache(t, tinyData(5))
	if _, err := l.Load(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(l.CacheDir, idxNames[1]+".gz")
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0xff
	writeFile(t, p, b)
	_, err := l.Load()
	assertErrorMentions(t, err, p, "checksum mismatch", "delete it")
}

// Keras' mnist.npz, cached, is unpacked into the same four IDX files.
func TestUnpackedCopyFromNPZ(t *testing.T) {
	want := tinyData(4)
	npz := dataNPZ(t, want)
	l := &Loader{Dataset: publishing(npz), CacheDir: t.TempDir()}
	writeFile(t, filepath.Join(l.CacheDir, npzName), npz)
	first, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !unpackedIsUsed(t, l, npzName) {
		t.Fatal("no usable unpacked copy of mnist.npz")
	}
	second, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, second, want)
	if second.Source != first.Source || !strings.HasSuffix(second.Source, "("+npzName+")") {
		t.Errorf("Source %q, first load %q", second.Source, first.Source)
	}
}

// A cache folder that cannot be written still loads (only without the copy).
func TestUnpackedCopyReadOnlyCache(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only folders")
	}
	want := tinyData(3)
	l, log := idxCache(t, want)
	if err := os.Chmod(l.CacheDir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(l.CacheDir, 0o755) })
	for range 2 {
		got, err := l.Load()
		if err != nil {
			t.Fatal(err)
		}
		sameData(t, got, want)
	}
	if log.Len() > 0 {
		t.Errorf("unexpected log: %s", log)
	}
}

// A header may announce far more than its file holds; memory follows what
// the file really holds, beyond MNIST's own sizes.
func TestIDXAnnouncedSizeIsNotTrusted(t *testing.T) {
	dir := t.TempDir()
	good := tinyData(3)
	writeIDXSet(t, dir, good)
	// 80,000 images announced (63 MB, under the 64 MiB cap), 3 present.
	writeFile(t, filepath.Join(dir, idxNames[0]+".gz"),
		gzipBytes(idxBytes(idx.ImagesMagic, []int{80000, 28, 28}, good.Train.Images.Pix)))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := LoadDataFrom(dir)
	runtime.ReadMemStats(&after)
	assertErrorMentions(t, err, idxNames[0], "truncated", "2352 of the 62720000 bytes", "fetch it again")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*idx.Largest {
		t.Errorf("allocated %d MB for a file of 2 KB", alloc>>20)
	}
}

// readAnnounced returns exactly what was announced, across its growth steps.
func TestReadAnnounced(t *testing.T) {
	for _, size := range []int{0, 1, 1000, idx.Largest, idx.Largest + 1, 2*idx.Largest + 7} {
		src := make([]byte, size+5)
		for i := range src {
			src[i] = byte(i * 31)
		}
		data, n, err := idx.ReadAnnounced(bytes.NewReader(src), size)
		if err != nil || n != size || !bytes.Equal(data, src[:size]) {
			t.Errorf("size %d: got %d bytes (n=%d), err %v", size, len(data), n, err)
		}
		if size > 0 {
			_, n, err = idx.ReadAnnounced(bytes.NewReader(src[:size-1]), size)
			if err == nil || n != size-1 {
				t.Errorf("size %d, one byte short: n=%d, err %v", size, n, err)
			}
		}
	}
}

func TestPreprocessValues(t *testing.T) {
	im := tinyData(2).Train.Images
	v, err := Row(Reshape2D(im), 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range im.Pix[784:] {
		if v[i] != float32(p) {
			t.Fatalf("Reshape2D: pixel %d = %v, want %d", i, v[i], p)
		}
	}
	n, err := Normalize(Reshape4D(im))
	if err != nil {
		t.Fatal(err)
	}
	if dims := n.Shape().Dimensions; !reflect.DeepEqual(dims, []int{2, 28, 28, 1}) {
		t.Errorf("Normalize(Reshape4D) has shape %v", dims)
	}
	v, _ = Row(n, 1)
	for i, p := range im.Pix[784:] {
		if v[i] != float32(p)/255 {
			t.Fatalf("Normalize: pixel %d = %v, want %v", i, v[i], float32(p)/255)
		}
	}
	y, _ := Row(ToCategorical(Labels{7, 3}, 10), 1)
	if !reflect.DeepEqual(y, []float32{0, 0, 0, 1, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("ToCategorical row 1 = %v", y)
	}
}

// normalizedPixels gives exactly what Normalize(Reshape2D) and
// Normalize(Reshape4D) give, for every pixel value.
func TestNormalizedPixels(t *testing.T) {
	im := Images{N: 2, Rows: 28, Cols: 28, Pix: make([]byte, 2*784)}
	for i := range im.Pix {
		im.Pix[i] = byte(i * 7) // every value 0–255
	}
	for _, c := range []struct {
		name  string
		shape func(Images) *tensors.Tensor
		dims  []int
	}{
		{"Reshape2D", Reshape2D, []int{2, 784}},
		{"Reshape4D", Reshape4D, []int{2, 28, 28, 1}},
	} {
		want, err := Normalize(c.shape(im))
		if err != nil {
			t.Fatal(err)
		}
		got := normalizedPixels(im, c.dims...)
		if !reflect.DeepEqual(got.Shape(), want.Shape()) {
			t.Errorf("%s: shape %s, want %s", c.name, got.Shape(), want.Shape())
		}
		g, _ := tensors.CopyFlatData[float32](got)
		w, _ := tensors.CopyFlatData[float32](want)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: values differ from Normalize's", c.name)
		}
	}
}

// Benchmarks with the real MNIST (fetched once from the Go module proxy):
//
//	go test ./mnistlib -run '^$' -bench 'LoadData|Prepare' -benchtime 5x
func BenchmarkLoadDataCached(b *testing.B) {
	l := realLoader(b)
	if _, err := l.Load(); err != nil { // writes the unpacked copy
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := l.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadDataInflate is the load without the unpacked copy: checksums,
// then inflating the four .gz files.
func BenchmarkLoadDataInflate(b *testing.B) {
	l := realLoader(b)
	var paths [4]string
	for i, n := range idxNames {
		paths[i] = filepath.Join(l.CacheDir, n+".gz")
	}
	for b.Loop() {
		if err := l.verifyAll(paths[:]...); err != nil {
			b.Fatal(err)
		}
		if _, err := readIDXFiles(paths, "cache"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrepareMLP(b *testing.B) {
	l := realLoader(b)
	d, err := l.Load()
	if err != nil {
		b.Fatal(err)
	}
	b.Setenv(EnvQuick, "")
	for b.Loop() {
		if _, err := Prepare(d, KindMLP); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalizedPixels is the one-pass form of Prepare's conversion.
func BenchmarkNormalizedPixels(b *testing.B) {
	d, err := realLoader(b).Load()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		normalizedPixels(d.Train.Images, d.Train.Images.N, InputSize)
		normalizedPixels(d.Test.Images, d.Test.Images.N, InputSize)
	}
}

func realLoader(b *testing.B) *Loader {
	b.Helper()
	l, err := realMNIST()
	if err != nil {
		b.Fatalf("fetching MNIST from the Go module: %v", err)
	}
	return l
}
