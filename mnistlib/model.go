package mnistlib

// The models: a multilayer perceptron and a convolutional network, defined the
// way the tutorial's Keras Sequential code reads.

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// Image geometry and number of classes of MNIST.
const (
	ImageSize  = 28
	InputSize  = ImageSize * ImageSize
	NumClasses = 10
)

// Model kinds.
const (
	KindMLP = "mlp"
	KindCNN = "cnn"
)

// Kernel initializers.
const (
	InitNormal        = "normal"         // Keras 'normal': N(0, 0.05²)
	InitGlorotUniform = "glorot_uniform" // Keras' default for Dense and Conv2D
)

// Config describes a model. It is saved next to the weights, so a checkpoint knows
// which model it holds.
type Config struct {
	Kind string `json:"kind"` // KindMLP or KindCNN

	// Units of the hidden Dense layers: 256 for the MLP, 128 for the CNN's dense layer.
	Units int `json:"units"`
	// HiddenLayers is the number of hidden Dense(Units, relu) layers of the MLP (1 in Keras' example).
	HiddenLayers int `json:"hidden_layers,omitempty"`
	// Dropout rate: after every hidden Dense layer of the MLP, before the output of the CNN. 0 disables it.
	Dropout float64 `json:"dropout"`

	// Filters of the CNN's Conv2D layers, one conv(relu)+2×2 max-pool block per entry.
	Filters []int `json:"filters,omitempty"`
	// KernelSize of the CNN's Conv2D layers ('same' padding).
	KernelSize int `json:"kernel_size,omitempty"`

	KernelInit   string  `json:"kernel_init"` // InitNormal or InitGlorotUniform; biases start at zero.
	LearningRate float64 `json:"learning_rate"`
	// Seed fixes initial weights, dropout masks and the shuffling of training rows.
	Seed int64 `json:"seed"`

	// StockOps makes the CNN use GoMLX's generic layers.Convolution and graph.MaxPool
	// instead of Conv2DSame and MaxPool2x2 (same weights, ~7× slower on the "go" backend).
	StockOps bool `json:"stock_ops,omitempty"`
}

// MLPConfig is Keras' example MLP: 784 → Dense(256, relu) → Dense(10, softmax).
func MLPConfig() Config {
	return Config{Kind: KindMLP, Units: 256, HiddenLayers: 1, KernelInit: InitNormal, LearningRate: 0.001, Seed: 1}
}

// CNNConfig is Keras' example CNN: Conv2D(16, 5×5, same, relu) → MaxPool 2×2 → Flatten →
// Dense(128, relu) → Dropout(0.5) → Dense(10, softmax).
func CNNConfig() Config {
	return Config{Kind: KindCNN, Units: 128, Dropout: 0.5, Filters: []int{16}, KernelSize: 5,
		KernelInit: InitGlorotUniform, LearningRate: 0.001, Seed: 1}
}

// DeepCNNConfig is CNNConfig with a second conv/pool block (32 filters).
func DeepCNNConfig() Config {
	c := CNNConfig()
	c.Filters = []int{16, 32}
	return c
}

// Validate reports the first problem of the configuration.
func (c Config) Validate() error {
	switch {
	case c.Kind != KindMLP && c.Kind != KindCNN:
		return fmt.Errorf("model kind %q: want %q or %q", c.Kind, KindMLP, KindCNN)
	case c.Units <= 0:
		return fmt.Errorf("%s: units must be positive, got %d", c.Kind, c.Units)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("%s: dropout must be in [0, 1), got %g", c.Kind, c.Dropout)
	case c.KernelInit != InitNormal && c.KernelInit != InitGlorotUniform:
		return fmt.Errorf("%s: kernel_init %q: want %q or %q", c.Kind, c.KernelInit, InitNormal, InitGlorotUniform)
	case c.LearningRate <= 0:
		return fmt.Errorf("%s: learning rate must be positive, got %g", c.Kind, c.LearningRate)
	}
	if c.Kind == KindMLP && c.HiddenLayers < 1 {
		return fmt.Errorf("mlp: needs at least 1 hidden layer, got %d", c.HiddenLayers)
	}
	if c.Kind == KindCNN {
		if len(c.Filters) == 0 {
			return errors.New("cnn: needs at least one entry in filters")
		}
		if c.KernelSize <= 0 || c.KernelSize > ImageSize {
			return fmt.Errorf("cnn: kernel size must be in 1..%d, got %d", ImageSize, c.KernelSize)
		}
		size := ImageSize
		for i, f := range c.Filters {
			if f <= 0 {
				return fmt.Errorf("cnn: filters[%d] must be positive, got %d", i, f)
			}
			if size /= 2; size == 0 {
				return fmt.Errorf("cnn: %d conv/pool blocks shrink the 28×28 image to nothing", len(c.Filters))
			}
		}
	}
	return nil
}

