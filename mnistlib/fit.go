package mnistlib

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
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

// FitParams records how a model was trained, so a later cell can tell
// whether a checkpoint matches what it asks for.
type FitParams struct {
	Epochs          int     `json:"epochs"` // in total, across Fit calls
	BatchSize       int     `json:"batch_size"`
	ValidationSplit float64 `json:"validation_split"`
	Rows            int     `json:"rows"` // rows given to Fit, validation included
	// Augment is the data augmentation of the training rows; left out of the
	// checkpoint when there is none, so checkpoints saved before it existed still match.
	Augment Augmentation `json:"augment,omitzero"`
}

// FitOptions are the keyword arguments of Keras' model.fit.
type FitOptions struct {
	Epochs    int
	BatchSize int // 32 if left 0, as in Keras
	// ValidationSplit holds out the LAST fraction of the rows (taken before
	// shuffling, as Keras does) and evaluates the model on them after every epoch.
	ValidationSplit float64
	// Checkpoint, if set, names a folder in CheckpointDir() where Fit saves the
	// trained model: one folder name, such as "mlp" (model.Save(folder) saves
	// anywhere). When that folder already holds this same model (layers, seed,
	// learning rate) trained with these same options on as many rows, Fit loads
	// it instead of training: rerunning an unchanged cell takes a second, and
	// changing any number trains again. Fit checks before training that the
	// checkpoint can be saved (room included); if saving fails after training,
	// it returns the history with a *SaveError and the model stays trained.
	Checkpoint string
	// Augment, if set, changes every training image a little at each epoch
	// (shifts, rotations, scaling, stroke thickness, and, for stronger
	// augmentation, shear, elastic distortion, blur and low resolution; see Augmentation), drawn
	// from the model's Seed and the epoch. Validation rows are left as they are.
	Augment Augmentation
	// OnBatchEnd, if set, is called after every training step with the epoch
	// and the step within it (both from 1) and the loss of that step's batch,
	// like Keras' LambdaCallback(on_batch_end=...). Fit does not call it when it
	// loads the checkpoint instead of training.
	OnBatchEnd func(epoch, batch int, loss float64)
}

// evalBatchSize is the number of rows per step of Evaluate and Predict.
const evalBatchSize = 500

// evalBatch returns the rows of the Evaluate/Predict batch that starts at row
// start of n, and how many of them are used: the batch is padded with -1 (a
// row of zeros, whose result is dropped) to the next power of two, at most
// evalBatchSize. XLA compiles a graph for every batch size it meets, about
// 0.2 s each (bench/RESULTS.md), and each notebook cell is a new process: the
// 958, 400, 260, 100 and 96 outside digits of notebook 10 would make five
// last batches of five sizes per model; padded, they share two, at the price
// of at most twice the rows.
func evalBatch(start, n int) (rows []int, used int) {
	used = min(evalBatchSize, n-start)
	size := 1
	for size < used {
		size *= 2
	}
	rows = span(start, start+used)
	for len(rows) < min(size, evalBatchSize) {
		rows = append(rows, -1)
	}
	return rows, used
}

