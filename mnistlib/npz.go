package mnistlib

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// readNPZ reads Keras' mnist.npz: a zip of four NumPy .npy arrays named
// x_train, y_train, x_test and y_test, all uint8.
func readNPZ(path string) (*Data, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("mnistlib: %s: not a readable .npz (zip) file (%v): the copy is damaged or incomplete; delete it and fetch it again", path, err)
	}
	defer z.Close()
	arrays := map[string]npyArray{}
	for _, name := range []string{"x_train", "y_train", "x_test", "y_test"} {
		a, err := readNPYMember(&z.Reader, name+".npy")
		if err != nil {
			return nil, fmt.Errorf("mnistlib: %s: %w", path, err)
		}
		arrays[name] = a
	}
	toSplit := func(x, y npyArray) (Subset, error) {
		if len(x.shape) != 3 || len(y.shape) != 1 {
			return Subset{}, fmt.Errorf("mnistlib: %s: arrays have shapes %v and %v, want (N, 28, 28) and (N,): not Keras' mnist.npz", path, x.shape, y.shape)
		}
		return Subset{
			Images: Images{N: x.shape[0], Rows: x.shape[1], Cols: x.shape[2], Pix: x.data},
			Labels: Labels(y.data),
		}, nil
	}
	var d Data
	if d.Train, err = toSplit(arrays["x_train"], arrays["y_train"]); err != nil {
		return nil, err
	}
	if d.Test, err = toSplit(arrays["x_test"], arrays["y_test"]); err != nil {
		return nil, err
	}
	return &d, nil
}

type npyArray struct {
	shape []int
	data  []byte
}

func readNPYMember(z *zip.Reader, name string) (npyArray, error) {
	f, err := z.Open(name)
	if err != nil {
		return npyArray{}, fmt.Errorf("no array %q inside: not Keras' mnist.npz", name)
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return npyArray{}, fmt.Errorf("%s: %w: the copy is damaged; delete it and fetch it again", name, err)
	}
	a, err := decodeNPY(raw)
	if err != nil {
		return npyArray{}, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

var (
	npyMagic = []byte("\x93NUMPY")
	npyDescr = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	npyOrder = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	npyShape = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// decodeNPY parses a .npy file holding a C-ordered uint8 array.
// Format: magic, version (2 bytes), header length, a Python dict literal.
func decodeNPY(raw []byte) (npyArray, error) {
	if !bytes.HasPrefix(raw, npyMagic) || len(raw) < 10 {
		return npyArray{}, fmt.Errorf("not a NumPy .npy array")
	}
	var headerLen, start int
	switch raw[6] {
	case 1:
		headerLen, start = int(binary.LittleEndian.Uint16(raw[8:10])), 10
	case 2, 3:
		if len(raw) < 12 {
			return npyArray{}, fmt.Errorf("truncated .npy header")
		}
		headerLen, start = int(binary.LittleEndian.Uint32(raw[8:12])), 12
	default:
		return npyArray{}, fmt.Errorf(".npy version %d is not supported", raw[6])
	}
	if start+headerLen > len(raw) {
		return npyArray{}, fmt.Errorf("truncated .npy header")
	}
	header := string(raw[start : start+headerLen])
	descr, order, shapeStr := npyDescr.FindStringSubmatch(header), npyOrder.FindStringSubmatch(header), npyShape.FindStringSubmatch(header)
	if descr == nil || order == nil || shapeStr == nil {
		return npyArray{}, fmt.Errorf("unreadable .npy header %q", header)
	}
	if descr[1] != "|u1" && descr[1] != "<u1" && descr[1] != ">u1" {
		return npyArray{}, fmt.Errorf("element type %s, want uint8 (|u1)", descr[1])
	}
	if order[1] == "True" {
		return npyArray{}, fmt.Errorf("Fortran-ordered arrays are not supported")
	}
	var shape []int
	size := 1
	for _, s := range strings.Split(shapeStr[1], ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		d, err := strconv.Atoi(s)
		if err != nil || d < 0 {
			return npyArray{}, fmt.Errorf("bad shape %q in .npy header", shapeStr[1])
		}
		shape = append(shape, d)
		size *= d
	}
	data := raw[start+headerLen:]
	if len(data) != size {
		return npyArray{}, fmt.Errorf("truncated array: shape %v needs %d bytes, found %d; delete the file and fetch it again", shape, size, len(data))
	}
	return npyArray{shape: shape, data: data}, nil
}
