package mnistlib

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/metric"
	"github.com/gomlx/gomlx/ml/train/optimizer"
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

// FitParams records how a model was trained, so a later cell can tell
// whether a checkpoint matches what it asks for.
type FitParams struct {
	Epochs          int     `json:"epochs"` // in total, across Fit calls
	BatchSize       int     `json:"batch_size"`
	ValidationSplit float64 `json:"validation_split"`
	Rows            int     `json:"rows"` // rows given to Fit, validation included
}

func (h *History) append(o History) {
	h.Loss = append(h.Loss, o.Loss...)
	h.Accuracy = append(h.Accuracy, o.Accuracy...)
	h.ValLoss = append(h.ValLoss, o.ValLoss...)
	h.ValAccuracy = append(h.ValAccuracy, o.ValAccuracy...)
	h.Seconds = append(h.Seconds, o.Seconds...)
	h.FeedSeconds = append(h.FeedSeconds, o.FeedSeconds...)
}

// evalBatchSize is the number of rows per step of Evaluate and Predict.
const evalBatchSize = 500

// Fit trains the model for the given number of epochs with Adam and categorical cross-entropy,
// like Keras' model.fit(x, y, epochs=..., batch_size=..., validation_split=..., verbose=2).
//
// x holds the images, [N, 784] (Flatten) or [N, 28, 28, 1] (Reshape4D), pixels scaled to
// [0,1] (Normalize); y the one-hot labels [N, 10] (ToCategorical).
// With validationSplit > 0 the LAST fraction of the rows (taken before shuffling, as Keras does)
// is held out and evaluated after every epoch. Training rows are shuffled every epoch with a
// generator seeded from Config.Seed and the epoch number, so the same seed gives the same run.
// The returned History holds this call's epochs; m.History accumulates all of them.
func (m *Model) Fit(xs, ys *tensors.Tensor, epochs, batchSize int, validationSplit float64) (History, error) {
	var hist History
	x, y, err := rowsXY(xs, ys)
	if err != nil {
		return hist, fmt.Errorf("fit: %w", err)
	}
	if epochs < 0 || batchSize <= 0 {
		return hist, fmt.Errorf("fit: want epochs ≥ 0 and batch size > 0, got %d and %d", epochs, batchSize)
	}
	if validationSplit < 0 || validationSplit >= 1 || math.IsNaN(validationSplit) {
		return hist, fmt.Errorf("fit: validation split must be in [0, 1), got %g", validationSplit)
	}
	numTrain := int(math.Floor(float64(len(x)) * (1 - validationSplit)))
	if numTrain == 0 {
		return hist, fmt.Errorf("fit: no training rows left out of %d with validation split %g", len(x), validationSplit)
	}
	xTrain, yTrain, xVal, yVal := x[:numTrain], y[:numTrain], x[numTrain:], y[numTrain:]
	if m.trainer == nil {
		m.newTrainer()
	}

	out := m.Out
	if out == nil {
		out = io.Discard
	}
	steps := (numTrain + batchSize - 1) / batchSize
	order := make([]int, numTrain)
	for epoch := range epochs {
		start := time.Now()
		for i := range order {
			order[i] = i
		}
		globalEpoch := uint64(len(m.History.Loss))
		rng := rand.New(rand.NewPCG(uint64(m.Config.Seed), globalEpoch))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

		var lossSum, accSum float64
		var feed time.Duration
		for step := range steps {
			feedStart := time.Now()
			rows := order[step*batchSize : min((step+1)*batchSize, numTrain)]
			batch := train.Batch{
				Inputs: []*tensors.Tensor{m.gatherInputs(xTrain, rows)},
				Labels: []*tensors.Tensor{gatherRows(yTrain, rows)},
			}
			feed += time.Since(feedStart)
			metrics, err := m.trainer.TrainStep(batch) // Takes ownership of the batch tensors.
			if err != nil {
				return hist, fmt.Errorf("fit: epoch %d step %d: %w", epoch+1, step+1, err)
			}
			// metrics: [batch loss, moving average loss, batch accuracy].
			n := float64(len(rows))
			lossSum += n * scalar(metrics[0])
			accSum += n * scalar(metrics[2])
			_ = metrics[1].FinalizeAll()
			if m.Progress != nil {
				m.Progress(epoch+1, epochs, step+1, steps)
			}
		}
		ep := History{Loss: []float64{lossSum / float64(numTrain)}, Accuracy: []float64{accSum / float64(numTrain)}}
		line := fmt.Sprintf("%d/%d - %s - loss: %.4f - accuracy: %.4f", steps, steps, kerasDuration(time.Since(start)),
			ep.Loss[0], ep.Accuracy[0])
		if len(xVal) > 0 {
			vLoss, vAcc, err := m.evaluate(xVal, yVal)
			if err != nil {
				return hist, fmt.Errorf("fit: validation after epoch %d: %w", epoch+1, err)
			}
			ep.ValLoss, ep.ValAccuracy = []float64{vLoss}, []float64{vAcc}
			line = fmt.Sprintf("%d/%d - %s - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f",
				steps, steps, kerasDuration(time.Since(start)), ep.Loss[0], ep.Accuracy[0], vLoss, vAcc)
		}
		ep.Seconds, ep.FeedSeconds = []float64{time.Since(start).Seconds()}, []float64{feed.Seconds()}
		hist.append(ep)
		m.History.append(ep)
		m.Fitted = FitParams{Epochs: len(m.History.Loss), BatchSize: batchSize, ValidationSplit: validationSplit, Rows: len(x)}
		fmt.Fprintf(out, "Epoch %d/%d\n%s\n", epoch+1, epochs, line)
	}
	return hist, nil
}

