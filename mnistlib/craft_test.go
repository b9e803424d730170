package mnistlib

// Helpers that craft small MNIST-format files for the tests.

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gonb-mnist/workbook/internal/idx"
)

// idxBytes encodes an IDX file: magic, big-endian dimensions, data.
func idxBytes(magic uint32, dims []int, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gzipBytes(raw []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(raw)
	w.Close()
	return b.Bytes()
}

// npyBytes encodes a uint8 array the way numpy.save writes it (version 1.0).
func npyBytes(shape []int, data []byte) []byte {
	dims := ""
	for _, d := range shape {
		dims += fmt.Sprintf("%d, ", d)
	}
	if len(shape) > 1 {
		dims = dims[:len(dims)-2]
	} else {
		dims = dims[:len(dims)-1]
	}
	header := fmt.Sprintf("{'descr': '|u1', 'fortran_order': False, 'shape': (%s), }", dims)
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	var b bytes.Buffer
	b.Write([]byte("\x93NUMPY\x01\x00"))
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

// npzBytes zips named .npy members like numpy.savez.
func npzBytes(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, content := range members {
		w, err := z.Create(name + ".npy")
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

// dataNPZ encodes d as Keras' mnist.npz.
func dataNPZ(t *testing.T, d *Data) []byte {
	return npzBytes(t, map[string][]byte{
		"x_train": npyBytes(d.Train.Images.Shape(), d.Train.Images.Pix),
		"y_train": npyBytes(d.Train.Labels.Shape(), d.Train.Labels),
		"x_test":  npyBytes(d.Test.Images.Shape(), d.Test.Images.Pix),
		"y_test":  npyBytes(d.Test.Labels.Shape(), d.Test.Labels),
	})
}

// tinyData is a made-up data set: n train and n test images whose pixels
// and labels are easy to predict.
func tinyData(n int) *Data {
	split := func(offset int) Subset {
		s := Subset{Images: Images{N: n, Rows: 28, Cols: 28, Pix: make([]byte, n*784)}}
		for i := range s.Images.Pix {
			s.Images.Pix[i] = byte(i + offset)
		}
		for i := 0; i < n; i++ {
			s.Labels = append(s.Labels, byte((i+offset)%10))
		}
		return s
	}
	return &Data{Train: split(0), Test: split(3)}
}

// writeIDXSet writes d as the four .gz IDX files into dir.
func writeIDXSet(t *testing.T, dir string, d *Data) {
	t.Helper()
	files := map[string][]byte{
		idxNames[0]: idxBytes(idx.ImagesMagic, d.Train.Images.Shape(), d.Train.Images.Pix),
		idxNames[1]: idxBytes(idx.LabelsMagic, d.Train.Labels.Shape(), d.Train.Labels),
		idxNames[2]: idxBytes(idx.ImagesMagic, d.Test.Images.Shape(), d.Test.Images.Pix),
		idxNames[3]: idxBytes(idx.LabelsMagic, d.Test.Labels.Shape(), d.Test.Labels),
	}
	for name, raw := range files {
		writeFile(t, filepath.Join(dir, name+".gz"), gzipBytes(raw))
	}
}

func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}
