package mnistlib

// What the notebooks share: quick mode, the tutorial's preprocessing in one
// call, and training that reuses a checkpoint when nothing changed (GoNB runs
// every cell as a new process, so a trained model reaches later cells only
// through its checkpoint).

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
)

// EnvQuick puts every notebook in quick mode: a slice of the data and at most
// two epochs, for tests. EnvCheckpoints names the checkpoints folder.
const (
	EnvQuick       = "WORKBOOK_QUICK"
	EnvCheckpoints = "WORKBOOK_CHECKPOINTS"
)

// Quick mode sizes.
const (
	quickTrainRows = 6000
	quickTestRows  = 1000
	quickEpochs    = 2
)

// Quick reports whether quick mode is on ($WORKBOOK_QUICK set and not "0").
func Quick() bool { v := os.Getenv(EnvQuick); return v != "" && v != "0" }

// Prepared is the data after the tutorial's preprocessing.
type Prepared struct {
	XTrain, YTrain, XTest, YTest *tensors.Tensor
	TestImages                   Images // the test images as pictures, for galleries
	TestLabels                   Labels
}

// Prepare applies the tutorial's preprocessing for a model kind: flatten (MLP)
// or keep the 28×28×1 grid (CNN), divide by 255, one-hot labels. In quick
// mode it keeps only the first 6000 training and 1000 test images.
func Prepare(data *Data, kind string) (*Prepared, error) {
	train, test := data.Train, data.Test
	if Quick() {
		train, test = train.head(quickTrainRows), test.head(quickTestRows)
	}
	shape := Flatten
	if kind == KindCNN {
		shape = Reshape4D
	}
	xTrain, err := Normalize(shape(train.Images))
	if err != nil {
		return nil, err
	}
	xTest, err := Normalize(shape(test.Images))
	if err != nil {
		return nil, err
	}
	return &Prepared{
		XTrain: xTrain, YTrain: ToCategorical(train.Labels, NumClasses),
		XTest: xTest, YTest: ToCategorical(test.Labels, NumClasses),
		TestImages: test.Images, TestLabels: test.Labels,
	}, nil
}

// head returns the first n images and labels (all of them if fewer).
func (s Subset) head(n int) Subset {
	n = min(n, s.Images.N)
	return Subset{Images: s.Images.Slice(0, n), Labels: s.Labels[:n]}
}

// Run is one training run as a notebook asks for it: a model and how to fit it.
type Run struct {
	Name            string // checkpoint folder under CheckpointDir()
	Config          Config
	Epochs          int
	BatchSize       int
	ValidationSplit float64
}

// The tutorial's runs. Notebooks that come later reuse their checkpoints.
func TutorialMLP() Run {
	return Run{Name: "mlp", Config: MLPConfig(), Epochs: 10, BatchSize: 200, ValidationSplit: 0.2}
}

// TutorialMLPDropout is the MLP with Dropout(0.5) after its hidden layer.
func TutorialMLPDropout() Run {
	r := TutorialMLP()
	r.Name, r.Config.Dropout = "mlp_dropout", 0.5
	return r
}

// TutorialCNN is the tutorial's CNN, trained like the MLP.
func TutorialCNN() Run {
	r := TutorialMLP()
	r.Name, r.Config = "cnn", CNNConfig()
	return r
}

// CheckpointDir is where notebooks keep trained models: $WORKBOOK_CHECKPOINTS,
// else "checkpoints" beside the notebook; quick-mode runs go to its "quick"
// sub-folder so they never replace full ones.
func CheckpointDir() string {
	dir := os.Getenv(EnvCheckpoints)
	if dir == "" {
		dir = "checkpoints"
	}
	if Quick() {
		dir = filepath.Join(dir, "quick")
	}
	return dir
}

// TrainOrLoad returns the model checkpointed under the run's name if it was
// trained exactly as the run asks (same model, epochs, batch size, split and
// data); otherwise it trains one, printing Keras' log, and saves it. Rerunning
// a cell therefore retrains only when its parameters changed.
func TrainOrLoad(r Run, p *Prepared) (*Model, error) {
	if Quick() {
		r.Epochs = min(r.Epochs, quickEpochs)
	}
	dir := filepath.Join(CheckpointDir(), r.Name)
	want := FitParams{Epochs: r.Epochs, BatchSize: r.BatchSize, ValidationSplit: r.ValidationSplit, Rows: p.XTrain.Shape().Dimensions[0]}
	m, err := Load(dir)
	switch {
	case err == nil && reflect.DeepEqual(m.Config, r.Config) && m.Fitted == want:
		fmt.Fprintf(Messages, "loaded %s: trained earlier with these parameters (delete the folder to retrain)\n", dir)
		return m, nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(Messages, "ignoring %s: %v\n", dir, err)
	}
	if m, err = New(r.Config); err != nil {
		return nil, err
	}
	if _, err := m.Fit(p.XTrain, p.YTrain, r.Epochs, r.BatchSize, r.ValidationSplit); err != nil {
		return nil, err
	}
	if err := m.Save(dir); err != nil {
		return nil, err
	}
	fmt.Fprintf(Messages, "saved to %s\n", dir)
	return m, nil
}