// Fit trains the model with Adam and categorical cross-entropy, like Keras'
// model.fit(x, y, epochs=..., batch_size=..., validation_split=..., verbose=2).
//
// x holds the images as the first layer takes them, [N, 784] (Reshape2D) for an
// MLP or [N, 28, 28, 1] (Reshape4D) for a CNN (the other layout is refused, as in
// Keras), pixels scaled to [0,1] (Normalize); y the one-hot labels [N, 10]
// (ToCategorical).
// Training rows are shuffled every epoch with a generator seeded from the model's
// Seed and the epoch number, so the same seed gives the same run. In a notebook
// the accuracy and loss charts redraw after every epoch. The returned History
// holds this call's epochs; m.History accumulates all of them.
func (m *Model) Fit(xs, ys *tensors.Tensor, o FitOptions) (History, error) {
	x, y, err := m.rowsXY(xs, ys)
	if err != nil {
		return History{}, fmt.Errorf("fit: %w", err)
	}
	if o, err = m.fitOptions(o); err != nil {
		return History{}, err
	}
	if o.Checkpoint == "" {
		if err := m.build(); err != nil {
			return History{}, fmt.Errorf("fit: %w", err)
		}
		return m.train(x, y, o)
	}
	dir, err := checkpointPath(o.Checkpoint)
	if err != nil {
		return History{}, fmt.Errorf("fit: %w", err)
	}
	if m.reuse(dir, o.params(len(x))) || m.reuseVariant(dir, o.params(len(x))) {
		return m.History, nil
	}
	if err := m.build(); err != nil {
		return History{}, fmt.Errorf("fit: %w", err)
	}
	if err := m.checkParams(); err != nil { // before training, not after it
		return History{}, fmt.Errorf("fit: %w", err)
	}
	if err := checkSavable(dir, m.checkpointSize()); err != nil {
		return History{}, fmt.Errorf("fit: %w", err)
	}
	h, err := m.train(x, y, o)
	if err != nil {
		return h, err
	}
	stashCurrent(dir) // the model trained before under this name waits beside this one
	if size, err := m.save(dir); err != nil {
		return h, &SaveError{Dir: dir, Bytes: size, Err: err}
	}
	fmt.Fprintf(Messages, tr("saved to %s")+"\n", displayPath(dir))
	return h, nil
}

// SaveError is Fit's error when the training finished but saving its checkpoint
// failed (a full disk, a folder made read-only meanwhile). The model stays
// trained in memory and Fit returns its history too, so the cell can still use
// it, or save it elsewhere with model.Save(folder). Check and Must print it as a
// warning and let the cell go on.
type SaveError struct {
	Dir   string // the checkpoint folder
	Bytes int64  // the room the checkpoint needs (0 if not known)
	Err   error  // why the save failed
}

func (e *SaveError) Error() string {
	need := ""
	if e.Bytes > 0 {
		need = fmt.Sprintf(" The checkpoint needs %s: make room there, or set $%s to another folder, and run the cell again;", byteSize(e.Bytes), EnvCheckpoints)
	}
	return fmt.Sprintf("fit: the model is trained, but it could not be saved: %v.%s the trained model is still here for the rest of this cell (model.Save(folder) saves it elsewhere)",
		e.Err, need)
}

func (e *SaveError) Unwrap() error { return e.Err }

// checkpointSize is about what a Save of m will need once trained: its weights,
// Adam's two moments of each, and room for model.json and the small variables.
func (m *Model) checkpointSize() int64 {
	const rest = 64 << 10
	var weights int64
	for v := range m.store.IterVariables() {
		if v.Trainable {
			weights += int64(v.Shape().ByteSize())
		}
	}
	return 3*weights + rest
}

// fitOptions checks the options and applies the defaults and quick mode.
func (m *Model) fitOptions(o FitOptions) (FitOptions, error) {
	if o.BatchSize == 0 {
		o.BatchSize = 32
	}
	if o.Epochs < 0 || o.BatchSize < 0 {
		return o, fmt.Errorf("fit: want Epochs ≥ 0 and BatchSize > 0, got %d and %d", o.Epochs, o.BatchSize)
	}
	if !(o.ValidationSplit >= 0 && o.ValidationSplit < 1) {
		return o, fmt.Errorf("fit: ValidationSplit must be in [0, 1), got %g", o.ValidationSplit)
	}
	if err := o.Augment.check(); err != nil {
		return o, fmt.Errorf("fit: %w", err)
	}
	if Quick() && o.Epochs > quickEpochs {
		fmt.Fprintf(Messages, tr("quick mode ($%s): %d epochs instead of %d")+"\n", EnvQuick, quickEpochs, o.Epochs)
		o.Epochs = quickEpochs
	}
	return o, nil
}

