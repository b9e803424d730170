package notebooks_test

// The "Try it" exercises that end every notebook, checked and applied.
//
// This file is named tryit_test.go so that it sorts after notebooks_test.go:
// `go test` runs a package's tests in the order of its files (by name) and,
// within a file, in source order, so TestExercises runs after TestNotebooks
// (`go test -list . ./notebooks` shows the order) and finds the quick-mode
// checkpoints TestNotebooks saved. It never writes to them: each exercise
// runs on a copy of them.

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// changePair is the form of a machine-applicable exercise: change `OLD` to `NEW`.
var changePair = regexp.MustCompile("[Cc]hange\\s+`([^`\n]+)`\\s+to\\s+`([^`\n]+)`")

// exerciseItem starts an item of the numbered list of exercises.
var exerciseItem = regexp.MustCompile(`(?m)^\d+\. `)

type pair struct{ old, new string }

// pairsIn returns the change pairs of a markdown text, in order.
func pairsIn(text string) []pair {
	var ps []pair
	for _, m := range changePair.FindAllStringSubmatch(text, -1) {
		ps = append(ps, pair{m[1], m[2]})
	}
	return ps
}

// nbCell is what these checks read of a cell.
type nbCell struct {
	Type   string    `json:"cell_type"`
	ID     string    `json:"id"`
	Source multiline `json:"source"`
}