// newTrainer sets up the GoMLX trainer: softmax cross-entropy on the logits, Adam, and a
// per-batch accuracy metric (Fit averages batch values over the epoch, as Keras reports).
func (m *Model) newTrainer() {
	modelFn := func(scope *model.Scope, x *Node) *Node { return m.logits(scope, x) }
	batchAccuracy := metric.NewBaseMetric("Accuracy", "acc", metric.AccuracyMetricType,
		func(_ *model.Scope, labels, logits []*Node) *Node {
			return ReduceAllMean(correct(labels[0], logits[0]))
		}, nil)
	opt := optimizer.Adam().LearningRate(m.Config.LearningRate).Done()
	m.trainer = train.NewTrainer(m.backend, m.store, modelFn, loss.CategoricalCrossEntropyLogits, opt,
		[]metric.Interface{batchAccuracy}, nil)
}

// Evaluate returns the mean categorical cross-entropy and the accuracy on (x, y), without
// dropout, like Keras' model.evaluate. x and y are as for Fit.
func (m *Model) Evaluate(xs, ys *tensors.Tensor) (loss, accuracy float64, err error) {
	x, y, err := rowsXY(xs, ys)
	if err != nil {
		return 0, 0, fmt.Errorf("evaluate: %w", err)
	}
	return m.evaluate(x, y)
}

func (m *Model) evaluate(x, y [][]float32) (loss, accuracy float64, err error) {
	var lossSum, hits float64
	for start := 0; start < len(x); start += evalBatchSize {
		rows := span(start, min(start+evalBatchSize, len(x)))
		out, err := m.evalExec.Call(m.gatherInputs(x, rows), gatherRows(y, rows))
		if err != nil {
			return 0, 0, fmt.Errorf("evaluate: %w", err)
		}
		lossSum += scalar(out[0])
		hits += scalar(out[1])
	}
	n := float64(len(x))
	return lossSum / n, hits / n, nil
}

// Predict returns the class probabilities (softmax) of each image in x, like Keras'
// model.predict. x is as for Fit; a single 28×28 image is [1, 784] or [1, 28, 28, 1].
func (m *Model) Predict(xs *tensors.Tensor) ([][]float32, error) {
	x, err := rowsOf(xs, InputSize, "x (images)")
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return m.predict(x)
}

func (m *Model) predict(x [][]float32) ([][]float32, error) {
	flat := make([]float32, 0, len(x)*NumClasses)
	for start := 0; start < len(x); start += evalBatchSize {
		rows := span(start, min(start+evalBatchSize, len(x)))
		out, err := m.probExec.Call(m.gatherInputs(x, rows))
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		probs, err := tensors.CopyFlatData[float32](out[0])
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		flat = append(flat, probs...)
	}
	res := make([][]float32, len(x))
	for i := range res {
		res[i] = flat[i*NumClasses : (i+1)*NumClasses : (i+1)*NumClasses]
	}
	return res, nil
}