// Model is a configured network with its weights, ready to Fit, Evaluate and Predict.
// A Model is not safe for concurrent use.
type Model struct {
	Config  Config
	History History // all epochs trained so far, across Fit calls and Save/Load
	Fitted  FitParams

	// Out receives the Keras verbose=2 lines of Fit ("Epoch 1/10", "240/240 - 2s - loss: ...").
	// Set it to nil (or io.Discard) for silence. New sets it to Messages (os.Stdout).
	Out io.Writer
	// Progress draws a bar within each epoch; New sets DefaultProgress(), nil hides it.
	Progress Progress

	backend compute.Backend
	store   *model.Store
	// feedPatches: the data feed cuts the CNN's input into 5×5 patches in Go,
	// so the first convolution needs no Slice/Concatenate in the graph. That
	// is what the pure-Go backend is slow at; XLA does it fast itself.
	feedPatches bool
	trainer     *train.Trainer
	evalExec    *model.Exec // (x, y) -> (sum of losses, number correct)
	probExec    *model.Exec // x -> softmax probabilities
}

var (
	// sequentialBackend runs one op at a time. The stock convolution of the "go" backend
	// (compute v0.1.6) deadlocks when two convolutions run concurrently and take all the
	// workers (seen on 2 cores: each waits in workerspool.WaitToStart for a free worker),
	// which happens in the backward pass of a 2-conv model or a gradient test.
	sequentialBackend = sync.OnceValues(func() (compute.Backend, error) { return gobackend.New("ops_sequential") })
)

// New builds a model from cfg with freshly initialized weights (fixed by cfg.Seed).
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	getBackend := Backend
	if cfg.StockOps {
		getBackend = sequentialBackend
	}
	backend, err := getBackend()
	if err != nil {
		return nil, err
	}
	cfg.Filters = append([]int(nil), cfg.Filters...)
	m := &Model{Config: cfg, Out: Messages, Progress: DefaultProgress(), backend: backend, store: model.NewStore()}
	m.feedPatches = cfg.Kind == KindCNN && !cfg.StockOps && !strings.HasPrefix(backend.Name(), "xla")
	if err := m.store.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, err
	}
	m.probExec, err = model.NewExec(backend, m.store, func(scope *model.Scope, x *Node) *Node {
		return Softmax(m.logits(scope, x))
	})
	if err != nil {
		return nil, err
	}
	m.evalExec, err = model.NewExec(backend, m.store, func(scope *model.Scope, x, y *Node) (*Node, *Node) {
		logits := m.logits(scope, x)
		lossSum := ReduceAllSum(Neg(Mul(y, LogSoftmax(logits))))
		return lossSum, ReduceAllSum(correct(y, logits))
	})
	if err != nil {
		return nil, err
	}
	// Build the graph once on a single blank image: it creates the variables and initializes them.
	if _, err := m.predict([][]float32{make([]float32, InputSize)}); err != nil {
		return nil, err
	}
	return m, nil
}

// logits builds the network on x [batch, 784] and returns the logits [batch, 10].
// Variable names (under the root scope):
//
//	MLP: /dense_0/dense/{weights,biases} ... /dense_out/dense/{weights,biases}
//	CNN: /conv_0/conv/{weights,biases} ... /dense_0/dense/..., /dense_out/dense/...
func (m *Model) logits(scope *model.Scope, x *Node) *Node {
	cfg := m.Config
	scope = scope.WithInitializer(kernelInitializer(m.store, cfg.KernelInit))
	if m.feedPatches {
		if x.Rank() != 4 || x.Shape().Dimensions[3] != cfg.KernelSize*cfg.KernelSize {
			panic(fmt.Sprintf("model input must be patches [batch, 28, 28, %d], got %s", cfg.KernelSize*cfg.KernelSize, x.Shape()))
		}
	} else if x.Rank() != 2 || x.Shape().Dimensions[1] != InputSize {
		panic(fmt.Sprintf("model input must be [batch, %d], got %s", InputSize, x.Shape()))
	}
	batch := x.Shape().Dimensions[0]
	switch cfg.Kind {
	case KindMLP:
		for i := range cfg.HiddenLayers {
			x = activation.Relu(layers.Dense(scope.In("dense_%d", i), x, true, cfg.Units))
			x = layers.DropoutStatic(scope, x, cfg.Dropout)
		}
	case KindCNN:
		if !m.feedPatches {
			x = Reshape(x, batch, ImageSize, ImageSize, 1) // NHWC, as Keras.
		}
		for i, filters := range cfg.Filters {
			convScope := scope.In("conv_%d", i)
			if i == 0 && m.feedPatches {
				x = convBlockOnPatches(convScope, x, filters, cfg.KernelSize)
			} else if cfg.StockOps {
				x = layers.Convolution(convScope, x).Filters(filters).KernelSize(cfg.KernelSize).PadSame().Done()
				x = MaxPool(activation.Relu(x)).Window(2).Done()
			} else {
				x = convBlock(convScope, x, filters, cfg.KernelSize)
			}
		}
		x = Reshape(x, batch, -1) // Flatten
		x = activation.Relu(layers.Dense(scope.In("dense_0"), x, true, cfg.Units))
		x = layers.DropoutStatic(scope, x, cfg.Dropout)
	}
	return layers.Dense(scope.In("dense_out"), x, true, NumClasses)
}

