package mnistlib

// The model: a Keras-style Sequential list of layers (or a GoMLX graph function),
// built into GoMLX graphs the first time it is used.

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// Input layouts the tutorial's preprocessing gives each kind of model.
const (
	KindMLP = "mlp" // [N, 784]
	KindCNN = "cnn" // [N, 28, 28, 1]
)

// GraphFunc is a model written directly as a GoMLX graph: it maps a batch of
// images x [batch, 784] to the ten logits of each [batch, 10] (the softmax is
// applied by the loss and by Predict).
type GraphFunc func(scope *model.Scope, x *Node) *Node

// Model is a network with its weights, ready to Fit, Evaluate and Predict, like
// a Keras model. A Model is not safe for concurrent use.
type Model struct {
	// Seed fixes the initial weights, the dropout masks and the shuffling of the
	// training rows (1 unless set before the model is first used).
	Seed int64
	// LearningRate is Adam's step size, 0.001 as Keras' "adam".
	LearningRate float64

	History History   // all epochs trained so far, across Fit calls and Save/Load
	Fitted  FitParams // how those epochs were trained

	// Out receives the Keras verbose=2 lines of Fit ("Epoch 1/10", "240/240 - 2s - loss: ...")
	// and Summary. Set it to nil (or io.Discard) for silence. It starts as Messages.
	Out io.Writer
	// Progress draws a bar within each epoch; it starts as DefaultProgress(), nil hides it.
	Progress Progress

	layers  []Layer
	graphFn GraphFunc
	err     error // the first mistake made by Add or Compile, reported when the model is built

	input   []int   // what the first layer takes: [784] or [28, 28, 1]
	outputs [][]int // each layer's output shape, without the batch axis
	names   []string

	backend  compute.Backend
	store    *model.Store
	trainer  *train.Trainer
	evalExec *model.Exec // (x, y) -> (sum of losses, number correct)
	probExec *model.Exec // x -> softmax probabilities
	gradExec *model.Exec // (x, y) -> loss, then its gradient for each weight (learn.go)
	gradVars []gradVar   // whose weights each gradient of gradExec is
}

// NewSequential starts an empty model, like Keras' Sequential(): add its
// layers with Add, one line per layer.
func NewSequential() *Model {
	return &Model{Seed: 1, LearningRate: 0.001, Out: Messages, Progress: DefaultProgress()}
}

// FromGraph makes a model of a GoMLX graph function, trained and used like
// a Sequential one.
func FromGraph(fn GraphFunc) *Model {
	m := NewSequential()
	m.graphFn, m.input = fn, []int{InputSize}
	return m
}

// Add appends a layer, like Keras' model.add. Mistakes are reported by the
// first call that builds the model (Summary, Fit, Predict, ...).
func (m *Model) Add(l Layer) {
	if m.store != nil && m.err == nil {
		m.err = errors.New("model.Add after the model was built: add every layer before Summary, Fit or Predict")
	}
	m.layers = append(m.layers, l)
}

// Layers returns a copy of the model's layers.
func (m *Model) Layers() []Layer { return slices.Clone(m.layers) }

// Compile checks the training recipe, like Keras' model.compile. The workbook
// trains with what the tutorial uses: loss "categorical_crossentropy",
// optimizer "adam" (at LearningRate), metric "accuracy"; Fit uses them even
// without Compile.
func (m *Model) Compile(loss, optimizer string, metrics ...string) {
	switch {
	case m.err != nil:
	case loss != "categorical_crossentropy":
		m.err = fmt.Errorf(`compile: loss %q: this workbook trains with "categorical_crossentropy"`, loss)
	case optimizer != "adam":
		m.err = fmt.Errorf(`compile: optimizer %q: this workbook trains with "adam"`, optimizer)
	case slices.ContainsFunc(metrics, func(s string) bool { return s != "accuracy" }):
		m.err = fmt.Errorf(`compile: metrics %q: this workbook measures "accuracy"`, metrics)
	}
}

// build checks the layers and makes the graphs and variables, once.
func (m *Model) build() error { return m.buildWith(nil) }

// buildWith is build; preset, if not nil, fills the store before the graphs are
// first run, so that variables it gives values to are not initialized.
func (m *Model) buildWith(preset func() error) error {
	if m.err != nil || m.store != nil {
		return m.err
	}
	if err := m.check(); err != nil {
		m.err = err
		return err
	}
	if err := m.buildGraphs(preset); err != nil {
		m.err = fmt.Errorf("building the model: %w", err)
		m.store = nil
	}
	return m.err
}

