package mnistlib

import (
	"bytes"
	"image"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-mnist/workbook/internal/canvas"
)

func TestLanguage(t *testing.T) {
	root := t.TempDir()
	zhDir, enDir := filepath.Join(root, "notebooks", "zh"), filepath.Join(root, "notebooks")
	if err := os.MkdirAll(zhDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, lang, gonbDir, wd, want string
	}{
		{"nothing set, an English folder", "", "", enDir, "en"},
		{"WORKBOOK_LANG=zh", "zh", "", enDir, "zh"},
		{"WORKBOOK_LANG=zh_CN", "zh_CN", "", enDir, "zh"},
		{"WORKBOOK_LANG=en forces English over GONB_DIR", "en", zhDir, enDir, "en"},
		{"WORKBOOK_LANG=en forces English over the folder", "EN", "", zhDir, "en"},
		{"GONB_DIR names notebooks/zh", "", zhDir, enDir, "zh"},
		{"GONB_DIR names notebooks", "", enDir, enDir, "en"},
		{"GONB_DIR with a trailing slash", "", zhDir + "/", enDir, "zh"},
		{"the working directory is zh", "", "", zhDir, "zh"},
		{"GONB_DIR English, working directory zh", "", enDir, zhDir, "zh"},
		{"an unknown WORKBOOK_LANG is ignored", "fr", zhDir, enDir, "zh"},
		{"a folder only starting with zh", "", filepath.Join(root, "zhx"), enDir, "en"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("WORKBOOK_LANG", c.lang)
			t.Setenv("GONB_DIR", c.gonbDir)
			t.Chdir(c.wd)
			if got := Language(); got != c.want {
				t.Errorf("Language() = %q, want %q", got, c.want)
			}
		})
	}
}

