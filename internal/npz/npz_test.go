package npz

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gonb-mnist/workbook/internal/fuzzseed"
)

// A header that says a thing twice is read as GoMLX's numpy reader reads it
// (the first of each entry) and checked for that: before, the reader checked
// the second "shape" (2 bytes) and numpy allocated the first (makeslice: len
// out of range, a panic), or checked a "|u1" while numpy read a "<f8" eight
// times the size. Found while seeding FuzzReadArrays.
func TestHeaderSaysTwoThings(t *testing.T) {
	for _, tc := range []struct {
		name, entries string
		want          string
	}{
		{"two shapes, the first huge", "'descr': '|u1', 'fortran_order': False, 'shape' : (4000000000000000000,), 'shape': (2,), ",
			"shape (4000000000000000000,) declares more than 64 MiB"},
		{"two dtypes, the first float64", "'descr' : '<f8', 'descr': '|u1', 'fortran_order': False, 'shape': (2,), ",
			"element type <f8, want uint8"},
		{"spaces before the colons", "'descr' : '|u1', 'fortran_order' : False, 'shape' : (3000000000,), ",
			"shape (3000000000,) declares more than 64 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := zipMembers(map[string][]byte{"x_train": npyBytes(tc.entries, []byte{1, 2})}, zip.Store, nil)
			z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			var arrays map[string]Array
			err = fuzzseed.Within(t, 10*time.Second, func() error {
				var err error
				arrays, err = ReadArrays(z, "x_train")
				return err
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "x_train.npy") {
				t.Errorf("ReadArrays: %v, %v; want an error saying %q", arrays, err, tc.want)
			}
		})
	}
	// Spaced out but said once, it is read.
	data := zipMembers(map[string][]byte{"x_train": npyBytes("'descr' : '|u1' , 'fortran_order' : False , 'shape' : ( 2 , ) ", []byte{1, 2})}, zip.Store, nil)
	z, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if arrays, err := ReadArrays(z, "x_train"); err != nil || !bytes.Equal(arrays["x_train"].Data, []byte{1, 2}) {
		t.Errorf("ReadArrays of a spaced-out header: %v, %v", arrays, err)
	}
}