// Argmax returns the index of the largest value of each row (the predicted class).
func Argmax(rows [][]float32) []int {
	res := make([]int, len(rows))
	for i, row := range rows {
		for j, v := range row {
			if v > row[res[i]] {
				res[i] = j
			}
		}
	}
	return res
}

// gatherInputs builds the model's input for the given rows of x: the images
// as they are, or their patches (see Model.feedPatches).
func (m *Model) gatherInputs(x [][]float32, rows []int) *tensors.Tensor {
	if m.feedPatches {
		return gatherPatches(x, rows, m.Config.KernelSize)
	}
	return gatherRows(x, rows)
}

// gatherPatches cuts each 28×28 image into its k×k neighbourhoods, zero-padded
// like 'same' padding: element [n, y, x, dy*k+dx] is pixel (y+dy-p, x+dx-p)
// of image n, p = (k-1)/2 -- the order Conv2DSame's im2col uses.
func gatherPatches(x [][]float32, rows []int, k int) *tensors.Tensor {
	p, kk := (k-1)/2, k*k
	t := tensors.FromShape(shapes.Make(dtypes.Float32, len(rows), ImageSize, ImageSize, kk))
	tensors.MustMutableFlatData(t, func(flat []float32) {
		for i, r := range rows {
			img, out := x[r], flat[i*InputSize*kk:(i+1)*InputSize*kk]
			for y := range ImageSize {
				for dy := range k {
					sy := y + dy - p
					if sy < 0 || sy >= ImageSize {
						continue
					}
					for xx := range ImageSize {
						base := (y*ImageSize+xx)*kk + dy*k
						for dx := range k {
							if sx := xx + dx - p; sx >= 0 && sx < ImageSize {
								out[base+dx] = img[sy*ImageSize+sx]
							}
						}
					}
				}
			}
		}
	})
	return t
}

// gatherRows copies the given rows of x into a new [len(rows), width] float32 tensor.
func gatherRows(x [][]float32, rows []int) *tensors.Tensor {
	width := len(x[0])
	t := tensors.FromShape(shapes.Make(dtypes.Float32, len(rows), width))
	tensors.MustMutableFlatData(t, func(flat []float32) {
		for i, r := range rows {
			copy(flat[i*width:(i+1)*width], x[r])
		}
	})
	return t
}

func span(from, to int) []int {
	s := make([]int, to-from)
	for i := range s {
		s[i] = from + i
	}
	return s
}

// scalar reads a scalar float tensor (and frees it).
func scalar(t *tensors.Tensor) float64 {
	defer t.FinalizeAll()
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// rowsOf views a float32 tensor [N, ...] as N rows of width values each
// (one copy of its data).
func rowsOf(t *tensors.Tensor, width int, what string) ([][]float32, error) {
	if t == nil {
		return nil, fmt.Errorf("%s is nil", what)
	}
	dims := t.Shape().Dimensions
	if len(dims) < 2 || t.Size() != dims[0]*width || dims[0] == 0 {
		return nil, fmt.Errorf("%s has shape %v, want [N, %d] with N > 0", what, dims, width)
	}
	flat, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (want float32, as the preprocessing functions give)", what, err)
	}
	rows := make([][]float32, dims[0])
	for i := range rows {
		rows[i] = flat[i*width : (i+1)*width : (i+1)*width]
	}
	return rows, nil
}

func rowsXY(xs, ys *tensors.Tensor) (x, y [][]float32, err error) {
	if x, err = rowsOf(xs, InputSize, "x (images)"); err != nil {
		return nil, nil, err
	}
	if y, err = rowsOf(ys, NumClasses, "y (one-hot labels, see ToCategorical)"); err != nil {
		return nil, nil, err
	}
	if len(x) != len(y) {
		return nil, nil, fmt.Errorf("x has %d images but y has %d labels", len(x), len(y))
	}
	return x, y, nil
}

// kerasDuration formats an epoch time as Keras does: "2s", or "850ms" under a second.
func kerasDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.0fs", d.Seconds())
}