func readCells(t *testing.T, path string) []nbCell {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []nbCell `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return nb.Cells
}

// tryIt returns the last markdown cell that starts with "## Try it".
func tryIt(cells []nbCell) (nbCell, bool) {
	for i := len(cells) - 1; i >= 0; i-- {
		if cells[i].Type == "markdown" && strings.HasPrefix(string(cells[i].Source), "## Try it") {
			return cells[i], true
		}
	}
	return nbCell{}, false
}

// TestExercises checks every notebook's "Try it" cell: it is there, it has at
// least one exercise of the form change `OLD` to `NEW`, each such OLD occurs
// exactly once in the notebook's code (so the learner finds the line), and
// the Chinese edition's cell names the same changes. Then it does what a
// learner does with the first exercise: applies its changes to a copy of the
// notebook, runs the copy with the GoNB kernel up to the last changed cell,
// and checks that every cell ran and the changed cells printed something.
func TestExercises(t *testing.T) {
	paths, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(path, ".ipynb")
		if strings.Contains(name, "_try") || strings.Contains(name, "_edited") {
			continue // a copy a test is running
		}
		t.Run(name, func(t *testing.T) {
			cells := readCells(t, path)
			cell, ok := tryIt(cells)
			if !ok {
				t.Fatalf("%s has no markdown cell starting with \"## Try it\": end the notebook with its exercises", path)
			}
			pairs := pairsIn(string(cell.Source))
			if len(pairs) == 0 {
				t.Fatalf("%s, cell %s: no exercise of the form change `OLD` to `NEW`", path, cell.ID)
			}
			var code []string
			for _, c := range cells {
				if c.Type == "code" {
					code = append(code, string(c.Source))
				}
			}
			for _, p := range pairs {
				n := 0
				for _, src := range code {
					n += strings.Count(src, p.old)
				}
				if n != 1 {
					t.Errorf("%s, cell %s: `%s` occurs %d times in the code cells, want exactly once (within one cell)", path, cell.ID, p.old, n)
				}
				if p.new == p.old {
					t.Errorf("%s, cell %s: change `%s` to itself", path, cell.ID, p.old)
				}
			}
			checkChineseExercises(t, name, cell, pairs)
			if t.Failed() {
				return
			}
			t.Run("first", func(t *testing.T) { runExercise(t, path, firstExercise(string(cell.Source))) })
		})
	}
}

// checkChineseExercises checks that the Chinese edition's cell of the same id
// names the same changes, each as backticked code.
func checkChineseExercises(t *testing.T, name string, en nbCell, pairs []pair) {
	t.Helper()
	path := filepath.Join("zh", name+".ipynb")
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the Chinese edition has no %s: translate the notebook and run `make zh` (%v)", path, err)
		return
	}
	for _, c := range readCells(t, path) {
		if c.ID != en.ID {
			continue
		}
		for _, p := range pairs {
			for _, code := range []string{p.old, p.new} {
				if !strings.Contains(string(c.Source), "`"+code+"`") {
					t.Errorf("%s, cell %s lacks `%s`, which the English exercises change: run `make zh` after translating them", path, c.ID, code)
				}
			}
		}
		return
	}
	t.Errorf("%s has no cell %s, the English edition's exercises: translate it and run `make zh`", path, en.ID)
}

// firstExercise returns the change pairs of the first item of the list of
// exercises: all of them, as the learner makes them (a change of the model
// comes with a checkpoint name of its own); the first pair alone where the
// text has no numbered list.
func firstExercise(text string) []pair {
	items := exerciseItem.FindAllStringIndex(text, -1)
	if len(items) > 0 {
		end := len(text)
		if len(items) > 1 {
			end = items[1][0]
		}
		if ps := pairsIn(text[items[0][1]:end]); len(ps) > 0 {
			return ps
		}
	}
	return pairsIn(text)[:1]
}

// runExercise writes NAME_try.ipynb beside the notebook (so that images/
// resolves), with the changes made and the cells after the last changed one
// left out, and runs it in quick mode with a copy of the quick checkpoints.
func runExercise(t *testing.T, path string, pairs []pair) {
	if _, err := exec.LookPath("jupyter"); err != nil || os.Getenv("JUPYTER_DATA_DIR") == "" {
		const msg = "jupyter and the GoNB kernel are not set up here: run the tests with `make test`, which installs them"
		if os.Getenv("WORKBOOK_REQUIRE_SETUP") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	cells, _ := nb["cells"].([]any)
	changed := map[int]bool{}
	last := -1
	for _, p := range pairs {
		found := false
		for i, c := range cells {
			cell, _ := c.(map[string]any)
			if cell["cell_type"] != "code" {
				continue
			}
			src := sourceText(cell["source"])
			if strings.Contains(src, p.old) {
				cell["source"] = strings.Replace(src, p.old, p.new, 1)
				changed[i], last, found = true, max(last, i), true
				break
			}
		}
		if !found {
			t.Fatalf("%s: no code cell has `%s` (an earlier change of the same exercise took it?)", path, p.old)
		}
	}
	nb["cells"] = cells[:last+1]
	edited, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSuffix(path, ".ipynb") + "_try.ipynb"
	if err := os.WriteFile(name, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(name)

	// The copy trains into a folder of its own: the checkpoints the other
	// tests use stay as they are. What it does not find there, it trains.
	t.Setenv("WORKBOOK_QUICK", "1")
	src := os.Getenv("WORKBOOK_CHECKPOINTS")
	if src == "" {
		src = "checkpoints" // mnistlib.CheckpointDir's default, beside the notebook
	}
	dir := t.TempDir()
	if err := copyTree(filepath.Join(src, "quick"), filepath.Join(dir, "quick")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WORKBOOK_CHECKPOINTS", dir)

	out := execute(t, name) // fails on a failing cell
	executed, err := os.ReadFile(filepath.Join("..", "build", "test", name))
	if err != nil {
		t.Fatal(err)
	}
	var ran struct {
		Cells []struct {
			ID      string            `json:"id"`
			Outputs []json.RawMessage `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(executed, &ran); err != nil || len(ran.Cells) != last+1 {
		t.Fatalf("the executed %s has %d cells, want %d (%v)", name, len(ran.Cells), last+1, err)
	}
	for i, c := range ran.Cells {
		if changed[i] && len(c.Outputs) == 0 {
			t.Errorf("%s: the changed cell %s printed nothing; the outputs were:\n%s", name, c.ID, out)
		}
	}
}

// sourceText is a cell's source, stored as a string or a list of lines.
func sourceText(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []any:
		var b strings.Builder
		for _, line := range s {
			str, _ := line.(string)
			b.WriteString(str)
		}
		return b.String()
	}
	return ""
}

// copyTree copies the folders and regular files under src to dst; a missing
// src copies nothing.
func copyTree(src, dst string) error {
	if _, err := os.Stat(src); os.IsNotExist(err) {
		return nil
	}
	src, err := filepath.EvalSymlinks(src) // a checkpoint folder may be a link
	if err != nil {
		return err
	}
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil // links and the like: a checkpoint is folders and files
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
