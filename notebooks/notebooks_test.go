// Package notebooks_test executes the workbook's notebooks with the real GoNB
// kernel, the way a reader runs them, and checks what they print.
package notebooks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/gonb-mnist/workbook/mnistlib"
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
		// Quick mode from here on: 6000 training images, at most 2 epochs.
		{"04_mlp.ipynb", []string{
			"Total params: 203,530",
			"quick mode ($WORKBOOK_QUICK): 2 epochs instead of 10",
			"Epoch 1/2\n24/24 - ", " - val_accuracy: 0.",
			"train_history.history['val_accuracy'] = [0.", "train_history.history['val_loss']     = [0.",
			"saved to ../build/checkpoints/quick/mlp\n", // relative to the notebook: no machine's path
			"<svg", "训练准确率", "验证准确率",
			"scores = [0.", "test accuracy: 0.",
			"true label: 7",
			"dense_1 (scope)", // the same MLP as a GoMLX graph function
		}},
		{"05_better_mlp.ipynb", []string{
			"loaded ../build/checkpoints/quick/mlp: this model", // 04's model, from its checkpoint
			"mlp: 203530 parameters, 2 epochs",
			"mlp_1000_units: 795010 parameters",
			"mlp_20_epochs: 203530 parameters, 2 epochs",
			"mlp_2_layers: 269322 parameters",
			"<svg",
		}},
		{"06_overfitting_dropout.ipynb", []string{
			"loaded", // the MLP of notebook 04, from its checkpoint
			"mlp: train accuracy 0.", "mlp_dropout: train accuracy 0.", "gap ",
			"<svg",
		}},
		{"07_predict_and_save.ipynb", []string{
			"[image/png]", // the samples as the model sees them
			"9.bmp        → 9 (probability",
			"saved to number_model",
			"loaded a model with 203530 parameters, trained for 2 epochs",
			"no model.json in the folder",
		}},
		{"08_cnn.ipynb", []string{
			"x_train: (6000, 28, 28, 1)  y_train: (6000, 10)",
			"Total params: 403,242",
			"conv2d (Conv2D)", "max_pooling2d (MaxPooling2D)",
			"<svg", "test accuracy: 0.", "first 20 predictions: [",
			"deep CNN: 242062 parameters, test accuracy: 0.",
		}},
		{"09_compare.ipynb", []string{
			"mlp          params  203530", "cnn          params  403242",
			"cnn_nodrop gap after the last epoch",
			"<table>", "<svg", "confusion matrix",
			"mistakes on 1000 test digits", "[image/png]",
		}},
		{"10_your_digits.ipynb", []string{
			"662 digits from outside MNIST: 400 drawn by the program with a pen, 260 from fonts, 2 drawn on paper\n[image/png]",
			"CNN: MNIST test accuracy 0.",
			" outside digits wrong; the first 36:\n[image/png]", // quick mode's CNN gets more than 36 wrong
			"saved to ../build/checkpoints/quick/cnn_augmented\n",
			"<table>", "MNIST test (1000)          cnn 0.", "outside, all (662)         cnn 0.", "cnn_augmented 0.",
			"saliency maps of the drawings on paper:\n[image/png]", "test digits the CNN gets wrong:\n[image/png]",
			// No browser runs it here: the pad shows its still picture and the cell ends.
			"The drawing pad needs this notebook open in JupyterLab", "probabilities: CNN: ", "sample drawing of a 2: CNN: ",
		}},
	}
	// Quick mode, and no checkpoints left from an earlier run: the notebooks
	// must train their models, not only load them.
	t.Setenv("WORKBOOK_QUICK", "1")
	if dir := os.Getenv("WORKBOOK_CHECKPOINTS"); dir != "" {
		os.RemoveAll(filepath.Join(dir, "quick"))
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.notebook, ".ipynb"), func(t *testing.T) {
			out := execute(t, c.notebook)
			checkSameModels(t, c.notebook)
			if strings.Contains(c.notebook, "07_") {
				// Saved and loaded models predict the same: the same lines, three times.
				line, _, _ := strings.Cut(out[max(strings.Index(out, "9.bmp        → "), 0):], "\n")
				if n := strings.Count(out, line); n != 3 {
					t.Errorf("prediction %q appears %d times, want 3 (trained, saved, loaded)", line, n)
				}
			}
			if strings.Contains(c.notebook, "04_") {
				// The digit is shown before its probabilities are printed, as the cell reads.
				probs := strings.Index(out, "0: 0.")
				accuracy := strings.Index(out, "test accuracy:")
				if probs < 0 || accuracy < 0 || accuracy > probs || !strings.Contains(out[accuracy:probs], "[image/png]") {
					png := strings.LastIndex(out, "[image/png]")
					t.Errorf("the digit (at %d) should come before its probabilities (at %d):\n%s", png, probs, out)
				}
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: output lacks %q; the outputs were:\n%s", c.notebook, w, out)
				}
			}
			if root, _ := filepath.Abs(".."); strings.Contains(out, root) || strings.Contains(out, os.Getenv("HOME")+"/") {
				t.Errorf("%s: an output names an absolute path of this machine:\n%s", c.notebook, out)
			}
		})
	}
	t.Run("04_mlp_edited", testEditAndRerun)
}

