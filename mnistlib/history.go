package mnistlib

// A model's training history, its charts, and the charts that redraw while
// a model trains in a notebook.

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
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
// training and validation rows, against epochs. zh gives the Chinese labels
// (the tutorial's 训练准确率, 验证准确率, 训练历史, 训练次数, 准确率; 训练损失,
// 验证损失, 损失 in their style).
func HistoryChart(h History, metric string, zh bool) LineChart {
	train, val := h.Accuracy, h.ValAccuracy
	if metric == "loss" {
		train, val = h.Loss, h.ValLoss
	}
	label := func(s string) string {
		if zh {
			return zhOf(s)
		}
		return s
	}
	title := "Training history" // the tutorial's title for its accuracy chart
	if metric == "loss" {
		title = "Training history: loss" // two charts of one cell, two titles
	}
	return LineChart{Title: label(title), XLabel: label("epoch"), YLabel: label(metric),
		Series: []Series{{Name: label("train " + metric), Values: train}, {Name: label("validation " + metric), Values: val}}}
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
	if !gonbui.IsNotebook {
		return nil
	}
	lastLive = &liveCharts{accuracy: "accuracy_" + gonbui.UniqueID(), loss: "loss_" + gonbui.UniqueID()}
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
// language (see Language).
func fitCharts(h History) (accuracy, loss LineChart) {
	return HistoryChart(h, "accuracy", true), HistoryChart(h, "loss", Language() == "zh")
}
