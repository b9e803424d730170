package fuzzseed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Seed is one input of a fuzz target: its arguments, and the name of its
// corpus file.
type Seed struct {
	Name string
	Args []any // []byte, string, uint8 or bool, as the target takes them
}

// MaxFileBytes keeps the committed corpus small: a seed larger than this is
// added with f.Add, built at run time, not kept as a file.
const MaxFileBytes = 16 << 10

// EnvWrite, set to 1, makes Corpus write the files instead of checking them.
const EnvWrite = "WORKBOOK_WRITE_FUZZ_CORPUS"

// Corpus checks that each seed is the file testdata/fuzz/<f.Name()>/<name>
// (which `go test` then runs as part of the target's corpus), or writes them
// all when $WORKBOOK_WRITE_FUZZ_CORPUS is 1. A seed over MaxFileBytes is
// added with f.Add instead.
func Corpus(f *testing.F, seeds []Seed) {
	f.Helper()
	dir := filepath.Join("testdata", "fuzz", f.Name())
	write := os.Getenv(EnvWrite) == "1"
	if write {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range seeds {
		data, err := Encode(s.Args...)
		if err != nil {
			f.Fatalf("seed %s: %v", s.Name, err)
		}
		if len(data) > MaxFileBytes {
			f.Add(s.Args...)
			continue
		}
		path := filepath.Join(dir, s.Name)
		if write {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				f.Fatal(err)
			}
			continue
		}
		if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, data) {
			f.Errorf("the corpus file %s is missing or out of date (%v): rewrite the corpus with %s=1 go test -run '^%s$' ./<package>",
				path, err, EnvWrite, f.Name())
		}
	}
}

// Encode writes values in Go's corpus file format ("go test fuzz v1").
func Encode(args ...any) ([]byte, error) {
	b := bytes.NewBufferString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(b, "[]byte(%q)\n", v)
		case string:
			fmt.Fprintf(b, "string(%q)\n", v)
		case uint8:
			fmt.Fprintf(b, "byte(%q)\n", v)
		case bool:
			fmt.Fprintf(b, "bool(%v)\n", v)
		default:
			return nil, fmt.Errorf("a %T: not a type the corpus files here hold", a)
		}
	}
	return b.Bytes(), nil
}
