package mnistlib

// What the library tells the reader, besides its results: where its lines go,
// and the paths they name.

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Messages receives the lines the library prints for the reader: which
// backend runs and why, and whether a checkpoint was loaded or saved.
var Messages io.Writer = os.Stdout

// displayPath shows a path as a reader should see it, naming no folder of the
// machine it ran on: relative to the working folder (the notebook's) when it is
// near, else under "~" when it is in the home folder.
func displayPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "../../..") {
			return rel
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		if rel, err := filepath.Rel(home, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("~", rel)
		}
	}
	return abs
}