// check validates the layers (or the graph function) and the hyper-parameters.
func (m *Model) check() error {
	if !(m.LearningRate > 0) || !finite(m.LearningRate) {
		return fmt.Errorf("learning rate must be a positive number, got %g", m.LearningRate)
	}
	if m.graphFn != nil {
		if len(m.layers) > 0 {
			return errors.New("a model made by FromGraph has no layers to Add")
		}
		return nil
	}
	input, outputs, err := checkLayers(m.layers)
	if err != nil {
		return err
	}
	m.input, m.outputs, m.names = input, outputs, kerasNames(m.layers)
	return nil
}

// kerasNames names the layers as Keras does: dense, dense_1, dropout, ...
func kerasNames(ls []Layer) []string {
	count := map[string]int{}
	var names []string
	for _, l := range ls {
		name := l.kerasName()
		if n := count[name]; n > 0 {
			name = fmt.Sprintf("%s_%d", name, n)
		}
		count[l.kerasName()]++
		names = append(names, name)
	}
	return names
}

func (m *Model) buildGraphs(preset func() error) (err error) {
	if m.backend, err = Backend(); err != nil {
		return err
	}
	m.store, m.gradExec = model.NewStore(), nil
	if err := m.store.SetRNGStateFromSeed(m.Seed); err != nil {
		return err
	}
	if preset != nil {
		if err := preset(); err != nil {
			return err
		}
	}
	m.probExec, err = model.NewExec(m.backend, m.store, func(scope *model.Scope, x *Node) *Node {
		return Softmax(m.logits(scope, x))
	})
	if err != nil {
		return err
	}
	m.evalExec, err = model.NewExec(m.backend, m.store, func(scope *model.Scope, x, y *Node) (*Node, *Node) {
		logits := m.logits(scope, x)
		lossSum := ReduceAllSum(Neg(Mul(y, LogSoftmax(logits))))
		isImage := ReduceSum(y, -1) // 1 for an image, 0 for evalBatch's padding
		return lossSum, ReduceAllSum(Mul(correct(y, logits), isImage))
	})
	if err != nil {
		return err
	}
	// Build the graph once on a single blank image: it creates the variables and
	// initializes those without a value.
	_, err = m.predict([][]float32{make([]float32, InputSize)})
	return err
}

// fusedConv reports whether layer i is a Conv2D that is built together with
// the MaxPooling2D after it (see convPool).
func (m *Model) fusedConv(i int) bool {
	c, ok := m.layers[i].(Conv2D)
	if !ok || i+1 >= len(m.layers) {
		return false
	}
	_, pool := m.layers[i+1].(MaxPooling2D)
	return pool && monotonic(c.Activation)
}

// logits builds the network on x [batch, 784] and returns the logits [batch, 10]. Each
// layer's variables live under its Keras name: /dense/..., /conv2d/...
func (m *Model) logits(scope *model.Scope, x *Node) *Node {
	if m.graphFn != nil {
		return m.graphFn(scope, x)
	}
	batch := x.Shape().Dimensions[0]
	x = Reshape(x, append([]int{batch}, m.input...)...)
	last := len(m.layers) - 1
	for i := 0; i <= last; i++ {
		s := scope.In("%s", m.names[i])
		dense, isDense := m.layers[i].(Dense)
		switch {
		case i == last && isDense:
			x = dense.linear(s, x) // the loss and Predict apply the softmax
		case m.fusedConv(i): // a Conv2D, and the pool after it, done here too
			x = convPool(s, m.layers[i].(Conv2D), x)
			i++
		default:
			x = m.layers[i].build(s, x)
		}
	}
	return x
}

// correct returns 1 for each row where argmax(logits) is the labeled (one-hot) class, else 0.
func correct(oneHot, logits *Node) *Node {
	hit := Equal(ArgMax(logits, -1, dtypes.Int32), ArgMax(oneHot, -1, dtypes.Int32))
	return ConvertDType(hit, logits.DType())
}

// NumParams is the number of trainable weights (0 if the model cannot be built).
func (m *Model) NumParams() int {
	if m.build() != nil {
		return 0
	}
	return m.paramsUnder("/")
}

// paramsUnder counts the trainable weights whose variable path starts with prefix.
func (m *Model) paramsUnder(prefix string) int {
	n := 0
	for v := range m.store.IterVariables() {
		if v.Trainable && strings.HasPrefix(v.Path(), prefix) {
			n += v.Shape().Size()
		}
	}
	return n
}