var fmtVerb = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?(\*|\d+)?(\.(\*|\d+)?)?(\[\d+\])?[a-zA-Z%]`)

// argVerbs is what each argument of a format gets, in argument order: a
// translation may reorder its verbs with explicit indexes (%[2]s), since
// Chinese often puts the compared thing first.
func argVerbs(format string) []string {
	var byArg []string
	next := 0
	for _, m := range fmtVerb.FindAllStringSubmatch(format, -1) {
		if strings.HasSuffix(m[0], "%%") || m[0] == "%%" {
			continue
		}
		verb := m[0]
		for _, ix := range []string{m[1], m[5]} {
			if ix != "" {
				next, _ = strconv.Atoi(strings.Trim(ix, "[]"))
				next--
				verb = strings.Replace(verb, ix, "", 1)
			}
		}
		for len(byArg) <= next {
			byArg = append(byArg, "")
		}
		byArg[next] = verb
		next++
	}
	return byArg
}

// Each Chinese format takes the same arguments as its English key: the same
// verb for each argument.
func TestLangCatalogueVerbs(t *testing.T) {
	if len(zhText) == 0 {
		t.Fatal("empty catalogue")
	}
	for en, zh := range zhText {
		if zh == "" || zh == en {
			t.Errorf("%q: Chinese %q", en, zh)
		}
		if a, b := argVerbs(en), argVerbs(zh); !slices.Equal(a, b) {
			t.Errorf("%q has verbs %q, its Chinese %q has %q", en, a, zh, b)
		}
	}
}

// labelModels are two untrained models and a drawn digit: enough to draw
// every picture, whatever the weights.
type labelModels struct {
	mlp, cnn *Model
	pixels   []float32
	outs     []LayerOutput
}

func newLabelModels(t *testing.T) labelModels {
	t.Helper()
	pixels := make([]float32, InputSize)
	for r := 4; r < 24; r++ { // a 1
		pixels[r*ImageSize+13], pixels[r*ImageSize+14] = 1, 0.6
	}
	m := labelModels{mlp: TutorialMLP(), cnn: TutorialCNN(true), pixels: pixels}
	outs, err := m.cnn.LayerOutputs(tensors.FromFlatDataAndDimensions(pixels, 1, ImageSize, ImageSize, 1))
	if err != nil {
		t.Fatal(err)
	}
	m.outs = outs
	return m
}

// svgs draws, in the language the test set, every chart and picture the
// library labels: their SVGs and the pictures' Text lines.
func (m labelModels) svgs(t *testing.T) (svgs, texts map[string]string) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	h := History{Accuracy: []float64{0.9, 0.95}, ValAccuracy: []float64{0.92, 0.93}, Loss: []float64{0.3, 0.2}, ValLoss: []float64{0.25, 0.24}}
	accuracy, loss := fitCharts(h)
	// Labels a notebook passes in come in its edition's language (its
	// strings are translated with it, translations/zh): as 09 and 08 pass them.
	nb := func(en, zh string) string {
		if Language() == "zh" {
			return zh
		}
		return en
	}
	compare := LineChart{Title: nb("validation accuracy", "验证准确率"), XLabel: nb("epoch", "训练次数"), YLabel: nb("accuracy", "准确率"),
		Series: []Series{{Name: "mlp", Values: []float64{0.97, 0.98}}, {Name: "cnn", Values: []float64{0.98, 0.99}}}}
	templates, err := WeightTemplates(m.mlp, "dense", []int{0, 1})
	must(err)
	filters, err := Filters(m.cnn, "conv2d")
	must(err)
	maps, err := FeatureMaps(m.outs, "conv2d", 0)
	must(err)
	steps, err := DenseByHand(m.mlp, "dense", m.pixels, []int{0, 1})
	must(err)
	conv, err := ConvByHand(m.cnn, "conv2d", Array{Shape: []int{28, 28, 1}, Data: m.pixels}, 8, 12, 3)
	must(err)
	flatten, err := FlattenView(m.cnn, m.outs, 0)
	must(err)
	pooling, err := PoolingKinds(m.outs, "conv2d", 0, 3)
	must(err)
	const n, d = 30, 4
	features, labels := Array{Shape: []int{n, d}, Data: make([]float32, n*d)}, make(Labels, n)
	for i := range features.Data {
		features.Data[i] = float32(math.Sin(float64(i)))
		labels[i/d] = uint8(i / d % 3)
	}
	raw, err := MapOf(nb("raw pixels (784 values)", "原始像素（784 个值）"), features, labels)
	must(err)
	hidden, err := MapOf(nb("MLP hidden layer (256)", "MLP 隐藏层（256 个神经单元）"), features, labels)
	must(err)
	kernel := Array{Shape: []int{InputSize, 2}, Data: make([]float32, 2*InputSize)}
	for i := range kernel.Data {
		kernel.Data[i] = float32(math.Sin(float64(i)))
	}
	gradients, err := GradientTemplates(kernel, []float32{1, 0}, []int{0, 1})
	must(err)
	change, err := KernelChange("dense", kernel, Array{Shape: kernel.Shape, Data: make([]float32, len(kernel.Data))}, []int{0})
	must(err)
	step := StepPicture{Step: 1, Losses: []float64{2.3, 2.1}, Weights: templates, Change: change}
	lossEx := LossExample{Name: "wrong", Digit: m.pixels, Probs: probsOf(3), Label: 1}
	pictures := map[string]Picture{
		"loss": LossPicture{Examples: []LossExample{lossEx}}, "step": step, "gradients": gradients,
		"gradient":  GradientPicture{Gradient: OutputGradientByHand([]float32{0.5, 0, 1, 2}, probsOf(3), 1), Unit: 1},
		"templates": templates, "filters": filters, "maps": maps, "conv": conv, "flatten": flatten,
		"pooling": pooling,
		"units":   UnitsPicture{Layer: "dense", Digit: m.pixels, Steps: steps},
		"softmax": SoftmaxPicture{Scores: []float32{-2, 1, 0.5, 7, -1, 0, 2, -3, 1, 0}},
		"map":     DigitMap{Panels: []MapPanel{raw, hidden}},
	}
	svgs, texts = map[string]string{}, map[string]string{}
	for name, p := range pictures {
		svgs[name], texts[name] = PictureSVG(p), p.Text()
	}
	svgs["accuracy chart"], svgs["loss chart"], svgs["compare chart"] = accuracy.SVG(), loss.SVG(), compare.SVG()
	probs := []float32{0.01, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.01, 0.01}
	svgs["probabilities"] = ProbabilityChart{Panels: []ProbabilityPanel{{"CNN", probs}}}.SVG()
	return svgs, texts
}

// probsOf is ten probabilities, most of them on digit d.
func probsOf(d int) []float32 {
	p := make([]float32, NumClasses)
	for i := range p {
		p[i] = 0.05
	}
	p[d] = 0.55
	return p
}

// svgLabels are a drawing's labels: glyph groups' aria-labels, and the
// <text> of those that fell back to it.
func svgLabels(t *testing.T, svg string) []string {
	doc := parseSVG(t, svg)
	return append(doc.labels, doc.texts...)
}

var englishWords = regexp.MustCompile(`(?i)\b(the|weights?|loss|filters?|units?|maps?|bias|epoch|accuracy|validation|train|training|history|scores|pixels?|nearest|patch|kernel|values|images|probabilities|digits?|padding|zeros|enlarged|template|learned|feature|channel|passes|turns|raw|hidden|gap)\b`)

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// In the Chinese edition every label of every chart and picture is Chinese:
// no English word is left, numbers and identifiers (conv2d, ReLU) stay.
func TestLangChinesePictures(t *testing.T) {
	m := newLabelModels(t)
	t.Setenv("WORKBOOK_LANG", "zh")
	svgs, texts := m.svgs(t)
	want := map[string][]string{
		"loss chart":    {"训练历史：损失", "训练损失", "验证损失", "损失", "训练次数"},
		"compare chart": {"验证准确率", "训练次数", "准确率"},
		"templates":     {"dense：2 个神经单元的权重，每个都是一张 28×28 的模板", "神经单元 0", "权重"},
		"filters":       {"卷积核 0", "卷积核 15", "权重"},
		"maps":          {"特征图 0", "激活值"},
		"units":         {"数字 x", "神经单元 1 的权重 w", "权重与乘积，各按自己的范围着色（−最大值 … +最大值）"},
		"softmax":       {"十个分数（Σ w·h + b）"},
		"conv":          {"5×5 的区块", "卷积核 3 的权重", "区块 × 卷积核", "特征图 3", "四周补 2 圈 0（灰色）"},
		"flatten":       {"16 个特征图（max_pooling2d 的输出），每个 14×14："},
		"pooling":       {"conv2d 的特征图 3（28×28），按 2×2 区块池化成 14×14", "特征图 3", "最大池化", "平均池化", "最小池化", "L2池化", "激活值"},
		"map":           {"原始像素（784 个值）", "MLP 隐藏层（256 个神经单元）"},
		"probabilities": {"CNN：预测 1（90%）"},
		"loss":          {"真实数字：1", "损失 = −log p = 2.9957"},
		"gradient":      {"每个分数的误差：p − y（真实数字 1）", "要求的改变"},
		"gradients":     {"神经单元 0：ReLU 放行", "神经单元 1：ReLU 给出 0", "梯度"},
		"step":          {"第 1 步之后（共 2 步）：这一批的损失 2.300", "步（每步一批 200 张图片）", "dense：训练改变了什么，权重 − 随机的起点", "改变"},
	}
	cjk := canvas.HasCJKFont()
	for name, svg := range svgs {
		labels := svgLabels(t, svg)
		chinese := false
		for _, l := range labels {
			chinese = chinese || hasHan(l)
			if w := englishWords.FindString(l); w != "" {
				t.Errorf("%s: label %q has the English %q", name, l, w)
			}
		}
		if !chinese {
			t.Errorf("%s: no Chinese label in %q", name, labels)
		}
		for _, w := range want[name] {
			if !slices.Contains(labels, w) {
				t.Errorf("%s: no label %q in %q", name, w, labels)
			}
		}
		if n := parseSVG(t, svg).counts["text"]; cjk && n > 0 {
			t.Errorf("%s: %d labels as <text> with a CJK font loaded", name, n)
		}
	}
	for name, text := range texts {
		if w := englishWords.FindString(text); w != "" || !hasHan(text) {
			t.Errorf("%s: Text() %q (English %q)", name, text, w)
		}
	}
}

// In the English edition the labels are what they always were; the only
// Chinese is the tutorial's accuracy chart and what a notebook writes.
func TestLangEnglishPictures(t *testing.T) {
	m := newLabelModels(t)
	t.Setenv("WORKBOOK_LANG", "en")
	svgs, texts := m.svgs(t)
	want := map[string][]string{
		"accuracy chart": {"训练历史", "训练准确率", "验证准确率", "训练次数", "准确率"},
		"loss chart":     {"Training history: loss", "train loss", "validation loss", "loss", "epoch"},
		"compare chart":  {"validation accuracy", "epoch", "accuracy"},
		"templates":      {"dense: the weights of 2 units, each a 28×28 template", "unit 0", "weight"},
		"filters":        {"conv2d: its 16 learned 5×5 filters", "filter 0", "weight"},
		"maps":           {"map 0", "activation"},
		"units":          {"the digit x", "unit 1's weights w", "weights and products, each on its own scale (−largest … +largest)"},
		"softmax":        {"the ten scores (Σ w·h + b)"},
		"conv":           {"the 5×5 patch", "filter 3's kernel", "patch × kernel", "feature map 3", "a ring of 2 zeros (gray) around it"},
		"flatten":        {"the 16 maps of max_pooling2d, 14×14 each:"},
		"pooling":        {"conv2d, feature map 3 (28×28), pooled over 2×2 blocks into 14×14", "feature map 3", "max pooling", "average pooling", "min pooling", "L2 pooling", "activation"},
		"map":            {"raw pixels (784 values)", "MLP hidden layer (256)"},
		"probabilities":  {"CNN: 1 (90%)"},
	}
	for name, svg := range svgs {
		labels := svgLabels(t, svg)
		for _, w := range want[name] {
			if !slices.Contains(labels, w) {
				t.Errorf("%s: no label %q in %q", name, w, labels)
			}
		}
		for _, l := range labels {
			if hasHan(l) && name != "accuracy chart" && name != "compare chart" {
				t.Errorf("%s: Chinese label %q in the English edition", name, l)
			}
		}
	}
	for name, text := range texts {
		if hasHan(text) {
			t.Errorf("%s: Text() %q", name, text)
		}
	}
	if got := texts["templates"]; got != "dense: the weights of 2 units, each a 28×28 template (2 images)" {
		t.Errorf("templates: Text() %q", got)
	}
	if got := texts["map"]; !strings.HasPrefix(got, "2-D maps (PCA) of 30 test digits: raw pixels (784 values): ") ||
		!strings.Contains(got, "% nearest their own digit's centre; MLP hidden layer (256): ") {
		t.Errorf("map: Text() %q", got)
	}
}

// Without a font with Chinese glyphs the Chinese labels fall back to <text>,
// which a browser with such a font draws; the Latin ones stay outlines.
func TestLangChineseWithoutCJKFont(t *testing.T) {
	withoutCJKFont(t)
	t.Setenv("WORKBOOK_LANG", "zh")
	_, loss := fitCharts(History{Loss: []float64{0.3, 0.2}, ValLoss: []float64{0.25, 0.24}})
	doc := parseSVG(t, loss.SVG())
	for _, w := range []string{"训练历史：损失", "训练损失", "验证损失"} {
		if !slices.Contains(doc.texts, w) {
			t.Errorf("no <text>%s</text> in %q", w, doc.texts)
		}
	}
	if !slices.Contains(doc.labels, "0.2") {
		t.Errorf("the numbers are no longer outlines: %q", doc.labels)
	}
	if _, err := loss.PNG(); err != nil {
		t.Error(err)
	}
	g := Gallery{Images: Images{N: 1, Rows: 28, Cols: 28, Pix: make([]uint8, 784)}, Labels: Labels{3}, Predicted: []int{5}}
	if img := g.Image(); img.Bounds().Empty() {
		t.Error("no gallery")
	}
}

// Galleries: captions in the bitmap font in English, as before; in Chinese
// in the label fonts, the mistake mark and Fashion-MNIST's classes included.
func TestLangGalleryCaptions(t *testing.T) {
	im := Images{N: 3, Rows: 28, Cols: 28, Pix: make([]uint8, 3*784)}
	g := Gallery{Images: im, Labels: Labels{0, 1, 2}, Predicted: []int{0, 7, 2}, ClassNames: FashionMNIST.ClassNames}
	for _, c := range []struct {
		lang, caption string
		cellW         int
	}{
		{"en", "Trouser->Sneaker", 7*len("Trouser->Sneaker") + 2*cellPad},
		{"zh", "裤子 预测为 运动鞋", captionWidth("裤子 预测为 运动鞋") + 2*cellPad},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Setenv("WORKBOOK_LANG", c.lang)
			if text, wrong := g.caption(1); text != c.caption || !wrong {
				t.Errorf("caption %q (wrong %v), want %q", text, wrong, c.caption)
			}
			img := g.Image()
			if img.Bounds().Dx() != 3*c.cellW {
				t.Errorf("width %d, want 3 cells of %d", img.Bounds().Dx(), c.cellW)
			}
			// The middle caption is in red.
			if n := countColour(img, image.Rect(c.cellW, 84+cellPad, 2*c.cellW, img.Bounds().Dy()), mistake); n < 20 {
				t.Errorf("%d red caption pixels", n)
			}
		})
	}
	for _, c := range []struct{ lang, in, want string }{
		{"en", "7->1", "7->1"}, {"en", "7", "7"}, {"zh", "7->1", "7 预测为 1"}, {"zh", "7", "7"},
	} {
		t.Setenv("WORKBOOK_LANG", c.lang)
		if got := translatedCaption(c.in); got != c.want {
			t.Errorf("%s: saliency caption %q → %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

func countColour(img *image.RGBA, r image.Rectangle, c interface{ RGBA() (r, g, b, a uint32) }) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.At(x, y) == c {
				n++
			}
		}
	}
	return n
}

// The pad's and the slider's words, in the page and printed.
func TestLangPadAndExplore(t *testing.T) {
	for _, c := range []struct {
		lang, label string // the label as the notebook of that edition passes it
		want        []string
	}{
		{"en", "test digit", []string{`>clear</button>`, `>Starting…</p>`, `"Not connected: run this cell in JupyterLab to draw."`, `"Draw a digit in the black square."`,
			`"Not connected: run this cell in JupyterLab to use the slider."`, "test digit: 3 (the slider, 0 to 9, needs this notebook open in JupyterLab)\n"}},
		{"zh", "测试数字", []string{`>清除</button>`, `>启动中…</p>`, `"未连接：在 JupyterLab 中运行这个单元格才能画数字。"`, `"在黑色方框里画一个数字。"`,
			`"未连接：在 JupyterLab 中运行这个单元格才能使用滑块。"`, "测试数字：3（滑块从 0 到 9，需要在 JupyterLab 中打开这个笔记本）\n"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Setenv("WORKBOOK_LANG", c.lang)
			pad, err := (&DrawingPad{}).html("mnist_pad_x", "/a", "/a/ping")
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			old := Messages
			Messages = &out
			defer func() { Messages = old }()
			if err := Explore(c.label, 0, 9, 3, func(i int) (Picture, error) { return numberPicture(i), nil }); err != nil {
				t.Fatal(err)
			}
			all := pad + exploreHTML("x", "x_slot", "/p", "/q", 0, 9) + out.String()
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("no %q in\n%s", w, all)
				}
			}
		})
	}
}

func TestVersus(t *testing.T) {
	for _, c := range []struct {
		lang string
		a, b float64
		want string
	}{
		{"en", 0.98, 0.97, "0.0100 higher than the baseline"},
		{"en", 0.96, 0.97, "0.0100 lower than the baseline"},
		{"en", 0.97, 0.97, "the same as the baseline"},
		{"zh", 0.98, 0.97, "比the baseline高 0.0100"},
		{"zh", 0.96, 0.97, "比the baseline低 0.0100"},
		{"zh", 0.97, 0.97, "与the baseline相同"},
	} {
		t.Setenv("WORKBOOK_LANG", c.lang)
		if got := Versus(c.a, c.b, "the baseline"); got != c.want {
			t.Errorf("%s: Versus(%v, %v) = %q, want %q", c.lang, c.a, c.b, got, c.want)
		}
	}
}