// HistoryChart plots a metric of the history ("accuracy" or "loss") for the
// training and validation rows, against epochs. zh gives the tutorial's
// Chinese labels (训练准确率, 验证准确率, 训练历史, 训练次数, 准确率).
func HistoryChart(h History, metric string, zh bool) LineChart {
	train, val := h.Accuracy, h.ValAccuracy
	if metric == "loss" {
		train, val = h.Loss, h.ValLoss
	}
	names := map[bool][4]string{ // train, validation, title, y axis
		false: {"train " + metric, "validation " + metric, "Training history", metric},
		true:  {"训练" + zhMetric(metric), "验证" + zhMetric(metric), "训练历史", zhMetric(metric)},
	}[zh]
	xLabel := "epoch"
	if zh {
		xLabel = "训练次数"
	}
	return LineChart{Title: names[2], XLabel: xLabel, YLabel: names[3],
		Series: []Series{{Name: names[0], Values: train}, {Name: names[1], Values: val}}}
}

func zhMetric(metric string) string {
	if metric == "loss" {
		return "损失"
	}
	return "准确率"
}

// Gap is the last epoch's training accuracy minus its validation accuracy:
// how much the model does better on what it has seen (overfitting).
func (h History) Gap() float64 {
	n := len(h.Accuracy)
	if n == 0 || len(h.ValAccuracy) != n {
		return 0
	}
	return h.Accuracy[n-1] - h.ValAccuracy[n-1]
}

// ConfusionMatrix counts, for each true class (row), how often each class
// was predicted (column).
func ConfusionMatrix(predicted []int, labels Labels) [NumClasses][NumClasses]int {
	var cm [NumClasses][NumClasses]int
	for i, p := range predicted {
		if p >= 0 && p < NumClasses && int(labels[i]) < NumClasses {
			cm[labels[i]][p]++
		}
	}
	return cm
}

// ConfusionHTML renders a confusion matrix as an HTML table, the diagonal
// in green and mistakes shaded red by how many there are.
func ConfusionHTML(cm [NumClasses][NumClasses]int, classNames []string) string {
	var b strings.Builder
	b.WriteString(`<table style="border-collapse:collapse;font-family:monospace;text-align:right">`)
	b.WriteString(`<caption>confusion matrix: rows = true digit, columns = predicted</caption><tr><th></th>`)
	for j := range NumClasses {
		fmt.Fprintf(&b, `<th style="padding:2px 6px">%s</th>`, className(classNames, j))
	}
	b.WriteString("</tr>")
	worst := 1
	for i := range NumClasses {
		for j := range NumClasses {
			if i != j {
				worst = max(worst, cm[i][j])
			}
		}
	}
	for i := range NumClasses {
		fmt.Fprintf(&b, `<tr><th style="padding:2px 6px">%s</th>`, className(classNames, i))
		for j := range NumClasses {
			bg := "#fff"
			if i == j {
				bg = "#d4edda"
			} else if cm[i][j] > 0 {
				bg = fmt.Sprintf("rgba(214,39,40,%.2f)", 0.1+0.7*float64(cm[i][j])/float64(worst))
			}
			fmt.Fprintf(&b, `<td style="padding:2px 6px;border:1px solid #ddd;background:%s">%d</td>`, bg, cm[i][j])
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// className is names[i], or the class number when names has none for it.
func className(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprint(i)
}

// Mistakes returns the indices where predicted differs from labels.
func Mistakes(predicted []int, labels Labels) []int {
	var idx []int
	for i, p := range predicted {
		if p != int(labels[i]) {
			idx = append(idx, i)
		}
	}
	return idx
}

// LoadPrepared is LoadData followed by Prepare.
func LoadPrepared(kind string) (*Prepared, error) {
	data, err := LoadData()
	if err != nil {
		return nil, err
	}
	return Prepare(data, kind)
}

// SecondsPerEpoch is the median wall time of the epochs after the first
// (which also compiles the model).
func (h History) SecondsPerEpoch() float64 {
	s := h.Seconds
	if len(s) > 1 {
		s = s[1:]
	}
	if len(s) == 0 {
		return 0
	}
	s = slices.Sorted(slices.Values(s))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
