package mnistlib

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseDigitName(t *testing.T) {
	for _, tc := range []struct {
		name   string
		label  uint8
		source string
		ok     bool
	}{
		{"7-pen-03.png", 7, "pen", true},
		{"0-comicneue-bold-2.png", 0, "comicneue-bold", true},
		{"3-mine.jpg", 3, "mine", true},
		{"9-drawn-1.BMP", 9, "drawn", true},
		{"README.md", 0, "", false},
		{"12-pen-1.png", 0, "", false},
		{"x-pen-1.png", 0, "", false},
		{"7.png", 0, "", false},
	} {
		label, source, ok := parseDigitName(tc.name)
		if label != tc.label || source != tc.source || ok != tc.ok {
			t.Errorf("%s: %d %q %v, want %d %q %v", tc.name, label, source, ok, tc.label, tc.source, tc.ok)
		}
	}
}

// The outside digits the repository ships (notebooks/images/outside, made by
// cmd/mkoutside): about a thousand, every digit, every kind, small files.
func TestOutsideDigits(t *testing.T) {
	dir := filepath.Join("..", "notebooks", "images", "outside")
	set, err := ReadDigitFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if set.Images.N < 300 || len(set.Labels) != set.Images.N || len(set.Sources) != set.Images.N {
		t.Fatalf("%d digits, %d labels, %d sources", set.Images.N, len(set.Labels), len(set.Sources))
	}
	perLabel := map[uint8]int{}
	for i, l := range set.Labels {
		perLabel[l]++
		if !strings.HasPrefix(set.Names[i], string(rune('0'+l))+"-") {
			t.Errorf("%s has label %d", set.Names[i], l)
		}
	}
	if len(perLabel) != NumClasses {
		t.Errorf("labels %v, want all ten digits", perLabel)
	}
	pen := set.Subset(func(s string) bool { return s == "pen" })
	if pen.Images.N < 100 || pen.Images.N == set.Images.N {
		t.Errorf("%d pen digits of %d", pen.Images.N, set.Images.N)
	}
	total := int64(0)
	for _, name := range set.Names {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	if total > 600<<10 {
		t.Errorf("the pictures take %d KB, want a few hundred at most", total>>10)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Errorf("the folder's README (sources and licences): %v", err)
	}
}

func TestReadDigitFolderErrors(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "README.md"), []byte("no digits"), 0o644)
	if _, err := ReadDigitFolder(empty); err == nil || !strings.Contains(err.Error(), "holds no digit pictures") {
		t.Errorf("a folder without digits: %v", err)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "4-broken-1.png"), []byte("not a png"), 0o644)
	if _, err := ReadDigitFolder(bad); err == nil || !strings.Contains(err.Error(), "4-broken-1.png") {
		t.Errorf("a damaged picture: %v", err)
	}
	if _, err := ReadDigitFolder(filepath.Join(bad, "missing")); err == nil {
		t.Error("a missing folder: no error")
	}
}

func TestKind(t *testing.T) {
	for source, want := range map[string]string{
		"pen": "pen", "marker": "marker", "blocky": "blocky", "forms": "forms", "drawn": "drawn",
		"comicneue": "fonts", "comicneue-bold": "fonts", "humorsans": "fonts",
	} {
		if got := Kind(source); got != want {
			t.Errorf("Kind(%q) = %q, want %q", source, got, want)
		}
	}
}

// ReadOutside reads notebook 10's folder and 07's two drawings, every kind present.
func TestReadOutside(t *testing.T) {
	set, err := ReadOutside(filepath.Join("..", "notebooks", "images"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"pen": 400, "marker": 100, "blocky": 100, "forms": 96, "fonts": 260, "drawn": 2}
	total := 0
	for _, kind := range OutsideKinds {
		sub := set.OfKind(kind)
		if sub.Images.N != want[kind] {
			t.Errorf("%d digits of kind %s, want %d", sub.Images.N, kind, want[kind])
		}
		total += sub.Images.N
	}
	if total != set.Images.N {
		t.Errorf("the kinds hold %d digits, the set %d", total, set.Images.N)
	}
	for i, name := range set.Names {
		if strings.HasPrefix(name, "drawn_") && (set.Sources[i] != "drawn" || int(set.Labels[i]) != int(name[6]-'0')) {
			t.Errorf("%s: source %q, label %d", name, set.Sources[i], set.Labels[i])
		}
	}
	if _, err := ReadOutside(t.TempDir()); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("a folder without images/outside: %v", err)
	}
}
