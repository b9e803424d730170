// Package notebooks_test executes the workbook's notebooks with the real GoNB
// kernel, the way a reader runs them, and checks what they print.
package notebooks_test

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
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
			"[image/png]", // the Fashion-MNIST grid, then its source (checked below, wherever the set-up put it)
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
			// Inside the network: weights, one digit by hand, softmax, the formulas.
			"kernel: (784, 256)  bias: (256,)",
			"dense: the weights of 16 units, each a 28×28 template (16 images)",
			", ReLU → 0.000", // the unit the digit leaves off
			"→ softmax → probabilities [",
			"dense    784×256 + 256  =  200960   summary:  200960",
			"dense_1  256×10 + 10    =    2570   summary:    2570",
			"on the test set: 0.", " against the tutorial's 0.9775",
		}},
		// The Chinese edition of 04 (notebooks/zh, made by scripts/zh_edition.py):
		// the same code cells, run from notebooks/zh, so it loads the model the
		// English 04 just saved instead of training, and labels its pictures in Chinese.
		{"zh/04_mlp.ipynb", []string{
			"Total params: 203,530",
			"已载入 ../../build/checkpoints/quick/mlp：这个模型之前用同样的选项训练过（训练 2 次，验证准确率 0.", // 04's checkpoint, relative to notebooks/zh
			"train_history.history['val_accuracy'] = [0.",
			"<svg", "训练准确率", "验证准确率", "图表：训练历史", "训练损失", // the loss chart too is Chinese here
			"scores = [0.", "测试准确率：0.", "真实标签：7", "dense_1 (scope)",
			"权重 kernel： (784, 256)  偏差 bias： (256,)",
			"dense：16 个神经单元的权重，每个都是一张 28×28 的模板（16 张图）",
			"dense    784×256 + 256  =  200960   model.summary()： 200960",
			"测试集上：0.", "和教程的 0.9775 相比 ",
		}},
		// How it learns: each hand computation beside GoMLX's (checkLearning
		// compares the numbers), the learning rates, Adam, the steps, the slider.
		{"04b_how_it_learns.ipynb", []string{
			"sure and right   true digit ", "right but unsure true digit ", "wrong            true digit ",
			"mean loss of 200 training digits: by hand 0.", "bias of digit 9: by hand ",
			"kernel, 2560 gradients: largest |by hand − GoMLX| = ",
			"slope (up − down) / 0.002: by hand ", " of the 256 hidden units are above 0 for this digit",
			"learning rate η = 0.1: the batch's loss 2.", "η = 0.01  loss of the first batch 2.", "η = 2     loss of the first batch 2.",
			"chart: Gradient descent with four learning rates",
			"one step of Adam by hand: the batch's loss 2.", "dense_1 bias   largest |by hand − Fit| = ",
			"6000 training images; validation_split=0.2 keeps 4800 to learn from",
			"batch_size=200: 24 steps an epoch; epochs=10: 240 steps in all",
			"chart: The loss, step by step and epoch by epoch",
			"step: 24 (the slider, 0 to 24, needs this notebook open in JupyterLab)",
			"step 24 of 24: dense: the weights of 8 units, each a 28×28 template",
		}},
		{"05_better_mlp.ipynb", []string{
			"loaded ../build/checkpoints/quick/mlp: this model", // 04's model, from its checkpoint
			"mlp: 203530 parameters, 2 epochs",
			"mlp_1000_units: 795010 parameters",
			"mlp_20_epochs: 203530 parameters, 2 epochs",
			"mlp_2_layers: 269322 parameters",
			"<svg",
			// What the numbers showed: the conclusions, printed from the checkpoints.
			"mlp, the baseline: 203530 parameters", "mlp_1000_units: 3.9× the parameters",
			"the most accurate: ",
			"mlp_20_epochs trained for 2 epochs, no more than the baseline (quick mode): no extra epochs to compare",
		}},
		{"06_overfitting_dropout.ipynb", []string{
			"loaded", // the MLP of notebook 04, from its checkpoint
			"mlp: train accuracy 0.", "mlp_dropout: train accuracy 0.", "gap ",
			"<svg",
			"mlp_dropout train − validation gap ", "with Dropout: the gap is ",
		}},
		{"07_predict_and_save.ipynb", []string{
			"[image/png]", // the samples as the model sees them
			"9.bmp        → 9 (probability",
			"saved to number_model",
			"loaded a model with 203530 parameters, trained for 2 epochs",
			"no model.json in the folder",
			"read right: ", " of 5 samples: ",
			"the loaded model's probabilities equal the saved model's, all 50 of them",
			"drawn_4.jpg → robust CNN: ", "/quick/deep_cnn_augmented", // trained here, or loaded when 10 ran first
		}},
		{"08_cnn.ipynb", []string{
			"x_train: (6000, 28, 28, 1)  y_train: (6000, 10)",
			"Total params: 403,242",
			"conv2d (Conv2D)", "max_pooling2d (MaxPooling2D)",
			"<svg", "test accuracy: 0.", "first 20 predictions: [",
			"deep CNN: 242062 parameters, test accuracy: 0.",
			// Inside the CNN: formulas, filters, the convolution by hand, maps, Flatten, the slider, the map.
			"conv2d         5×5×1×16 + 16    =     416   summary:     416",
			"dense          3,136×128 + 128  =  401536   summary:  401536",
			"kernel: (5, 5, 1, 16)  bias: (16,)",
			"conv2d: its 16 learned 5×5 filters (16 images)",
			"max_pooling2d  MaxPooling2D  (1, 14, 14, 16)",
			"conv2d (Conv2D): 16 feature maps of 28×28 (16 images)",
			"max_pooling2d (MaxPooling2D): 16 feature maps of 14×14 (16 images)",
			"pooled over 2×2 blocks into 14×14", "the orange block: ", "\nmax pooling:     ", "\nL2 pooling:      ", "the CNN's max_pooling2d layer there: ",
			"flatten: 14×14×16 → one row of 3,136 values → dense: 3,136×128 + 128 = 401,536 weights",
			"test digit: 0 (the slider, 0 to 99, needs this notebook open in JupyterLab)",
			"test digit 0, a 7: max_pooling2d (MaxPooling2D): 16 feature maps of 14×14",
			"conv2d_1 (Conv2D): 36 feature maps of 14×14 (36 images)",
			"max_pooling2d_1 (MaxPooling2D): 36 feature maps of 7×7 (36 images)",
			"2-D maps (PCA) of 2000 test digits: raw pixels",
			"CNN dense layer (128)    ",
			"deep_cnn   242062 parameters, test accuracy 0.",
		}},
		{"09_compare.ipynb", []string{
			"mlp          params  203530", "cnn          params  403242",
			"cnn_nodrop gap after the last epoch",
			"<table>", "<svg", "confusion matrix",
			"mistakes on 1000 test digits", "[image/png]",
			"test accuracy: cnn 0.", "the CNN's is ", "mistakes: cnn ",
			"time per epoch: cnn ", "time per epoch: mlp_dropout ", // timed side by side (mnistlib.EpochSeconds)
			"the tutorial's claim (the CNN overfits less) ", "the MLP with Dropout: gap ",
			"mlp, its most frequent mistakes: ", "cnn, its most frequent mistakes: ",
		}},
		// The Chinese edition of 09: the same cells, loading what 09 loaded, its
		// tables, lines and charts in Chinese (checkChinese reads every line).
		{"zh/09_compare.ipynb", []string{
			"mlp          参数  203530", "<th>模型</th><th>参数个数</th>",
			"cnn_nodrop 最后一次训练后的差距 ", "图表：训练准确率 − 验证准确率（过度拟合）", "图表：验证准确率",
			"混淆矩阵", "测试准确率：cnn 0.", "认错的个数：cnn ", "每次训练的时间：mlp_dropout ",
			"教程的说法（CNN 的过度拟合更小）在这里", "加了 Dropout 的 MLP：差距 ", "mlp 最常见的错误：",
		}},
		{"10_your_digits.ipynb", []string{
			"958 digits from outside MNIST: pen 400, marker 100, blocky 100, forms 96, fonts 260, drawn 2\n[image/png]",
			"CNN: MNIST test accuracy 0.",
			" outside digits wrong; the first 36:\n[image/png]", // quick mode's CNN gets more than 36 wrong
			"each change alone, a row each: [Shift Rotate Scale Thickness Elastic Shear]\n[image/png]",
			"every change at once:\n[image/png]",
			"saved to ../build/checkpoints/quick/cnn_augmented\n",
			"/quick/deep_cnn_augmented", // 07 trained it, or this notebook does
			"<table>", "MNIST test (1000)        cnn 0.", "outside, all (958)       cnn 0.", " cnn_augmented 0.", " deep_cnn_augmented 0.",
			"outside, forms (96)      cnn 0.",
			"saliency maps of the drawings on paper:\n[image/png]", "test digits the CNN gets wrong:\n[image/png]",
			// No browser runs it here: the pad shows its still picture and the cell ends.
			"The drawing pad needs this notebook open in JupyterLab", "probabilities: robust CNN: ", ", CNN: ", ", MLP: ", "sample drawing of a 2: robust CNN: ",
			"MNIST's test set: cnn 0.", "augmented, the accuracy is ", "outside MNIST, 958 digits, mistakes: cnn ",
			"MNIST's test set: deep_cnn 0.", "outside MNIST, 958 digits, mistakes: deep_cnn ",
			"  pen, 400 digits, mistakes: cnn ", "  marker, 100 digits, mistakes: deep_cnn ", "  fonts, 260 digits, mistakes: cnn ", "  drawn, 2 digits, mistakes: cnn ",
			"the best on the outside digits: ",
			"deep_cnn_augmented gets ", " of the 958 outside digits wrong: pen ",
		}},
	}
	// Quick mode, and no checkpoints left from an earlier run: the notebooks
	// must train their models, not only load them.
	t.Setenv("WORKBOOK_QUICK", "1")
	if dir := os.Getenv("WORKBOOK_CHECKPOINTS"); dir != "" {
		os.RemoveAll(filepath.Join(dir, "quick"))
	}
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.Base(c.notebook), ".ipynb")
		if dir := filepath.Dir(c.notebook); dir != "." {
			name += "_" + dir // zh/04_mlp.ipynb: 04_mlp_zh, run by -run TestNotebooks/04 too
		}
		t.Run(name, func(t *testing.T) {
			out := execute(t, c.notebook)
			if filepath.Dir(c.notebook) == "zh" {
				if strings.Contains(out, "已保存到 ../../build/checkpoints/") {
					t.Errorf("%s trained a model instead of loading the English edition's checkpoint:\n%s", c.notebook, out)
				}
				checkChinese(t, c.notebook)
			}
			checkSameModels(t, c.notebook)
			// A model loaded from its checkpoint draws no history chart: a cell that
			// trains draws them, and one that discusses training asks for them (zh/04
			// loads its MLP: the two of its history cell, and the two of the graph
			// function it trains; 07 trains nothing it charts).
			if want, ok := map[string]int{"zh/04_mlp.ipynb": 4, "07_predict_and_save.ipynb": 0}[c.notebook]; ok {
				if n := strings.Count(out, "chart: 训练历史") + strings.Count(out, "图表：训练历史"); n != want {
					t.Errorf("%s shows %d training-history charts, want %d:\n%s", c.notebook, n, want, out)
				}
			}
			if strings.Contains(c.notebook, "07_") {
				// Saved and loaded models predict the same: the same lines, three times.
				line, _, _ := strings.Cut(out[max(strings.Index(out, "9.bmp        → "), 0):], "\n")
				if n := strings.Count(out, line); n != 3 {
					t.Errorf("prediction %q appears %d times, want 3 (trained, saved, loaded)", line, n)
				}
			}
			if strings.Contains(c.notebook, "04_") || strings.Contains(c.notebook, "08_") {
				checkByHand(t, out)
				checkShownCode(t, c.notebook, out)
				checkPictures(t, c.notebook)
			}
			if strings.Contains(c.notebook, "02_") && !regexp.MustCompile(`\[image/png\][^\[\n]*fashion-mnist \(IDX files\) · train images: \(60000, 28, 28\)\n`).MatchString(out) {
				t.Errorf("02: the Fashion-MNIST grid should come with its source line after it:\n%s", out)
			}
			if strings.Contains(c.notebook, "04b_") {
				checkLearning(t, out)
				checkPictures(t, c.notebook)
			}
			if strings.Contains(c.notebook, "04_") {
				// The digit is shown before its probabilities are printed, as the cell reads.
				probs := strings.Index(out, "0: 0.")
				accuracy := max(strings.Index(out, "test accuracy:"), strings.Index(out, "测试准确率："))
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

// byHandPair is a value worked out by hand, printed beside the model's.
var byHandPair = regexp.MustCompile(`(?:by hand:?|手算(?: softmax)?[：:]?) ?(-?\d+\.\d+)[,，]?\s*(?:the model's [^:\n]*?|模型[^：\n]*?|model\.Predict)[:： ] ?(-?\d+\.\d+)`)

// checkByHand checks that each value the notebook works out by hand (a
// hidden unit, softmax, a pixel of the convolution) equals the one it prints
// from the model beside it, and that there are as many as the cells make.
func checkByHand(t *testing.T, out string) {
	t.Helper()
	found := byHandPair.FindAllStringSubmatch(out, -1)
	want := 3 + 10 // 04: three units, ten probabilities
	if strings.Contains(out, "conv2d") {
		want = 1 // 08: one pixel
	}
	if len(found) != want {
		t.Errorf("%d values by hand beside the model's, want %d:\n%s", len(found), want, out)
	}
	for _, m := range found {
		a, _ := strconv.ParseFloat(m[1], 64)
		b, _ := strconv.ParseFloat(m[2], 64)
		if math.Abs(a-b) > 2e-5 {
			t.Errorf("by hand %s, the model %s: %q", m[1], m[2], m[0])
		}
	}
}

// checkShownCode checks that the notebook shows the loops that compute by
// hand (mnistlib.ShowCode, the library's own source) before the values they
// compute: 04 a Dense unit's before the units, softmax's before the ten
// probabilities; 08 the convolution's before its pixel.
func checkShownCode(t *testing.T, notebook, out string) {
	t.Helper()
	text := html.UnescapeString(regexp.MustCompile(`(?s)<svg.*?</svg>|<[^>]*>`).ReplaceAllString(out, ""))
	pairs := byHandPair.FindAllStringIndex(text, -1)
	before := map[string]int{"func denseByHand(": 0, "func SoftmaxByHand(": 3} // the code, and the pair it comes before
	if strings.Contains(notebook, "08_") {
		before = map[string]int{"func (s ConvStep) at(": 0, "func convByHand(": 0}
	}
	for code, pair := range before {
		if i := strings.Index(text, code); i < 0 || pair >= len(pairs) || i > pairs[pair][0] {
			t.Errorf("%s should show the code %q before the values it computes by hand:\n%s", notebook, code, text)
		}
	}
	if !strings.Contains(text, "\tfor ") || !strings.Contains(text, "mnistlib/byhand.go") {
		t.Errorf("%s shows no loop of mnistlib/byhand.go:\n%s", notebook, text)
	}
}

// checkLearning checks 04b's hand computations against GoMLX's numbers
// printed beside them: the loss of a batch (twice), the output layer's ten
// bias gradients and a nudged weight's slope; the largest difference of each
// array (the output kernel's gradient, Adam's step on four arrays); ReLU's
// shut units' gradient; and each epoch's loss as the mean of its steps.
func checkLearning(t *testing.T, out string) {
	t.Helper()
	pairs := regexp.MustCompile(`by hand (-?\d+\.\d+), GoMLX[^\n]*? (-?\d+\.\d+)\n`).FindAllStringSubmatch(out, -1)
	if len(pairs) != 2+10+1 {
		t.Errorf("%d values by hand beside GoMLX's, want 13 (the loss twice, ten biases, one slope):\n%s", len(pairs), out)
	}
	for _, m := range pairs {
		a, _ := strconv.ParseFloat(m[1], 64)
		b, _ := strconv.ParseFloat(m[2], 64)
		if math.Abs(a-b) > 2e-5 {
			t.Errorf("by hand %s, GoMLX %s: %q", m[1], m[2], m[0])
		}
	}
	diffs := regexp.MustCompile(`largest \|by hand − (?:GoMLX|Fit)\| = (\S+)\n`).FindAllStringSubmatch(out, -1)
	if len(diffs) != 1+4 {
		t.Errorf("%d arrays compared, want 5 (the output kernel's gradient, Adam's step on four arrays):\n%s", len(diffs), out)
	}
	for _, m := range diffs {
		if d, err := strconv.ParseFloat(m[1], 64); err != nil || d > 1e-5 {
			t.Errorf("by hand and GoMLX differ by %s: %q", m[1], m[0])
		}
	}
	if !strings.Contains(out, "units: the largest |gradient| among their weights is 0\n") {
		t.Errorf("the units ReLU shut should get no gradient at all:\n%s", out)
	}
	epoch := regexp.MustCompile(`the mean of its \d+ batch losses is (\d+\.\d+); the history of 04_mlp says (\d+\.\d+)`).FindStringSubmatch(out)
	if epoch == nil {
		t.Fatalf("no mean of the first epoch's steps beside its history:\n%s", out)
	}
	a, _ := strconv.ParseFloat(epoch[1], 64)
	b, _ := strconv.ParseFloat(epoch[2], 64)
	if math.Abs(a-b) > 5e-4 {
		t.Errorf("the first epoch retrained step by step: mean loss %s, 04's history %s", epoch[1], epoch[2])
	}
}

// checkPictures checks the pictures a notebook shows: each is SVG of the size
// it declares with a PNG copy of twice that size, and the notebook shows as
// many as its cells draw.
func checkPictures(t *testing.T, notebook string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "build", "test", notebook))
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				Data map[string]json.RawMessage `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"04_mlp.ipynb": 4, "04b_how_it_learns.ipynb": 4, "08_cnn.ipynb": 10}[filepath.Base(notebook)] // beside the charts
	size := regexp.MustCompile(`^<svg [^>]*width="(\d+)" height="(\d+)"`)
	n := 0
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			var svg, text multiline
			var pngData string
			json.Unmarshal(o.Data["image/svg+xml"], &svg)
			json.Unmarshal(o.Data["text/plain"], &text)
			json.Unmarshal(o.Data["image/png"], &pngData)
			m := size.FindStringSubmatch(string(svg))
			if m == nil || strings.HasPrefix(string(text), "chart: ") || strings.HasPrefix(string(text), "probabilities: ") ||
				strings.HasPrefix(string(text), "图表：") || strings.HasPrefix(string(text), "概率：") { // the Chinese edition's
				continue // not a picture of the network
			}
			n++
			w, _ := strconv.Atoi(m[1])
			h, _ := strconv.Atoi(m[2])
			img, err := png.Decode(base64.NewDecoder(base64.StdEncoding, strings.NewReader(pngData)))
			if w < 200 || h < 150 || err != nil || img.Bounds().Dx() != 2*w || img.Bounds().Dy() != 2*h {
				t.Errorf("%s: picture %q is %s×%s with a PNG copy %v (%v)", notebook, text, m[1], m[2], img, err)
			}
		}
	}
	if n != want {
		t.Errorf("%s shows %d pictures of the network, want %d", notebook, n, want)
	}
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
		"07_predict_and_save.ipynb": {"deep_cnn_augmented": mnistlib.TutorialDeepCNN},
		"10_your_digits.ipynb": {"cnn_augmented": func() *mnistlib.Model { return mnistlib.TutorialCNN(true) },
			"deep_cnn_augmented": mnistlib.TutorialDeepCNN},
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
		// 10's augmented models are trained with mnistlib.RobustAugmentation,
		// which RobustCNN (07, the pad) trains with too.
		if strings.HasSuffix(name, "_augmented") && saved.Fitted.Augment != mnistlib.RobustAugmentation {
			t.Errorf("%s trains %q with %+v, mnistlib.RobustAugmentation is %+v", notebook, name, saved.Fitted.Augment, mnistlib.RobustAugmentation)
		}
	}
}

// testEditAndRerun does what a learner does in 04: edit the model's units and
// the epochs, rerun, and see the model train anew; rerun unchanged, and see it
// load; run 05, which loads the tutorial's MLP kept beside the learner's; and
// rerun the edited 04, which loads the learner's again.
func testEditAndRerun(t *testing.T) {
	raw, err := os.ReadFile("04_mlp.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	// The code cells only: the exercises' text quotes the same lines.
	var nb map[string]any
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	const units, epochs = "Units: 256, InputDim: 784", "Epochs: 10, BatchSize: 200,"
	var code []map[string]any
	joined := ""
	for _, c := range nb["cells"].([]any) {
		if c := c.(map[string]any); c["cell_type"] == "code" {
			var src multiline
			b, _ := json.Marshal(c["source"])
			json.Unmarshal(b, &src)
			c["source"] = string(src)
			code, joined = append(code, c), joined+string(src)
		}
	}
	if strings.Count(joined, units) != 1 || strings.Count(joined, epochs) != 1 {
		t.Fatal("04_mlp.ipynb no longer has the lines this test edits: update the test")
	}
	for _, c := range code {
		src := strings.Replace(c["source"].(string), units, "Units: 64, InputDim: 784", 1)
		c["source"] = strings.Replace(src, epochs, "Epochs: 1, BatchSize: 200,", 1)
	}
	edited, err := json.Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	const name = "04_mlp_edited.ipynb" // beside the original, so its images/ and checkpoints/ resolve alike
	if err := os.WriteFile(name, edited, 0o644); err != nil {
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
	// The tutorial's MLP waits beside the learner's: 05, which asks for it,
	// loads it instead of training, and the learner's 64 units load again after.
	const variant = "loaded ../build/checkpoints/quick/.variants/mlp/"
	for _, nb := range []string{"05_better_mlp.ipynb", name} {
		out = execute(t, nb)
		if !strings.Contains(out, variant) || strings.Contains(out, "saved to ../build/checkpoints/quick/mlp\n") {
			t.Errorf("%s should load its MLP from beside the other one, not train it:\n%s", nb, out)
		}
	}
	if vs, err := mnistlib.Variants("mlp"); err != nil || len(vs) != 2 || !strings.Contains(vs[0].Layers, `"units":64`) {
		t.Errorf("mlp holds %+v (%v), want the learner's 64 units, then the tutorial's", vs, err)
	}
}

// execute runs a notebook through nbconvert (which fails on any failing
// cell), keeps the executed copy under build/test (zh/ for the Chinese
// edition's), and returns the text of all its outputs.
func execute(t *testing.T, notebook string) string {
	t.Helper()
	if _, err := exec.LookPath("jupyter"); err != nil || os.Getenv("JUPYTER_DATA_DIR") == "" {
		const msg = "jupyter and the GoNB kernel are not set up here: run the tests with `make test`, which installs them"
		if os.Getenv("WORKBOOK_REQUIRE_SETUP") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	outDir, err := filepath.Abs(filepath.Join("..", "build", "test", filepath.Dir(notebook)))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.timeout=1800", "--ExecutePreprocessor.kernel_name=gonb",
		"--output-dir", outDir, notebook)
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("executing %s failed: %v\n%s", notebook, err, log)
	}
	raw, err := os.ReadFile(filepath.Join(outDir, filepath.Base(notebook)))
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

// kerasLine matches what the Chinese edition prints in English on purpose:
// Fit's epoch lines and Summary's table, as Keras prints them and the
// tutorial shows them, the tutorial's own print of train_history.history,
// and GoNB's echo of a %goflags line.
var kerasLine = regexp.MustCompile(`^(%|Epoch \d+/\d+|\d+/\d+ - |Model: "|Total params|Trainable params|Non-trainable params| Layer \(type\)|.*\((Dense|Dropout|Conv2D|MaxPooling2D|Flatten)\) |train_history\.history|.*\(scope\))`)

// checkChinese fails on each line a Chinese notebook printed (text and HTML
// tables, not pictures, nor the Go source ShowCode shows in a <pre> block,
// whose comments stay English) that reads as English prose: two or more
// English words of three letters or more, other than the names the glossary
// (translations/zh/glossary.json) keeps in English.
func checkChinese(t *testing.T, notebook string) {
	t.Helper()
	var glossary struct{ Names []string }
	if b, err := os.ReadFile(filepath.Join("..", "translations", "zh", "glossary.json")); err != nil || json.Unmarshal(b, &glossary) != nil {
		t.Fatalf("the glossary: %v", err)
	}
	names := map[string]bool{}
	for _, n := range glossary.Names {
		names[n], names[strings.ToLower(n)] = true, true
	}
	raw, err := os.ReadFile(filepath.Join("..", "build", "test", notebook))
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?s)<svg.*?</svg>|<pre.*?</pre>|<[^>]*>`).ReplaceAllString(outputsText(t, raw), "\n")
	word := regexp.MustCompile(`[A-Za-z][A-Za-z0-9_.'/$-]*`)
	for _, line := range strings.Split(text, "\n") {
		if kerasLine.MatchString(line) {
			continue
		}
		var english []string
		for _, w := range word.FindAllString(line, -1) {
			w = strings.TrimRight(w, ".'")
			if len(w) >= 3 && !names[w] && !names[strings.ToLower(w)] && !strings.ContainsAny(w, "_./$0123456789") {
				english = append(english, w)
			}
		}
		if len(english) >= 2 {
			t.Errorf("%s prints English %q in: %s", notebook, english, line)
		}
	}
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

// The markdown of the notebooks states no result of a run: a figure a reader
// sees there is the tutorial's own or a setting; results are printed by cells,
// so that they always match the run. (Code, in backticks or fenced, and the
// address of a link are not text.)
// The Chinese edition's text (notebooks/zh) is held to the same rule.
func TestMarkdownStatesNoResults(t *testing.T) {
	allowed := map[string]string{
		"0.9775": "the tutorial's MLP", "0.9916": "the tutorial's CNN", "0.96087": "the tutorial's accuracy chart",
		"0.05": "the 'normal' initializer's spread", "0.25": "a dropout rate",
		"20%": "validation_split", "10%": "the augmentation's scaling",
	}
	code := regexp.MustCompile("(?s)```.*?```|`[^`]*`|\\]\\([^)\\s]+") // code, and a link's address (%E6… in a URL)
	figure := regexp.MustCompile(`\d+\.\d{2,}|\d+(?:\.\d+)?\s?%`)
	paths, _ := filepath.Glob("*.ipynb")
	zh, _ := filepath.Glob(filepath.Join("zh", "*.ipynb"))
	paths = append(paths, zh...)
	for _, path := range paths {
		var nb struct {
			Cells []struct {
				Type   string    `json:"cell_type"`
				ID     string    `json:"id"`
				Source multiline `json:"source"`
			} `json:"cells"`
		}
		raw, err := os.ReadFile(path)
		if err != nil || json.Unmarshal(raw, &nb) != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, c := range nb.Cells {
			if c.Type != "markdown" {
				continue
			}
			for _, f := range figure.FindAllString(code.ReplaceAllString(string(c.Source), ""), -1) {
				if _, ok := allowed[strings.ReplaceAll(f, " ", "")]; !ok {
					t.Errorf("%s, markdown cell %s states %q: print results from a cell of the notebook (or, for a setting, add it to this test's list)", path, c.ID, f)
				}
			}
		}
	}
}
