package mnistlib

import (
	"archive/zip"
	"bytes"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// An npz whose headers declare more than MNIST needs is refused before the
// reader allocates for it, and a damaged member is caught by its CRC-32.
func TestNPZLimits(t *testing.T) {
	good := tinyData(3)
	members := func() map[string][]byte {
		return map[string][]byte{
			"x_train": npyBytes(good.Train.Images.Shape(), good.Train.Images.Pix),
			"y_train": npyBytes(good.Train.Labels.Shape(), good.Train.Labels),
			"x_test":  npyBytes(good.Test.Images.Shape(), good.Test.Images.Pix),
			"y_test":  npyBytes(good.Test.Labels.Shape(), good.Test.Labels),
		}
	}
	// bomb zips members with some arrays replaced by zeros of the given
	// shapes: a few hundred KiB that unpack to what the shapes declare, so
	// that only the caps keep the reader from allocating it.
	bomb := func(t *testing.T, zeros map[string][]int) []byte {
		m := map[string]io.Reader{}
		for name, content := range members() {
			m[name] = bytes.NewReader(content)
		}
		for name, shape := range zeros {
			size := int64(1)
			for _, d := range shape {
				size *= int64(d)
			}
			m[name] = io.MultiReader(bytes.NewReader(npyBytes(shape, nil)), io.LimitReader(zeroReader{}, size))
		}
		return npzStreams(t, m)
	}
	cases := []struct {
		name    string
		content func(t *testing.T) []byte
		want    []string
	}{
		{"member over 64 MiB", func(t *testing.T) []byte {
			return bomb(t, map[string][]int{"x_train": {100000, 28, 28}}) // 78 MB
		}, []string{"x_train.npy", "shape (100000, 28, 28) declares more than 64 MiB"}},
		{"shape whose size overflows int", func(t *testing.T) []byte {
			m := members()
			m["x_test"] = npyBytes([]int{1 << 40, 1 << 40, 28}, nil)
			return npzBytes(t, m)
		}, []string{"x_test.npy", "declares more than 64 MiB"}},
		{"over 128 MiB in all", func(t *testing.T) []byte {
			return bomb(t, map[string][]int{
				"x_train": {60000, 28, 28}, // 47 MB
				"y_train": {60000000},      // 60 MB
				"x_test":  {60000, 28, 28}, // 47 MB
			})
		}, []string{"up to x_test.npy declare 154080000 bytes in all", "128 MiB"}},
		{"oversized header", func(t *testing.T) []byte {
			m := members()
			m["y_test"] = append([]byte("\x93NUMPY\x02\x00\x00\x00\x01\x00"), make([]byte, 100)...)
			return npzBytes(t, m)
		}, []string{"y_test.npy", "header of 65536 bytes"}},
		{"bytes after the array", func(t *testing.T) []byte {
			m := members()
			m["y_test"] = append(m["y_test"], 7)
			return npzBytes(t, m)
		}, []string{"y_test.npy", "unexpected bytes after the array", "needs 3 bytes, found 4"}},
		{"damaged data", func(t *testing.T) []byte {
			b := storedNPZ(t, members())
			x := members()["x_train"]
			i := bytes.Index(b, x)
			b[i+len(x)-1] ^= 0xff // the last pixel: only the CRC-32 can tell
			return b
		}, []string{"x_train.npy", "checksum error", "fetch it again"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, npzName), c.content(t))
			before := allocated()
			_, err := LoadDataFrom(dir)
			if grew := allocated() - before; grew > 8<<20 {
				t.Errorf("the reader allocated %d MiB for a file it refuses", grew>>20)
			}
			assertErrorMentions(t, err, append(c.want, filepath.Join(dir, npzName))...)
		})
	}
}

// allocated is the number of bytes the process has allocated so far.
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// npzStreams zips named .npy members like npzBytes, from readers.
func npzStreams(t *testing.T, members map[string]io.Reader) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, content := range members {
		w, err := z.Create(name + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// storedNPZ zips the members uncompressed, so that a test can change a byte
// of an array in place without breaking the compression.
func storedNPZ(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, content := range members {
		w, err := z.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// numpy writes arrays in Fortran (column-major) order when asked; GoMLX's
// reader turns them into the row-major order the workbook uses.
func TestNPZFortranOrder(t *testing.T) {
	want := tinyData(2)
	fortran := func(shape []int, c []byte) []byte {
		if len(shape) == 1 {
			return npyBytes(shape, c)
		}
		n, rows, cols := shape[0], shape[1], shape[2]
		f := make([]byte, len(c))
		for i := range n {
			for r := range rows {
				for k := range cols {
					f[i+n*r+n*rows*k] = c[(i*rows+r)*cols+k]
				}
			}
		}
		// "True " keeps the header's length.
		return []byte(strings.Replace(string(npyBytes(shape, f)), "False", "True ", 1))
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, npzName), npzBytes(t, map[string][]byte{
		"x_train": fortran(want.Train.Images.Shape(), want.Train.Images.Pix),
		"y_train": fortran(want.Train.Labels.Shape(), want.Train.Labels),
		"x_test":  fortran(want.Test.Images.Shape(), want.Test.Images.Pix),
		"y_test":  fortran(want.Test.Labels.Shape(), want.Test.Labels),
	}))
	got, err := LoadDataFrom(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Train.Images.Pix, want.Train.Images.Pix) || !bytes.Equal(got.Test.Images.Pix, want.Test.Images.Pix) {
		t.Error("Fortran-ordered images were not read back in row-major order")
	}
}