// params is what a checkpoint records of these options, for a Fit on rows rows.
func (o FitOptions) params(rows int) FitParams {
	return FitParams{Epochs: o.Epochs, BatchSize: o.BatchSize, ValidationSplit: o.ValidationSplit, Rows: rows, Augment: o.Augment}
}

// reuse loads the checkpoint in dir into m when it holds this untrained
// model trained as want says, and tells the reader either way. Whatever the
// checkpoint holds, the worst it does is make Fit train anew.
func (m *Model) reuse(dir string, want FitParams) (reused bool) {
	if len(m.History.Loss) > 0 || m.graphFn != nil {
		return false // trained already in this program (Fit continues), or a function no file can describe
	}
	defer func() { // the last line of defence: readCheckpoint checks it all beforehand
		if r := recover(); r != nil {
			m.store, m.err, m.trainer = nil, nil, nil
			fmt.Fprintf(Messages, tr("training anew: checkpoint %s cannot be loaded (%v)")+"\n", displayPath(dir), r)
			reused = false
		}
	}()
	s, err := readCheckpoint(dir, nil)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false
	case err != nil:
		fmt.Fprintf(Messages, tr("training anew: %v")+"\n", err)
		return false
	case !m.sameModel(s.model) || s.fitted != want:
		fmt.Fprintf(Messages, tr("%s holds another model or training: it is kept beside this one (mnistlib.Variants(%q) lists them)")+"\n",
			displayPath(s.dir), filepath.Base(s.dir))
		return false
	}
	restore := m.restore // builds the model with the saved values: no initialization
	if m.store != nil {
		restore = m.setVariables // built already (say, by Summary)
	}
	if err := restore(s); err != nil {
		m.store, m.err, m.trainer = nil, nil, nil // Fit builds the model afresh
		fmt.Fprintf(Messages, tr("training anew: %v")+"\n", err)
		return false
	}
	fmt.Fprintf(Messages, tr("loaded %s: this model, trained earlier with these options (%s; change a number to train again)")+"\n",
		displayPath(s.dir), m.History.summary())
	return true
}

// train runs the epochs of Fit.
func (m *Model) train(x, y [][]float32, o FitOptions) (History, error) {
	var hist History
	numTrain := int(math.Floor(float64(len(x)) * (1 - o.ValidationSplit)))
	if numTrain == 0 {
		return hist, fmt.Errorf("fit: no training rows left out of %d with validation split %g", len(x), o.ValidationSplit)
	}
	xTrain, yTrain, xVal, yVal := x[:numTrain], y[:numTrain], x[numTrain:], y[numTrain:]
	if m.trainer == nil {
		m.newTrainer()
	}
	out := m.Out
	if out == nil {
		out = io.Discard
	}
	var charts *liveCharts
	if m.Out != nil {
		charts = newLiveCharts()
	}
	for epoch := range o.Epochs {
		start := time.Now()
		ep, err := m.trainEpoch(xTrain, yTrain, o, epoch)
		if err != nil {
			return hist, err
		}
		steps := (numTrain + o.BatchSize - 1) / o.BatchSize
		line := fmt.Sprintf("%d/%d - %s - loss: %.4f - accuracy: %.4f", steps, steps, kerasDuration(time.Since(start)),
			ep.Loss[0], ep.Accuracy[0])
		if len(xVal) > 0 {
			vLoss, vAcc, err := m.evaluate(xVal, yVal)
			if err != nil {
				return hist, fmt.Errorf("fit: validation after epoch %d: %w", epoch+1, err)
			}
			ep.ValLoss, ep.ValAccuracy = []float64{vLoss}, []float64{vAcc}
			line += fmt.Sprintf(" - val_loss: %.4f - val_accuracy: %.4f", vLoss, vAcc)
		}
		ep.Seconds = []float64{time.Since(start).Seconds()}
		hist.append(ep)
		m.History.append(ep)
		m.Fitted = o.params(len(x))
		m.Fitted.Epochs = len(m.History.Loss)
		charts.update(m.History) // first, so the charts stand above the log lines
		fmt.Fprintf(out, "Epoch %d/%d\n%s\n", epoch+1, o.Epochs, line)
	}
	return hist, nil
}

