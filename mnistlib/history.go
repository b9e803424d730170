package mnistlib

// A model's training history, its charts, and the charts that redraw while
// a model trains in a notebook.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// History holds one value per epoch, like Keras' History.history.
// ValLoss and ValAccuracy stay empty when Fit runs without validation.
type History struct {
	Loss        []float64 `json:"loss"`
	Accuracy    []float64 `json:"accuracy"`
	ValLoss     []float64 `json:"val_loss,omitempty"`
	ValAccuracy []float64 `json:"val_accuracy,omitempty"`
	Seconds     []float64 `json:"seconds,omitempty"` // wall time of each epoch, validation included
	// FeedSeconds is the part of each epoch spent outside the compiled
	// training step building batches (the data feed).
	FeedSeconds []float64 `json:"feed_seconds,omitempty"`
}

func (h *History) append(o History) {
	h.Loss = append(h.Loss, o.Loss...)
	h.Accuracy = append(h.Accuracy, o.Accuracy...)
	h.ValLoss = append(h.ValLoss, o.ValLoss...)
	h.ValAccuracy = append(h.ValAccuracy, o.ValAccuracy...)
	h.Seconds = append(h.Seconds, o.Seconds...)
	h.FeedSeconds = append(h.FeedSeconds, o.FeedSeconds...)
}

// HistoryChart plots a metric of the history ("accuracy" or "loss") for the
// training and validation rows, against epochs. Its labels are English and
// drawn in the workbook's language (see Language), as every chart's are.
func HistoryChart(h History, metric string) LineChart {
	train, val := h.Accuracy, h.ValAccuracy
	title := "Training history" // the tutorial's title for its accuracy chart
	if metric == "loss" {
		train, val = h.Loss, h.ValLoss
		title = "Training history: loss" // two charts of one cell, two titles
	}
	return LineChart{Title: title, XLabel: "epoch", YLabel: metric,
		Series: []Series{{Name: "train " + metric, Values: train}, {Name: "validation " + metric, Values: val}}}
}

// The labels of the tutorial's accuracy chart, as its show_train_history
// writes them. Fit draws that chart as the tutorial shows it, in Chinese in
// both editions: a chart's labels go through tr (see Language), which leaves
// Chinese as it is. The Chinese edition's words for the same English labels
// are these (zhText).
const (
	tutorialChartTitle    = "训练历史"
	tutorialEpoch         = "训练次数"
	tutorialAccuracy      = "准确率"
	tutorialTrainAccuracy = "训练准确率"
	tutorialValAccuracy   = "验证准确率"
)

// tutorialAccuracyChart is the tutorial's accuracy chart: HistoryChart's, in
// the tutorial's words.
func tutorialAccuracyChart(h History) LineChart {
	return LineChart{Title: tutorialChartTitle, XLabel: tutorialEpoch, YLabel: tutorialAccuracy,
		Series: []Series{{Name: tutorialTrainAccuracy, Values: h.Accuracy}, {Name: tutorialValAccuracy, Values: h.ValAccuracy}}}
}

// summary says in a few words how far the history went: "10 epochs, validation
// accuracy 0.9786" (training accuracy without validation rows).
func (h History) summary() string {
	n := len(h.Accuracy)
	if n == 0 {
		return tr("not trained")
	}
	format, acc := "%d epochs, training accuracy %.4f", h.Accuracy[n-1]
	if len(h.ValAccuracy) == n {
		format, acc = "%d epochs, validation accuracy %.4f", h.ValAccuracy[n-1]
	}
	if n == 1 { // "1 epoch"
		return fmt.Sprintf(tr(strings.Replace(format, "%d epochs", "1 epoch", 1)), acc)
	}
	return fmt.Sprintf(tr(format), n, acc)
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

// SecondsPerEpoch is the median wall time of the epochs after the first
// (which also compiles the model), validation included: one slow epoch, the
// machine busy with something else for a while, does not move it. It was
// measured in the program that trained the model, at that time: to compare
// two models' speed, time them side by side with EpochSeconds.
func (h History) SecondsPerEpoch() float64 {
	s := h.Seconds
	if len(s) > 1 {
		s = s[1:]
	}
	return median(s)
}

// median is the middle value of s (the mean of the two middle ones when
// there are as many above as below), 0 for none.
func median(s []float64) float64 {
	if len(s) == 0 {
		return 0
	}
	s = slices.Sorted(slices.Values(s))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// liveCharts shows the accuracy and the loss charts below the cell and redraws
// them in place after every epoch (GoNB replaces a display that has an ID), so a
// learner watches the curves form while a model trains. The last drawing is what
// the saved notebook and its HTML export keep. Outside a notebook it is nil and
// does nothing.
type liveCharts struct{ accuracy, loss string }

// lastLive are the charts the last training in this program drew, which
// ShowTrainHistory redraws rather than draw the same chart twice in a cell.
var lastLive *liveCharts

func newLiveCharts() *liveCharts {
	if !inNotebook() {
		return nil
	}
	lastLive = &liveCharts{accuracy: newDisplayID("accuracy"), loss: newDisplayID("loss")}
	return lastLive
}

// ShowTrainHistory draws one chart of a training history, as the tutorial's
// show_train_history(train_history, 'accuracy', 'val_accuracy') does: the
// metric on the training rows and on the validation rows, by epoch. Fit draws
// both charts while it trains; a model loaded from its checkpoint draws none,
// and a cell that discusses its training calls this. Where this program has
// just trained, it redraws the chart Fit drew instead of adding a second one.
func ShowTrainHistory(h History, train, validation string) error {
	if (train != "accuracy" && train != "loss") || validation != "val_"+train {
		return fmt.Errorf(`show train history: want ("accuracy", "val_accuracy") or ("loss", "val_loss"), got (%q, %q)`, train, validation)
	}
	if len(h.Loss) == 0 {
		return errors.New("show train history: the history is empty (the model was not trained)")
	}
	chart, loss := fitCharts(h)
	if train == "loss" {
		chart = loss
	}
	showChartAs(lastLive.id(train), chart)
	return nil
}

// id is the display ID of the chart of a metric ("accuracy" or "loss"): ""
// for a new display when there are no live charts.
func (l *liveCharts) id(metric string) string {
	switch {
	case l == nil:
		return ""
	case metric == "loss":
		return l.loss
	}
	return l.accuracy
}

func (l *liveCharts) update(h History) {
	if l == nil || len(h.Loss) == 0 {
		return
	}
	accuracy, loss := fitCharts(h)
	showChartAs(l.accuracy, accuracy)
	showChartAs(l.loss, loss)
}

// fitCharts are the charts Fit draws: the tutorial's accuracy chart, in
// Chinese in both editions, and beside it the loss chart, in the workbook's
// language.
func fitCharts(h History) (accuracy, loss LineChart) {
	return tutorialAccuracyChart(h), HistoryChart(h, "loss")
}

// check refuses a history whose series do not line up epoch by epoch (a
// checkpoint's, before Load takes it): charts and notebooks read them side by
// side.
func (h History) check() error {
	n := len(h.Loss)
	for name, s := range map[string][]float64{"accuracy": h.Accuracy, "val_loss": h.ValLoss, "val_accuracy": h.ValAccuracy,
		"seconds": h.Seconds, "feed_seconds": h.FeedSeconds} {
		if len(s) != n && (name == "accuracy" || len(s) > 0) {
			return fmt.Errorf("history: %d values of %s for %d epochs of loss", len(s), name, n)
		}
	}
	return nil
}
