package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The program's own digits are the same on every run: made again, each is the
// shipped file byte for byte (the fonts' need the Debian packages, see main.go).
func TestProgramDigitsReproduce(t *testing.T) {
	shipped := filepath.Join("..", "..", "..", "notebooks", "images", "outside")
	out := t.TempDir()
	n := writePenDigits(out, 40) + writeMarkerDigits(out, 10) + writeBlockyDigits(out, 10) + writeFormDigits(out, 8)
	made, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != n || n != 400+100+100+96 {
		t.Fatalf("wrote %d files, said %d", len(made), n)
	}
	for _, e := range made {
		got, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(shipped, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the shipped file (%v): run mkoutside again and commit its output", e.Name(), err)
		}
	}
}
