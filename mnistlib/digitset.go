package mnistlib

// A folder of labelled digit pictures, such as notebooks/images/outside: each
// file named LABEL-SOURCE-N.png (or .bmp, .jpg), read through ReadDigit.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DigitSet is a folder of digit pictures prepared as MNIST inputs, with the
// label and the source (a writer, a font) each file's name gives.
type DigitSet struct {
	Images  Images
	Labels  Labels
	Names   []string // file names, in the order of Images
	Sources []string // the SOURCE part of each name: "pen", "comicneue", ...
}

// ReadDigitFolder reads every BMP, PNG and JPEG in dir whose name starts with
// its label and a dash ("7-pen-03.png"), in name order, through ReadDigit.
// Other files (a README) are skipped; a picture that cannot be read is an
// error naming it.
func ReadDigitFolder(dir string) (DigitSet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return DigitSet{}, fmt.Errorf("read digit folder: %w", err)
	}
	set := DigitSet{Images: Images{Rows: ImageSize, Cols: ImageSize}}
	for _, e := range entries { // os.ReadDir sorts by name
		label, source, ok := parseDigitName(e.Name())
		if e.IsDir() || !ok {
			continue
		}
		d, err := ReadDigit(filepath.Join(dir, e.Name()))
		if err != nil {
			return DigitSet{}, err
		}
		set.Add(d, label, e.Name(), source)
	}
	if set.Images.N == 0 {
		return DigitSet{}, fmt.Errorf("read digit folder: %s holds no digit pictures named LABEL-SOURCE-N.png", dir)
	}
	return set, nil
}

// parseDigitName splits "7-comicneue-2.png" into 7 and "comicneue".
func parseDigitName(name string) (label uint8, source string, ok bool) {
	ext := strings.ToLower(filepath.Ext(name))
	if !slices.Contains([]string{".png", ".bmp", ".jpg", ".jpeg"}, ext) {
		return 0, "", false
	}
	parts := strings.Split(strings.TrimSuffix(name, filepath.Ext(name)), "-")
	if len(parts) < 2 || len(parts[0]) != 1 || parts[0][0] < '0' || parts[0][0] > '9' {
		return 0, "", false
	}
	source = parts[1]
	if len(parts) > 2 {
		source = strings.Join(parts[1:len(parts)-1], "-") // the last part numbers the picture
	}
	return parts[0][0] - '0', source, true
}

// Add appends one digit (28×28, as ReadDigit gives it) to the set.
func (s *DigitSet) Add(d Digit, label uint8, name, source string) {
	s.Images.Rows, s.Images.Cols = ImageSize, ImageSize
	s.Images.Pix = append(s.Images.Pix, d.Pix...)
	s.Images.N++
	s.Labels = append(s.Labels, label)
	s.Names = append(s.Names, name)
	s.Sources = append(s.Sources, source)
}

// Subset returns the digits whose source satisfies keep.
func (s DigitSet) Subset(keep func(source string) bool) DigitSet {
	out := DigitSet{Images: Images{Rows: s.Images.Rows, Cols: s.Images.Cols}}
	for i, src := range s.Sources {
		if keep(src) {
			out.Add(s.Images.Digit(i), s.Labels[i], s.Names[i], src)
		}
	}
	return out
}

// Accuracy is the share of rows whose predicted class is the label.
func Accuracy(predicted []int, labels Labels) float64 {
	if len(labels) == 0 {
		return 0
	}
	return 1 - float64(len(Mistakes(predicted, labels)))/float64(len(labels))
}

// OutsideKinds are the kinds of digits of notebook 10's outside set, in the
// order its tables list them: Kind maps each file's source to one of them.
var OutsideKinds = []string{"pen", "marker", "blocky", "forms", "fonts", "drawn"}

// Kind is the kind of an outside digit's source: the program's pens ("pen",
// "marker", "blocky", "forms") and the drawings on paper ("drawn") are their
// own kinds; every other source is a font, "fonts".
func Kind(source string) string {
	if slices.Contains(OutsideKinds, source) {
		return source
	}
	return "fonts"
}

// ReadOutside reads notebook 10's digits from outside MNIST, under the
// notebooks' images folder: images/outside (mnistlib/cmd/mkoutside made it)
// and 07's two drawings on paper, drawn_7.png and drawn_4.jpg (source "drawn").
func ReadOutside(images string) (DigitSet, error) {
	set, err := ReadDigitFolder(filepath.Join(images, "outside"))
	if err != nil {
		return DigitSet{}, err
	}
	for _, f := range []struct {
		name  string
		label uint8
	}{{"drawn_7.png", 7}, {"drawn_4.jpg", 4}} {
		d, err := ReadDigit(filepath.Join(images, f.name))
		if err != nil {
			return DigitSet{}, err
		}
		set.Add(d, f.label, f.name, "drawn")
	}
	return set, nil
}

// OfKind returns the digits of one kind (see Kind).
func (s DigitSet) OfKind(kind string) DigitSet {
	return s.Subset(func(source string) bool { return Kind(source) == kind })
}