// convBlock is Conv2D(filters, kernelSize, 'same', relu) followed by a 2×2 max pool.
// It creates the kernel and bias variables with the names and shapes layers.Convolution
// uses, so checkpoints do not depend on Config.StockOps.
//
// It pools before adding the bias and applying relu, which gives the same values
// (max(x)+b = max(x+b), and relu is monotonic) on a tensor 4× smaller: fewer passes over
// the largest activation in both the forward and the backward pass.
func convBlock(scope *model.Scope, x *Node, filters, kernelSize int) *Node {
	scope = scope.In("conv")
	g, dtype := x.Graph(), x.DType()
	inChannels := x.Shape().Dimensions[3]
	kernel := scope.VariableWithShape("weights", shapes.Make(dtype, kernelSize, kernelSize, inChannels, filters))
	bias := scope.VariableWithShape("biases", shapes.Make(dtype, filters))
	x = MaxPool2x2(Conv2DSame(x, kernel.NodeValue(g), nil))
	x = Add(x, Reshape(bias.NodeValue(g), 1, 1, 1, filters))
	return activation.Relu(x)
}

// convBlockOnPatches is convBlock for the first layer when the data feed has
// already cut the image into its kernelSize² patches ([N, H, W, k²], see
// gatherPatches): the convolution is then a single matrix product. It makes
// the same variables as convBlock.
func convBlockOnPatches(scope *model.Scope, patches *Node, filters, kernelSize int) *Node {
	scope = scope.In("conv")
	g, dtype := patches.Graph(), patches.DType()
	kernel := scope.VariableWithShape("weights", shapes.Make(dtype, kernelSize, kernelSize, 1, filters))
	bias := scope.VariableWithShape("biases", shapes.Make(dtype, filters))
	d := patches.Shape().Dimensions
	x := MatMul(Reshape(patches, d[0]*d[1]*d[2], d[3]), Reshape(kernel.NodeValue(g), d[3], filters))
	x = MaxPool2x2(Reshape(x, d[0], d[1], d[2], filters))
	x = Add(x, Reshape(bias.NodeValue(g), 1, 1, 1, filters))
	return activation.Relu(x)
}

// kernelInitializer returns the weights initializer; biases (rank ≤ 1) start at zero.
// It draws from the store's random state, so the seed fixes the initial weights.
func kernelInitializer(store *model.Store, name string) model.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		if shape.Rank() <= 1 || !shape.DType.IsFloat() {
			return Zeros(g, shape)
		}
		if name == InitGlorotUniform {
			receptive := 1
			for _, d := range shape.Dimensions[:shape.Rank()-2] {
				receptive *= d
			}
			fanIn := receptive * shape.Dimensions[shape.Rank()-2]
			fanOut := receptive * shape.Dimensions[shape.Rank()-1]
			limit := math.Sqrt(6 / float64(fanIn+fanOut))
			u := store.RandomUniform(g, shape)
			return AddScalar(MulScalar(u, 2*limit), -limit)
		}
		return MulScalar(store.RandomNormal(g, shape), 0.05)
	}
}

// correct returns 1 for each row where argmax(logits) is the labeled (one-hot) class, else 0.
func correct(oneHot, logits *Node) *Node {
	hit := Equal(ArgMax(logits, -1, dtypes.Int32), ArgMax(oneHot, -1, dtypes.Int32))
	return ConvertDType(hit, logits.DType())
}

// NumParams is the number of trainable weights.
func (m *Model) NumParams() int {
	n := 0
	for v := range m.store.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}
