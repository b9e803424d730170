// Package notebooks_test executes the workbook's notebooks with the real GoNB
// kernel, the way a reader runs them, and checks what they print.
package notebooks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestNotebooks(t *testing.T) {
	cases := []struct {
		notebook string
		want     []string // each must appear in the notebook's outputs
	}{
		{"01_load_data.ipynb", []string{
			"train images: (60000, 28, 28)",
			"train labels: (60000,)",
			"test images:  (10000, 28, 28)",
			"test labels:  (10000,)",
			"train_label[0] = 5",
			"   3  18  18  18 126 136 175  26 166 255 247 127", // row 5 of the first image
		}},
		{"02_view_images.ipynb", []string{
			"train_label[0] = 5\n[image/png]",                 // show_image
			"[image/png]训练图片样式 train images: (60000, 28, 28)", // the grid, then the shapes
			"fashion-mnist (IDX files) · train images: (60000, 28, 28)\n[image/png]",
			"test digit 7, a 9 saved as my_9.bmp",
		}},
		{"03_preprocess.ipynb", []string{
			"before: (60000, 28, 28) uint8 pixels\nafter:  (60000, 784) Float32 values",
			"before /255: values from 0 to 255",
			"after  /255: values from 0 to 1",
			"train_label[0] = 5 → [0 0 0 0 0 1 0 0 0 0]",
			"CNN input: (60000, 28, 28, 1)",
		}},
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.notebook, ".ipynb"), func(t *testing.T) {
			out := execute(t, c.notebook)
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: output lacks %q; the outputs were:\n%s", c.notebook, w, out)
				}
			}
		})
	}
}

// execute runs a notebook through nbconvert (which fails on any failing
// cell), keeps the executed copy under build/test, and returns the text of
// all its outputs.
func execute(t *testing.T, notebook string) string {
	t.Helper()
	if _, err := exec.LookPath("jupyter"); err != nil || os.Getenv("JUPYTER_DATA_DIR") == "" {
		t.Fatal("jupyter and the GoNB kernel are not set up here: run the tests with `make test`, which installs them")
	}
	outDir, err := filepath.Abs(filepath.Join("..", "build", "test"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.timeout=1800", "--ExecutePreprocessor.kernel_name=gonb",
		"--output-dir", outDir, notebook)
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("executing %s failed: %v\n%s", notebook, err, log)
	}
	raw, err := os.ReadFile(filepath.Join(outDir, notebook))
	if err != nil {
		t.Fatal(err)
	}
	return outputsText(t, raw)
}

// outputsText joins what the reader sees: printed text, rich data (text,
// HTML, SVG) and error messages, which also fail the test.
func outputsText(t *testing.T, raw []byte) string {
	var nb struct {
		Cells []struct {
			Outputs []struct {
				OutputType string                     `json:"output_type"`
				Text       multiline                  `json:"text"`
				Data       map[string]json.RawMessage `json:"data"`
				Ename      string                     `json:"ename"`
				Evalue     string                     `json:"evalue"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatalf("executed notebook is not valid JSON: %v", err)
	}
	var b strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				t.Errorf("a cell failed: %s: %s", o.Ename, o.Evalue)
			}
			b.WriteString(string(o.Text))
			for mime, v := range o.Data {
				var text multiline
				if strings.HasPrefix(mime, "text/") && json.Unmarshal(v, &text) == nil {
					b.WriteString(string(text))
				} else {
					b.WriteString("[" + mime + "]")
				}
			}
		}
	}
	return b.String()
}

// multiline is notebook text, stored either as a string or a list of lines.
type multiline string

func (m *multiline) UnmarshalJSON(b []byte) error {
	var lines []string
	if err := json.Unmarshal(b, &lines); err == nil {
		*m = multiline(strings.Join(lines, ""))
		return nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	*m = multiline(s)
	return err
}
