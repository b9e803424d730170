package idx

// FuzzDecode: any bytes, read as an IDX file of images or labels, raw or
// gzipped, give either a clear error or dimensions and data that agree, in
// memory bounded by the caps, never a panic or a hang.
//
//	go test ./internal/idx -run '^$' -fuzz '^FuzzDecode$' -fuzztime 10s
//
// Its corpus: the seeds below and testdata/fuzz/FuzzDecode.

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gonb-mnist/workbook/internal/fuzzseed"
)

// The modes of FuzzDecode: how its bytes become the file Read reads.
const (
	modeRaw    = iota // the bytes are the file, raw
	modeGzFile        // the bytes are the file, named .gz: the fuzzer mutates the gzip stream
	modeGzip          // the bytes gzipped by the target, named .gz: the IDX inside a sound stream
	numModes
)

func FuzzDecode(f *testing.F) {
	images := append(Header(ImagesMagic, 2, 28, 28), bytes.Repeat([]byte{7}, 2*28*28)...)
	labels := append(Header(LabelsMagic, 3), 1, 2, 3)
	for mode := range uint8(numModes) {
		f.Add(images, mode, false)
		f.Add(labels, mode, true)
	}
	// The hostile files of TestBadFolderErrors and TestBombFolderMemory, and
	// more, each raw and gzipped: corpus files in testdata/fuzz/FuzzDecode.
	hostile := []struct {
		name string
		data []byte
	}{
		{"truncated-data", images[:1000]},
		{"truncated-header", images[:10]},
		{"trailing-data", append(bytes.Clone(labels), 7, 7, 7)},
		{"overflowing-size", Header(ImagesMagic, 1<<31, 1<<31, 2)},
		{"over-maxbytes", Header(ImagesMagic, 90000, 28, 28)},
		{"largest-no-data", Header(ImagesMagic, 60000, 28, 28)},
		{"gigabyte-of-labels", Header(LabelsMagic, 1<<30)},
		{"no-images", Header(ImagesMagic, 0, 28, 28)},
		{"zero-after-huge", Header(ImagesMagic, 3, 0xffffffff, 0)},
		{"wrong-magic", Header(0x00000802, 3, 3)},
		{"gzip-without-gz", Header(0x1f8b0800)},
		{"other-element-type", Header(ImagesMagic|0x0d00, 1, 1, 1)},
		{"empty", []byte{}},
		{"web-page", []byte("<html>404 not found</html>")},
		{"labels-as-images", labels},
		{"not-28x28", append(Header(ImagesMagic, 3, 32, 32), make([]byte, 3*32*32)...)},
	}
	var seeds []fuzzseed.Seed
	for _, h := range hostile {
		for mode, suffix := range []string{"raw", "gzfile", "gzip"} {
			seeds = append(seeds, fuzzseed.Seed{Name: h.name + "-" + suffix,
				Args: []any{h.data, uint8(mode), bytes.HasPrefix(h.data, Header(LabelsMagic)) && h.name != "labels-as-images"}})
		}
	}
	// A gzip stream whose checksum does not match, and one cut in half.
	damaged := gzipBytes(labels)
	damaged[len(damaged)-8] ^= 1
	seeds = append(seeds, fuzzseed.Seed{Name: "gzip-checksum", Args: []any{damaged, uint8(modeGzFile), true}},
		fuzzseed.Seed{Name: "gzip-cut", Args: []any{gzipBytes(images)[:40], uint8(modeGzFile), false}})
	fuzzseed.Corpus(f, seeds)
	f.Fuzz(func(t *testing.T, data []byte, mode uint8, wantLabels bool) {
		mode %= numModes
		magic := uint32(ImagesMagic)
		if wantLabels {
			magic = LabelsMagic
		}
		name := "file"
		content := data
		switch mode {
		case modeGzFile:
			name += ".gz"
		case modeGzip:
			name += ".gz"
			content = gzipBytes(data)
		}
		path := "/data/" + name // read from memory: Read is os.Open and readFrom
		// What Read may allocate: a buffer of up to Largest on the header's word,
		// then at most about twice what the file really holds as it grows (a few
		// times over, counting the copies of append), and fixed buffers (bufio's
		// MiB, gzip's window).
		bound := uint64(Largest) + 6*uint64(inflated(t, content, mode != modeRaw)) + 4<<20

		before := fuzzseed.Allocated()
		var dims []int
		var got []byte
		err := fuzzseed.Within(t, 10*time.Second, func() error {
			var err error
			dims, got, err = readFrom(bytes.NewReader(content), path, magic)
			return err
		})
		if grew := fuzzseed.Allocated() - before; grew > bound {
			t.Errorf("reading it allocated %d MiB, more than the %d MiB bound for a file of %d bytes", grew>>20, bound>>20, len(content))
		}
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, path+": ") || len(msg) <= len(path)+2 {
				t.Errorf("the error does not name the file and say what is wrong: %q", msg)
			}
			return
		}
		// A file Read accepts passes the checks of a good one.
		if len(dims) != int(magic&0xff) {
			t.Fatalf("%d dimensions for magic 0x%08x", len(dims), magic)
		}
		size := 1
		for _, d := range dims {
			if d < 0 {
				t.Fatalf("negative dimension in %v", dims)
			}
			size *= d
		}
		if size != len(got) || len(got) > MaxBytes {
			t.Fatalf("dimensions %v announce %d bytes; got %d (at most %d)", dims, size, len(got), MaxBytes)
		}
		raw := data
		if mode == modeGzFile {
			raw = gunzip(t, data)
		}
		if want := raw[len(raw)-len(got):]; !bytes.Equal(got, want) || len(raw) != 4+4*len(dims)+len(got) {
			t.Fatalf("the data is not the file's bytes after its header")
		}
	})
}

func gzipBytes(raw []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(raw)
	w.Close()
	return b.Bytes()
}

func gunzip(t *testing.T, data []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Read accepted a gzip file that does not open: %v", err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("Read accepted a gzip stream that does not read to its end: %v", err)
	}
	return raw
}

// inflated is the number of bytes the file unpacks to (at most MaxBytes
// and a little), counted without holding them.
func inflated(t *testing.T, content []byte, gz bool) int64 {
	if !gz {
		return int64(len(content))
	}
	r, err := gzip.NewReader(bytes.NewReader(content))
	if err != nil {
		return 0
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(r, 2*MaxBytes))
	return n
}
