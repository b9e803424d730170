package npz

// FuzzReadArrays: any bytes, read as Keras' mnist.npz (a zip of four .npy
// arrays), or as one .npy array zipped by the target, give either a clear
// error or arrays whose shapes and sizes agree within the caps, in memory
// bounded by what the headers may declare, never a panic or a hang.
//
//	go test ./internal/npz -run '^$' -fuzz '^FuzzReadArrays$' -fuzztime 10s
//
// Its corpus: the seeds below and testdata/fuzz/FuzzReadArrays.

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"

	"github.com/gonb-mnist/workbook/internal/fuzzseed"
)

var mnistNames = []string{"x_train", "y_train", "x_test", "y_test"}

func FuzzReadArrays(f *testing.F) {
	x := npyBytes("'descr': '|u1', 'fortran_order': False, 'shape': (2, 28, 28), ", make([]byte, 2*28*28))
	y := npyBytes("'descr': '|u1', 'fortran_order': False, 'shape': (2,), ", []byte{3, 4})
	good := map[string][]byte{"x_train": x, "y_train": y, "x_test": x, "y_test": y}
	with := func(name string, content []byte) map[string][]byte {
		m := map[string][]byte{}
		for k, v := range good {
			m[k] = v
		}
		if content == nil {
			delete(m, name)
		} else {
			m[name] = content
		}
		return m
	}
	f.Add(zipMembers(good, zip.Deflate, nil), false)
	f.Add(zipMembers(good, zip.Store, nil), false)
	f.Add(x, true)
	f.Add(y, true)
	// The hostile files of TestBadNPZErrors and TestNPZLimits, and more:
	// corpus files in testdata/fuzz/FuzzReadArrays. First single arrays,
	// zipped by the target as the member x_train.
	npy := func(entries string, data []byte) []byte { return npyBytes(entries, data) }
	seeds := []fuzzseed.Seed{}
	for _, a := range []struct {
		name string
		data []byte
	}{
		{"fortran-order", npy("'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), ", []byte{1, 2, 3, 4, 5, 6})},
		{"scalar", npy("'descr': '|u1', 'fortran_order': False, 'shape': (), ", []byte{9})},
		{"empty-array", npy("'descr': '|u1', 'fortran_order': False, 'shape': (0, 28, 28), ", nil)},
		{"over-arraycap", npy("'descr': '|u1', 'fortran_order': False, 'shape': (100000, 28, 28), ", nil)},
		{"size-overflows", npy("'descr': '|u1', 'fortran_order': False, 'shape': (1099511627776, 1099511627776, 28), ", nil)},
		{"negative-dimension", npy("'descr': '|u1', 'fortran_order': False, 'shape': (-3,), ", nil)},
		{"float32", npy("'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", make([]byte, 8))},
		{"big-endian-bytes", npy("'descr': '>u1', 'fortran_order': False, 'shape': (2,), ", []byte{1, 2})},
		{"no-fortran-order", npy("'descr': '|u1', 'shape': (2,), ", []byte{1, 2})},
		// Headers that say a thing twice: the reader must size the array as
		// numpy will (TestHeaderSaysTwoThings).
		{"two-dtypes", npy("'descr' : '<f8', 'descr': '|u1', 'fortran_order': False, 'shape': (2,), ", []byte{1, 2})},
		{"two-shapes", npy("'descr': '|u1', 'fortran_order': False, 'shape' : (4000000000000000000,), 'shape': (2,), ", []byte{1, 2})},
		{"truncated-data", y[:len(y)-1]},
		{"data-after", append(bytes.Clone(y), 7)},
		{"truncated-header", y[:20]},
		{"header-64k", append([]byte("\x93NUMPY\x02\x00\x00\x00\x01\x00"), make([]byte, 100)...)},
		{"header-4g", append([]byte("\x93NUMPY\x03\x00\xff\xff\xff\xff"), make([]byte, 10)...)},
		{"unknown-version", []byte("\x93NUMPY\x09\x00")},
		{"not-an-array", []byte("not an array")},
	} {
		seeds = append(seeds, fuzzseed.Seed{Name: "npy-" + a.name, Args: []any{a.data, true}})
	}
	// Then whole files.
	for _, z := range []struct {
		name    string
		members map[string][]byte
	}{
		{"missing-array", with("y_test", nil)},
		{"x_train-47mb", with("x_train", npy("'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), ", nil))},
		{"y_train-60mb", with("y_train", npy("'descr': '|u1', 'fortran_order': False, 'shape': (60000000,), ", nil))},
		{"float-array", with("y_test", npy("'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", make([]byte, 8)))},
	} {
		seeds = append(seeds, fuzzseed.Seed{Name: "npz-" + z.name, Args: []any{zipMembers(z.members, zip.Store, nil), false}},
			fuzzseed.Seed{Name: "npz-" + z.name + "-deflated", Args: []any{zipMembers(z.members, zip.Deflate, nil), false}})
	}
	// Zips whose member declares 64 MiB, or 2^62 bytes: the declared size is
	// what the reader trusts first (deflated zeros would be the bomb).
	damaged := zipMembers(good, zip.Store, nil)
	damaged[bytes.Index(damaged, x)+len(x)-1] ^= 0xff // a pixel only the CRC-32 can tell
	seeds = append(seeds,
		fuzzseed.Seed{Name: "npz-declares-64mib", Args: []any{zipMembers(good, zip.Store, map[string]uint64{"x_train": 64 << 20}), false}},
		fuzzseed.Seed{Name: "npz-declares-2e62", Args: []any{zipMembers(good, zip.Store, map[string]uint64{"x_train": 1 << 62}), false}},
		fuzzseed.Seed{Name: "npz-damaged-pixel", Args: []any{damaged, false}},
		fuzzseed.Seed{Name: "npz-cut-short", Args: []any{damaged[:len(damaged)-40], false}},
		fuzzseed.Seed{Name: "npz-not-a-zip", Args: []any{[]byte("not a zip"), false}})
	fuzzseed.Corpus(f, seeds)

	f.Fuzz(func(t *testing.T, data []byte, oneArray bool) {
		names := mnistNames
		if oneArray {
			data = zipMembers(map[string][]byte{"x_train": data}, zip.Store, nil)
			names = names[:1]
		}
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return // archive/zip's own reader: not ours to fuzz
		}
		// What ReadArrays may allocate: numpy's tensor and its copy (and, in
		// Fortran order, a second buffer) for each array the headers declare,
		// the declared sizes being held to the caps first; and small buffers.
		bound := uint64(3*TotalCap + 16<<20)
		before := fuzzseed.Allocated()
		var arrays map[string]Array
		err = fuzzseed.Within(t, 20*time.Second, func() error {
			var err error
			arrays, err = ReadArrays(z, names...)
			return err
		})
		grew := fuzzseed.Allocated() - before
		if err != nil {
			if grew > bound {
				t.Errorf("ReadArrays allocated %d MiB for a file it refuses", grew>>20)
			}
			if err.Error() == "" {
				t.Error("an empty error")
			}
			return
		}
		total := 0
		for _, name := range names {
			a, ok := arrays[name]
			if !ok {
				t.Fatalf("no array %s, and no error", name)
			}
			size := 1
			for _, d := range a.Shape {
				if d < 0 {
					t.Fatalf("%s: negative dimension in %v", name, a.Shape)
				}
				size *= d
			}
			if size != len(a.Data) || size > ArrayCap {
				t.Fatalf("%s: shape %v, %d bytes of data (at most %d)", name, a.Shape, len(a.Data), ArrayCap)
			}
			total += size
		}
		if total > TotalCap {
			t.Fatalf("%d bytes in all, more than %d", total, TotalCap)
		}
		if limit := uint64(3*total + 16<<20); grew > limit {
			t.Errorf("ReadArrays allocated %d MiB for %d MiB of arrays", grew>>20, total>>20)
		}
	})
}

// npyBytes is a version 1.0 .npy file with the header dict's entries given,
// padded as numpy pads it, then the data.
func npyBytes(entries string, data []byte) []byte {
	header := "{" + entries + "}"
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), binary.LittleEndian.AppendUint16(nil, uint16(len(header)))...)
	return append(append(b, header...), data...)
}

// zipMembers zips each member as name.npy, in the order of mnistNames,
// compressed by method; declared rewrites the uncompressed size a member's
// headers declare (a lie the zip's reader is told).
func zipMembers(members map[string][]byte, method uint16, declared map[string]uint64) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range mnistNames {
		content, ok := members[name]
		if !ok {
			continue
		}
		if size, lie := declared[name]; lie {
			// A raw member whose headers say size: the data written as is.
			crc := crc32.ChecksumIEEE(content)
			w, err := z.CreateRaw(&zip.FileHeader{Name: name + ".npy", Method: zip.Store, CRC32: crc,
				CompressedSize64: uint64(len(content)), UncompressedSize64: size})
			if err != nil {
				panic(err)
			}
			w.Write(content)
			continue
		}
		w, err := z.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: method})
		if err != nil {
			panic(err)
		}
		w.Write(content)
	}
	if err := z.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}