// The bench and notebooks 07 and 09 train mnistlib's Tutorial* models under the
// checkpoint names that notebooks 04, 06 and 08 use with the lines they write
// out: the checkpoints those notebooks save must hold exactly those models,
// or the bench measures something else and 09 trains them again.
func checkSameModels(t *testing.T, notebook string) {
	presets := map[string]map[string]func() *mnistlib.Model{
		"04_mlp.ipynb":                 {"mlp": mnistlib.TutorialMLP},
		"06_overfitting_dropout.ipynb": {"mlp_dropout": mnistlib.TutorialMLPDropout},
		"08_cnn.ipynb": {"cnn": func() *mnistlib.Model { return mnistlib.TutorialCNN(true) },
			"deep_cnn": mnistlib.TutorialDeepCNN},
	}[notebook]
	for name, preset := range presets {
		saved, err := mnistlib.LoadCheckpoint(name)
		if err != nil {
			t.Errorf("%s: %v", notebook, err)
			continue
		}
		if !reflect.DeepEqual(saved.Layers(), preset().Layers()) {
			t.Errorf("%s saves under %q other layers than mnistlib's preset: %v, want %v", notebook, name, saved.Layers(), preset().Layers())
		}
	}
}

// testEditAndRerun does what a learner does in 04: edit the model's units and
// the epochs, rerun, and see the model train anew; rerun unchanged, and see it load.
func testEditAndRerun(t *testing.T) {
	raw, err := os.ReadFile("04_mlp.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	const units, epochs = "Units: 256, InputDim: 784", "Epochs: 10, BatchSize: 200,"
	if strings.Count(string(raw), units) != 1 || strings.Count(string(raw), epochs) != 1 {
		t.Fatal("04_mlp.ipynb no longer has the lines this test edits: update the test")
	}
	edited := strings.Replace(string(raw), units, "Units: 64, InputDim: 784", 1)
	edited = strings.Replace(edited, epochs, "Epochs: 1, BatchSize: 200,", 1)
	const name = "04_mlp_edited.ipynb" // beside the original, so its images/ and checkpoints/ resolve alike
	if err := os.WriteFile(name, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(name)
	// The training cell prints the history it trained (or loaded): one epoch now.
	oneEpoch := regexp.MustCompile(`train_history.history\['loss'\]\s+= \[\d\.\d{4}\]\n`)
	out := execute(t, name)
	for _, w := range []string{"Total params: 50,890", "saved to ../build/checkpoints/quick/mlp\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("after the edit, the output lacks %q:\n%s", w, out)
		}
	}
	if !oneEpoch.MatchString(out) {
		t.Errorf("after the edit, the model did not train for exactly 1 epoch:\n%s", out)
	}
	out = execute(t, name)
	if !strings.Contains(out, "loaded ../build/checkpoints/quick/mlp: this model") || strings.Contains(out, "saved to ../build/checkpoints/quick/mlp") {
		t.Errorf("rerun unchanged, it should load the model, not train it:\n%s", out)
	}
	if !oneEpoch.MatchString(out) {
		t.Errorf("the loaded model's history (1 epoch) is not printed:\n%s", out)
	}
}

// execute runs a notebook through nbconvert (which fails on any failing
// cell), keeps the executed copy under build/test, and returns the text of
// all its outputs.
func execute(t *testing.T, notebook string) string {
	t.Helper()
	if _, err := exec.LookPath("jupyter"); err != nil || os.Getenv("JUPYTER_DATA_DIR") == "" {
		const msg = "jupyter and the GoNB kernel are not set up here: run the tests with `make test`, which installs them"
		if os.Getenv("WORKBOOK_REQUIRE_SETUP") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
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
				if (strings.HasPrefix(mime, "text/") || mime == "image/svg+xml") && json.Unmarshal(v, &text) == nil {
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
