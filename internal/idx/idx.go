package idx

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The IDX format (LeCun's original MNIST files): a 4-byte magic number whose
// third byte is the element type (0x08 = unsigned byte) and fourth the number
// of dimensions, then each dimension as a big-endian uint32, then the data.
const (
	ImagesMagic = 0x00000803 // ubyte, 3 dimensions: N, rows, cols
	LabelsMagic = 0x00000801 // ubyte, 1 dimension: N
)

// Read reads the IDX file at path, gzipped (.gz) or raw, whose magic number
// must be wantMagic, and returns its dimensions and data.
func Read(path string, wantMagic uint32) (dims []int, data []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return readFrom(bufio.NewReaderSize(f, 1<<20), path, wantMagic)
}

// readFrom is Read of the file at path, open as r.
func readFrom(r io.Reader, path string, wantMagic uint32) (dims []int, data []byte, err error) {
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: not a readable gzip file (%v): the download is damaged; delete it and fetch it again", path, err)
		}
		defer gz.Close()
		r = gz
	}
	dims, data, err = decode(r, wantMagic)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := readToEnd(r); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, data, nil
}

// readToEnd checks that nothing follows the data, and reads a gzip stream to
// its end, where gzip keeps the checksum of what it inflated: without it a
// flipped bit inside the stream would load as a wrong pixel.
func readToEnd(r io.Reader) error {
	n, err := io.Copy(io.Discard, io.LimitReader(r, 1<<20))
	switch {
	case errors.Is(err, gzip.ErrChecksum):
		return errors.New("damaged: its gzip checksum does not match its contents; delete it and fetch it again")
	case err != nil:
		return truncated(err, "the end of the file")
	case n > 0:
		return errors.New("it holds more data than its header announces; the file is corrupt, replace it")
	}
	return nil
}

// decode reads the header and exactly the number of bytes it announces.
func decode(r io.Reader, wantMagic uint32) ([]int, []byte, error) {
	dims, size, err := DecodeHeader(r, wantMagic)
	if err != nil {
		return nil, nil, err
	}
	data, n, err := ReadAnnounced(r, size)
	if err != nil {
		return nil, nil, truncated(err, fmt.Sprintf("%d of the %d bytes its header announces (shape %v)", n, size, dims))
	}
	return dims, data, nil
}

// DecodeHeader reads the magic number and the dimensions, and returns the
// number of data bytes they announce.
func DecodeHeader(r io.Reader, wantMagic uint32) (dims []int, size int, err error) {
	var magic uint32
	if err := binary.Read(r, binary.BigEndian, &magic); err != nil {
		return nil, 0, truncated(err, "the header")
	}
	if magic != wantMagic {
		return nil, 0, fmt.Errorf("wrong magic number 0x%08x, want 0x%08x (%s): this is not an MNIST %s; check the file name or replace the file",
			magic, wantMagic, kind(magic), kind(wantMagic))
	}
	dims = make([]int, magic&0xff)
	size = 1
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, 0, truncated(err, "the header")
		}
		dims[i] = int(d)
		if d > 0 && size > MaxBytes/int(d) { // checked before multiplying: no overflow
			return nil, 0, fmt.Errorf("header announces the shape %v, more than the %d MiB a file may hold (MNIST's largest has %d bytes): the file is corrupt; replace it",
				dims[:i+1], MaxBytes>>20, Largest)
		}
		size *= int(d)
	}
	return dims, size, nil
}

// MaxBytes caps what one IDX file may announce: a data set's four files
// can then never take more than 4×64 MiB, whatever their headers claim.
const MaxBytes = 64 << 20

// Largest is the size of MNIST's (and Fashion-MNIST's) largest file: 60000
// images of 28×28 bytes. ReadAnnounced allocates up to this much on a header's
// word; a header that announces more gets memory only as its bytes arrive.
const Largest = 60000 * 28 * 28

// ReadAnnounced reads the size bytes a header announced, and returns how many
// it got. A damaged or hostile header may announce far more than the file
// holds, so beyond MNIST's sizes the buffer grows at most to twice what has
// actually been read.
func ReadAnnounced(r io.Reader, size int) (data []byte, n int, err error) {
	data = make([]byte, min(size, Largest))
	n, err = io.ReadFull(r, data)
	for err == nil && n < size {
		data = append(data, make([]byte, min(size-n, n))...)
		var more int
		more, err = io.ReadFull(r, data[n:])
		n += more
	}
	return data, n, err
}

// Header is the header of an IDX file of unsigned bytes with the given
// dimensions (magic is ImagesMagic or LabelsMagic).
func Header(magic uint32, dims ...int) []byte {
	h := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		h = binary.BigEndian.AppendUint32(h, uint32(d))
	}
	return h
}

func truncated(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated file: only %s could be read; the copy is incomplete, delete it and fetch it again", what)
	}
	return fmt.Errorf("reading %s: %w (the file is damaged; delete it and fetch it again)", what, err)
}

func kind(magic uint32) string {
	switch {
	case magic == ImagesMagic:
		return "images file"
	case magic == LabelsMagic:
		return "labels file"
	case magic>>16 == 0x1f8b:
		return "a gzip file whose name lacks .gz"
	}
	return "unknown format"
}
