package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
)

// What the reader will allocate for Keras' mnist.npz. Its largest array,
// x_train (60000×28×28), is 47,040,000 bytes (45 MiB), and all four come to
// 52 MiB; the caps leave a wide margin yet refuse a damaged or hostile file
// that declares gigabytes before anything is allocated for it.
const (
	ArrayCap     = 64 << 20  // bytes per array
	TotalCap     = 128 << 20 // bytes for the four arrays together
	npyHeaderCap = 1<<16 - 1 // GoMLX's reader takes no more; numpy writes about 128
)

// Array is one uint8 array: its shape and its values in row-major order.
type Array struct {
	Shape []int
	Data  []byte
}

// ReadArrays reads the uint8 arrays names (each "<name>.npy" in the zip). It
// checks the headers of all of them against the caps before it reads the data
// of any, so that a file declaring too much in all is refused before the first
// large allocation.
func ReadArrays(z *zip.Reader, names ...string) (map[string]Array, error) {
	var members []*npyMember
	defer func() {
		for _, m := range members {
			m.f.Close()
		}
	}()
	total := 0
	for _, name := range names {
		m, err := openNPYMember(z, name+".npy")
		if err != nil {
			return nil, err
		}
		members = append(members, m)
		if total += m.size; total > TotalCap {
			return nil, fmt.Errorf("the arrays up to %s declare %d bytes in all, more than the %d MiB that MNIST needs by a wide margin: not Keras' mnist.npz; delete it and fetch it again", m.name, total, TotalCap>>20)
		}
	}
	arrays := map[string]Array{}
	for i, m := range members {
		a, err := m.read()
		if err != nil {
			return nil, err
		}
		arrays[names[i]] = a
	}
	return arrays, nil
}

// npyMember is one .npy array inside the zip whose header has been read and
// checked, its data not yet.
type npyMember struct {
	name  string
	f     fs.File
	shape []int
	size  int       // bytes of data the header declares (uint8: one per element)
	found int64     // bytes of data the zip holds after the header
	r     io.Reader // the whole member again, header included, for numpy
}

// openNPYMember reads and checks the header of one array. GoMLX's numpy
// reader allocates whatever its header declares before it reads the data, so
// the declared size is checked here first, against the cap.
func openNPYMember(z *zip.Reader, name string) (*npyMember, error) {
	f, err := z.Open(name)
	if err != nil {
		return nil, fmt.Errorf("no array %q inside: not Keras' mnist.npz", name)
	}
	m, err := checkNPYHeader(f, name)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// checkNPYHeader reads the header of member name, open as f.
func checkNPYHeader(f fs.File, name string) (*npyMember, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var seen bytes.Buffer // the header bytes, handed to numpy again
	header, err := readNPYHeader(io.TeeReader(f, &seen))
	if err != nil {
		return nil, err
	}
	shape, size, err := parseNPYHeader(header)
	if err != nil {
		return nil, err
	}
	found := info.Size() - int64(seen.Len())
	return &npyMember{name: name, f: f, shape: shape, size: size, found: found, r: io.MultiReader(&seen, f)}, nil
}

// sizeMismatch says that the data after the header is not what its shape
// needs: a cut download, or a file that is not what it claims.
func sizeMismatch(shape []int, size int, found int64) error {
	what := "truncated array"
	if found > int64(size) {
		what = "unexpected bytes after the array"
	}
	return fmt.Errorf("%s: shape %v needs %d bytes, found %d; delete the file and fetch it again", what, shape, size, found)
}

var npyMagic = []byte("\x93NUMPY")

// readNPYHeader reads the preamble of a .npy file and returns its header, a
// Python dict literal. Format: magic, version (2 bytes), header length
// (2 bytes in version 1, 4 in versions 2 and 3), header.
func readNPYHeader(r io.Reader) (string, error) {
	pre := make([]byte, 10)
	if _, err := io.ReadFull(r, pre); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && err != io.EOF {
		return "", fmt.Errorf("reading the .npy header: %w: the copy is damaged; delete it and fetch it again", err)
	}
	if !bytes.HasPrefix(pre, npyMagic) {
		return "", errors.New("not a NumPy .npy array")
	}
	var headerLen int
	switch pre[6] {
	case 1:
		headerLen = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		length := make([]byte, 4)
		copy(length, pre[8:10])
		if _, err := io.ReadFull(r, length[2:]); err != nil {
			return "", errors.New("truncated .npy header")
		}
		headerLen = int(binary.LittleEndian.Uint32(length))
	default:
		return "", fmt.Errorf(".npy version %d is not supported", pre[6])
	}
	if headerLen > npyHeaderCap {
		return "", fmt.Errorf(".npy header of %d bytes, more than %d: not an MNIST array", headerLen, npyHeaderCap)
	}
	header := make([]byte, headerLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return "", errors.New("truncated .npy header")
	}
	return string(header), nil
}

// The header's entries, found as GoMLX's numpy reader finds them (its own
// expressions, the first match of each): a header that says a thing twice
// ("'shape' : (10**18,), 'shape': (2,)") is then checked for what numpy will
// allocate, not for another of its entries.
var (
	npyDescr = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyOrder = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// parseNPYHeader returns the shape of a uint8 array and its size in bytes,
// refusing sizes over ArrayCap before anything multiplies out.
// Fortran order is left to numpy, which transposes it.
func parseNPYHeader(header string) (shape []int, size int, err error) {
	descr, shapeStr := npyDescr.FindStringSubmatch(header), npyShape.FindStringSubmatch(header)
	if descr == nil || shapeStr == nil || !npyOrder.MatchString(header) {
		return nil, 0, fmt.Errorf("unreadable .npy header %q", header)
	}
	// numpy writes "|u1" for bytes; ">u1" is refused by GoMLX's reader.
	if descr[1] != "|u1" && descr[1] != "<u1" {
		return nil, 0, fmt.Errorf("element type %s, want uint8 (|u1)", descr[1])
	}
	size = 1
	for _, s := range strings.Split(shapeStr[1], ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		d, err := strconv.Atoi(s)
		if err != nil || d < 0 {
			return nil, 0, fmt.Errorf("bad shape %q in .npy header", shapeStr[1])
		}
		shape = append(shape, d)
		if d > 0 && size > ArrayCap/d { // also keeps size*d from overflowing
			return nil, 0, fmt.Errorf("shape (%s) declares more than %d MiB, far more than any MNIST array needs: not Keras' mnist.npz; delete it and fetch it again", shapeStr[1], ArrayCap>>20)
		}
		size *= d
	}
	return shape, size, nil
}

// read reads the data with GoMLX's numpy reader, then reads the member to its
// end: only there does archive/zip compare the CRC-32, and numpy stops after
// the last byte the header declares. The size the zip declares for the
// member is checked first (archive/zip holds the member to it) so that a cut
// array is reported with the sizes, not as numpy's bare "unexpected EOF".
func (m *npyMember) read() (Array, error) {
	if m.found != int64(m.size) {
		return Array{}, fmt.Errorf("%s: %w", m.name, sizeMismatch(m.shape, m.size, m.found))
	}
	damaged := func(err error) (Array, error) {
		return Array{}, fmt.Errorf("%s: %w: the copy is damaged; delete it and fetch it again", m.name, err)
	}
	t, err := numpy.FromNpyReader(m.r)
	if err != nil {
		return damaged(err)
	}
	defer t.FinalizeAll()
	if _, err := io.Copy(io.Discard, m.f); err != nil {
		return damaged(err)
	}
	data, err := tensors.CopyFlatData[uint8](t)
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", m.name, err)
	}
	return Array{Shape: m.shape, Data: data}, nil
}