// trainEpoch shuffles the training rows and runs one pass over them in
// batches, each batch changed by o.Augment when it is set. It returns the
// epoch's mean loss and accuracy and its feed time: how long the steps waited
// for their batch.
func (m *Model) trainEpoch(x, y [][]float32, o FitOptions, epoch int) (History, error) {
	batchSize, epochs := o.BatchSize, o.Epochs
	order := span(0, len(x))
	seen := len(m.History.Loss) // epochs trained before this one, across Fit calls
	rng := rand.New(rand.NewPCG(uint64(m.Seed), uint64(seen)))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	steps := (len(x) + batchSize - 1) / batchSize
	batches, stop := m.feed(x, y, order, batchSize, o.Augment, seen)
	defer stop()
	var lossSum, accSum float64
	var feed time.Duration
	for step := range steps {
		feedStart := time.Now()
		batch := <-batches
		feed += time.Since(feedStart)
		n := float64(batch.Inputs[0].Shape().Dimensions[0])
		metrics, err := m.trainer.TrainStep(batch) // Takes ownership of the batch tensors.
		if err != nil {
			return History{}, fmt.Errorf("fit: epoch %d step %d: %w", epoch+1, step+1, err)
		}
		// metrics: [batch loss, moving average loss, batch accuracy].
		loss := scalar(metrics[0])
		if !finite(loss) { // nothing is saved: the last good checkpoint stays
			return History{}, fmt.Errorf("fit: the loss became %v at epoch %d, step %d: training diverged; try a smaller LearningRate", loss, epoch+1, step+1)
		}
		lossSum += n * loss
		accSum += n * scalar(metrics[2])
		_ = metrics[1].FinalizeAll()
		if o.OnBatchEnd != nil {
			o.OnBatchEnd(epoch+1, step+1, loss)
		}
		if m.Progress != nil {
			m.Progress(epoch+1, epochs, step+1, steps)
		}
	}
	n := float64(len(x))
	return History{Loss: []float64{lossSum / n}, Accuracy: []float64{accSum / n}, FeedSeconds: []float64{feed.Seconds()}}, nil
}

// feed builds the epoch's batches, in order, one step ahead of the training
// loop: the next batch is copied (and augmented) while the current step runs.
// stop ends it early and frees a batch built but not taken.
func (m *Model) feed(x, y [][]float32, order []int, batchSize int, augment Augmentation, seen int) (batches <-chan train.Batch, stop func()) {
	out, done := make(chan train.Batch, 1), make(chan struct{})
	go func() {
		defer close(out)
		for start := 0; start < len(order); start += batchSize {
			rows := order[start:min(start+batchSize, len(order))]
			images, imageRows := x, rows
			if augment.Enabled() {
				images, imageRows = augment.augmentRows(x, rows, m.Seed, seen), span(0, len(rows))
			}
			batch := train.Batch{
				Inputs: []*tensors.Tensor{m.gatherRows(images, imageRows)},
				Labels: []*tensors.Tensor{m.gatherRows(y, rows)},
			}
			select {
			case out <- batch:
			case <-done:
				batch.Inputs[0].FinalizeAll()
				batch.Labels[0].FinalizeAll()
				return
			}
		}
	}()
	return out, func() {
		close(done)
		for b := range out { // one built and not taken, if any
			b.Inputs[0].FinalizeAll()
			b.Labels[0].FinalizeAll()
		}
	}
}

