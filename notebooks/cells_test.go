package notebooks_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// maxCodeLines is a screen of code: a learner reads a cell whole, without
// scrolling, and one idea per cell keeps cells this short.
const maxCodeLines = 25

// Every code cell of every notebook fits on a screen; a longer one is split
// where a new idea starts (declarations in their own cell, text before it).
func TestCellsFitOnAScreen(t *testing.T) {
	paths, _ := filepath.Glob("*.ipynb")
	if len(paths) == 0 {
		t.Fatal("no notebooks")
	}
	for _, path := range paths {
		for _, c := range readCells(t, path) {
			if n := len(strings.Split(strings.TrimRight(string(c.Source), "\n"), "\n")); c.Type == "code" && n > maxCodeLines {
				t.Errorf("%s, cell %s: %d lines of code, more than a screen (%d): split it where a new idea starts",
					path, c.ID, n, maxCodeLines)
			}
		}
	}
}