// newTrainer sets up the GoMLX trainer: softmax cross-entropy on the logits, Adam, and a
// per-batch accuracy metric (Fit averages batch values over the epoch, as Keras reports).
func (m *Model) newTrainer() {
	modelFn := func(scope *model.Scope, x *Node) *Node { return m.logits(scope, x) }
	batchAccuracy := metric.NewBaseMetric("Accuracy", "acc", metric.AccuracyMetricType,
		func(_ *model.Scope, labels, logits []*Node) *Node {
			return ReduceAllMean(correct(labels[0], logits[0]))
		}, nil)
	opt := optimizer.Adam().LearningRate(m.LearningRate).Done()
	m.trainer = train.NewTrainer(m.backend, m.store, modelFn, loss.CategoricalCrossEntropyLogits, opt,
		[]metric.Interface{batchAccuracy}, nil)
}

// Evaluate returns the mean categorical cross-entropy and the accuracy on (x, y), without
// dropout, like Keras' model.evaluate. x and y are as for Fit.
func (m *Model) Evaluate(xs, ys *tensors.Tensor) (loss, accuracy float64, err error) {
	if err := m.build(); err != nil {
		return 0, 0, fmt.Errorf("evaluate: %w", err)
	}
	x, y, err := m.rowsXY(xs, ys)
	if err != nil {
		return 0, 0, fmt.Errorf("evaluate: %w", err)
	}
	return m.evaluate(x, y)
}

func (m *Model) evaluate(x, y [][]float32) (loss, accuracy float64, err error) {
	var lossSum, hits float64
	for start := 0; start < len(x); start += evalBatchSize {
		rows, _ := evalBatch(start, len(x)) // a padding row's y is zeros: it adds no loss and no hit
		out, err := callFreeing(m.evalExec, m.gatherRows(x, rows), m.gatherRows(y, rows))
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
// model.predict. x is as for Fit; a single 28×28 image is [1, 784] for an MLP,
// [1, 28, 28, 1] for a CNN.
func (m *Model) Predict(xs *tensors.Tensor) ([][]float32, error) {
	if err := m.build(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	x, err := m.imageRows(xs)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return m.predict(x)
}

func (m *Model) predict(x [][]float32) ([][]float32, error) {
	flat := make([]float32, 0, len(x)*NumClasses)
	for start := 0; start < len(x); start += evalBatchSize {
		rows, used := evalBatch(start, len(x))
		out, err := callFreeing(m.probExec, m.gatherRows(x, rows))
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		probs, err := tensors.CopyFlatData[float32](out[0])
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		flat = append(flat, probs[:used*NumClasses]...)
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

// gatherRows copies the given rows of x into a new [len(rows), width]
// float32 tensor; a row -1 (evalBatch's padding) is zeros. On a backend whose device shares host memory (XLA's CPU
// plugin), the tensor is the device's own buffer: the step reads the rows
// where they were written, with no copy in between.
func (m *Model) gatherRows(x [][]float32, rows []int) *tensors.Tensor {
	width := len(x[0])
	shape := shapes.Make(dtypes.Float32, len(rows), width)
	t, err := tensors.FromShapeForBackend(m.backend, 0, shape)
	if err != nil { // no shared buffer: an ordinary tensor, copied to the device when used
		t = tensors.FromShape(shape)
	}
	tensors.MustMutableFlatData(t, func(flat []float32) {
		for i, r := range rows {
			if r < 0 {
				clear(flat[i*width : (i+1)*width])
			} else {
				copy(flat[i*width:(i+1)*width], x[r])
			}
		}
	})
	return t
}

// callFreeing runs exec on inputs, then frees them: a batch built by
// gatherRows may be the device's own buffer, which the Go garbage collector
// does not see the size of.
func callFreeing(exec *model.Exec, inputs ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	defer func() {
		for _, t := range inputs {
			t.FinalizeAll()
		}
	}()
	args := make([]any, len(inputs))
	for i, t := range inputs {
		args[i] = t
	}
	return exec.Call(args...)
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
	if bad := nonFiniteRows(flat, width); len(bad) > 0 {
		return nil, fmt.Errorf("%s: %d row(s) hold NaN or infinite values, the first at rows %v: check how they were made", what, len(bad), bad[:min(len(bad), 5)])
	}
	rows := make([][]float32, dims[0])
	for i := range rows {
		rows[i] = flat[i*width : (i+1)*width : (i+1)*width]
	}
	return rows, nil
}

// nonFiniteRows lists the rows of flat (width values each) that hold a NaN or an infinity.
func nonFiniteRows(flat []float32, width int) []int {
	var rows []int
	for i, v := range flat {
		if v-v != 0 && (len(rows) == 0 || rows[len(rows)-1] != i/width) { // v-v is NaN for NaN and ±Inf
			rows = append(rows, i/width)
		}
	}
	return rows
}

// rowsXY checks and copies Fit's, Evaluate's and Gradients' x and y.
func (m *Model) rowsXY(xs, ys *tensors.Tensor) (x, y [][]float32, err error) {
	if x, err = m.imageRows(xs); err != nil {
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

// imageRows checks that the images xs are laid out as the model takes them
// (checkInput) and copies them into rows of 784 values, the layout every graph
// of the model is fed (logits reshapes each row to what the first layer takes).
func (m *Model) imageRows(xs *tensors.Tensor) ([][]float32, error) {
	if err := m.checkInput(xs); err != nil {
		return nil, err
	}
	return rowsOf(xs, InputSize, "x (images)")
}

// checkInput refuses images laid out otherwise than the model's first layer
// says, as Keras does: a Conv2D with InputShape [28, 28, 1] takes
// [N, 28, 28, 1], a Dense with InputDim 784 (or a FromGraph model) [N, 784].
// Both hold the same 784 values per image, but reshaping them silently would
// hide the step the tutorial teaches (and that Keras would ask for).
func (m *Model) checkInput(xs *tensors.Tensor) error {
	want, first := []int{InputSize}, "the model's graph function"
	if m.graphFn == nil && len(m.layers) > 0 {
		in, err := inputShape(m.layers[0])
		if err != nil {
			return nil // building the model reports it
		}
		want, first = in, "the model's first layer, "+m.layers[0].kerasName()+","
	}
	if xs == nil {
		return nil // rowsOf says so
	}
	got := xs.Shape().Dimensions
	if len(got) == len(want)+1 && slices.Equal(got[1:], want) {
		return nil
	}
	if len(want) == 1 {
		return fmt.Errorf("x (images) has shape %v, but %s takes rows of %d pixels, [N, %d]: "+
			"flatten the images with mnistlib.Reshape2D (Keras: x.reshape(N, %d)), or prepare them with mnistlib.LoadPrepared(mnistlib.KindMLP)",
			got, first, InputSize, InputSize, InputSize)
	}
	return fmt.Errorf("x (images) has shape %v, but %s takes %d×%d×1 images, [N, %d, %d, 1], as its InputShape says: "+
		"reshape the images with mnistlib.Reshape4D (Keras: x.reshape(N, %d, %d, 1)), or prepare them with mnistlib.LoadPrepared(mnistlib.KindCNN)",
		got, first, ImageSize, ImageSize, ImageSize, ImageSize, ImageSize, ImageSize)
}

// Kind says which layout of the images the model takes, in Prepare's words:
// KindCNN when its first layer says InputShape [28, 28, 1], KindMLP ([N, 784])
// otherwise. Code that feeds several models the same images uses it to pick
// Reshape4D or Reshape2D.
func (m *Model) Kind() string {
	if m.graphFn == nil && len(m.layers) > 0 && len(m.layers[0].input()) == 3 {
		return KindCNN
	}
	return KindMLP
}

// kerasDuration formats an epoch time as Keras does: "2s", or "850ms" under a second.
func kerasDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.0fs", d.Seconds())
}
