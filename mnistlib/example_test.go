package mnistlib_test

// Examples of the calls the notebooks make, in the tutorial's order: load the
// data, prepare it, build the MLP and the CNN, train, evaluate, predict, load a
// checkpoint, read a picture of a digit. `go test` runs them and checks what
// they print; `go doc -http` shows them beside the functions they use.
//
// They train on the first 5000 training images for 2 epochs (a few seconds),
// where the notebooks train on 48000 for 10, so they print only what does not
// depend on the machine or the backend: shapes, parameter counts, predicted
// digits, and accuracies compared with a bound well below what such a model
// reaches (about 0.89).

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gonb-mnist/workbook/mnistlib"
)

// TestExampleData fills the MNIST cache, if it is empty, before the examples
// run (go test runs every test before the examples): the fetch prints a line
// saying where the data comes from, which would spoil the first example's
// output. It fails where MNIST cannot be had, as every example needing it would.
func TestExampleData(t *testing.T) {
	loader := mnistlib.NewLoader(mnistlib.MNIST)
	loader.Log = nil
	if _, err := loader.Load(); err != nil {
		t.Fatalf("the examples need MNIST: %v", err)
	}
}

func ExampleLoadData() {
	data := mnistlib.Must(mnistlib.LoadData())
	fmt.Println("train images:", data.Train.Images.Shape(), "labels:", data.Train.Labels.Shape())
	fmt.Println("test images: ", data.Test.Images.Shape(), "labels:", data.Test.Labels.Shape())
	fmt.Println("first training label:", data.Train.Labels[0])
	fmt.Println("first test label:", data.Test.Labels[0])
	// Output:
	// train images: (60000, 28, 28) labels: (60000,)
	// test images:  (10000, 28, 28) labels: (10000,)
	// first training label: 5
	// first test label: 7
}

// LoadPrepared is LoadData with the tutorial's preprocessing: for an MLP, each
// image a row of 784 values in [0, 1], each label a one-hot row of 10.
func ExampleLoadPrepared() {
	d := mnistlib.Must(mnistlib.LoadPrepared(mnistlib.KindMLP))
	fmt.Println("x_train:", mnistlib.Shape(d.XTrain.Shape().Dimensions), " y_train:", mnistlib.Shape(d.YTrain.Shape().Dimensions))
	fmt.Println("x_test: ", mnistlib.Shape(d.XTest.Shape().Dimensions), " y_test: ", mnistlib.Shape(d.YTest.Shape().Dimensions))
	// Output:
	// x_train: (60000, 784)  y_train: (60000, 10)
	// x_test:  (10000, 784)  y_test:  (10000, 10)
}

// For a CNN, each image keeps its 28×28 grid, with one channel.
func ExampleLoadPrepared_cnn() {
	d := mnistlib.Must(mnistlib.LoadPrepared(mnistlib.KindCNN))
	fmt.Println("x_train:", mnistlib.Shape(d.XTrain.Shape().Dimensions), " y_train:", mnistlib.Shape(d.YTrain.Shape().Dimensions))
	fmt.Println("x_test: ", mnistlib.Shape(d.XTest.Shape().Dimensions), " y_test: ", mnistlib.Shape(d.YTest.Shape().Dimensions))
	// Output:
	// x_train: (60000, 28, 28, 1)  y_train: (60000, 10)
	// x_test:  (10000, 28, 28, 1)  y_test:  (10000, 10)
}

// The tutorial's MLP, one line per Keras model.add, as notebook 04 writes it.
func ExampleNewSequential() {
	model := mnistlib.NewSequential()
	model.Add(mnistlib.Dense{Units: 256, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
	model.Add(mnistlib.Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	for _, layer := range mnistlib.Must(model.LayerSummaries()) {
		fmt.Printf("%-8s %-6s output %v, %d parameters\n", layer.Name, layer.Type, layer.OutputShape, layer.Params)
	}
	fmt.Println("in all:", model.NumParams(), "parameters")
	// Output:
	// dense    Dense  output [256], 200960 parameters
	// dense_1  Dense  output [10], 2570 parameters
	// in all: 203530 parameters
}

// The tutorial's CNN, as notebook 08 writes it.
func ExampleNewSequential_cnn() {
	model := mnistlib.NewSequential()
	model.Add(mnistlib.Conv2D{Filters: 16, KernelSize: [2]int{5, 5}, Padding: "same", InputShape: []int{28, 28, 1}, Activation: "relu"})
	model.Add(mnistlib.MaxPooling2D{PoolSize: [2]int{2, 2}})
	model.Add(mnistlib.Flatten{})
	model.Add(mnistlib.Dense{Units: 128, KernelInitializer: "normal", Activation: "relu"})
	model.Add(mnistlib.Dropout{Rate: 0.5})
	model.Add(mnistlib.Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	for _, layer := range mnistlib.Must(model.LayerSummaries()) {
		fmt.Printf("%-14s %-13s output %v, %d parameters\n", layer.Name, layer.Type, layer.OutputShape, layer.Params)
	}
	fmt.Println("in all:", model.NumParams(), "parameters")
	// Output:
	// conv2d         Conv2D        output [28 28 16], 416 parameters
	// max_pooling2d  MaxPooling2D  output [14 14 16], 0 parameters
	// flatten        Flatten       output [3136], 0 parameters
	// dense          Dense         output [128], 401536 parameters
	// dropout        Dropout       output [128], 0 parameters
	// dense_1        Dense         output [10], 1290 parameters
	// in all: 403242 parameters
}

// TutorialMLP is the model of ExampleNewSequential in one call, and
// TutorialFit the tutorial's model.fit options.
func ExampleTutorialMLP() {
	model := mnistlib.TutorialMLP()
	fmt.Println("input:", model.Kind(), " layers:", len(model.Layers()), " parameters:", model.NumParams())
	fit := mnistlib.TutorialFit("mlp")
	fmt.Printf("fit: %d epochs, batches of %d, validation split %g, checkpoint %q\n",
		fit.Epochs, fit.BatchSize, fit.ValidationSplit, fit.Checkpoint)
	// Output:
	// input: mlp  layers: 2  parameters: 203530
	// fit: 10 epochs, batches of 200, validation split 0.2, checkpoint "mlp"
}

// TutorialCNN is the model of ExampleNewSequential_cnn in one call;
// TutorialCNN(false) leaves out its Dropout layer.
func ExampleTutorialCNN() {
	model := mnistlib.TutorialCNN(true)
	fmt.Println("input:", model.Kind(), " layers:", len(model.Layers()), " parameters:", model.NumParams())
	fmt.Println("without dropout:", len(mnistlib.TutorialCNN(false).Layers()), "layers")
	// Output:
	// input: cnn  layers: 6  parameters: 403242
	// without dropout: 5 layers
}

// Summary prints the table of Keras' model.summary() to model.Out;
// SummaryString returns it. (The example trims the spaces that pad the last
// column, which an Output check cannot show.)
func ExampleModel_Summary() {
	model := mnistlib.TutorialMLP()
	table := mnistlib.Must(model.SummaryString()) // what model.Summary() prints
	for line := range strings.Lines(table) {
		fmt.Println(strings.TrimRight(line, " \n"))
	}
	// Output:
	// Model: "sequential"
	// ____________________________________________________________________
	//  Layer (type)                   Output Shape              Param #
	// ====================================================================
	//  dense (Dense)                  (None, 256)               200960
	//
	//  dense_1 (Dense)                (None, 10)                2570
	// ====================================================================
	// Total params: 203,530
	// Trainable params: 203,530
	// Non-trainable params: 0
	// ____________________________________________________________________
}

// Fit is Keras' model.fit. Notebook 04 trains on the 60000 training images
// (48000, after the validation split) for 10 epochs with batches of 200; here
// the first 5000 images and 2 epochs keep it quick.
func ExampleModel_Fit() {
	data := mnistlib.Must(mnistlib.LoadData())
	x := mnistlib.Must(mnistlib.Normalize(mnistlib.Reshape2D(data.Train.Images.Slice(0, 5000))))
	y := mnistlib.ToCategorical(data.Train.Labels[:5000], 10)

	model := mnistlib.TutorialMLP()
	model.Compile("categorical_crossentropy", "adam", "accuracy")
	model.Out = nil // no "Epoch 1/2" lines: their times change from run to run
	history := mnistlib.Must(model.Fit(x, y, mnistlib.FitOptions{ValidationSplit: 0.2, Epochs: 2, BatchSize: 32}))

	fmt.Println("epochs:", len(history.Loss))
	fmt.Println("loss went down:", history.Loss[1] < history.Loss[0])
	fmt.Println("val_accuracy above 0.8:", history.ValAccuracy[1] > 0.8)
	// Output:
	// epochs: 2
	// loss went down: true
	// val_accuracy above 0.8: true
}

// Evaluate is Keras' model.evaluate: the loss and the accuracy on the test set.
func ExampleModel_Evaluate() {
	data := mnistlib.Must(mnistlib.LoadData())
	model := mnistlib.TutorialMLP()
	model.Out = nil
	x := mnistlib.Must(mnistlib.Normalize(mnistlib.Reshape2D(data.Train.Images.Slice(0, 5000))))
	y := mnistlib.ToCategorical(data.Train.Labels[:5000], 10)
	mnistlib.Must(model.Fit(x, y, mnistlib.FitOptions{Epochs: 2, BatchSize: 32}))

	xTest := mnistlib.Must(mnistlib.Normalize(mnistlib.Reshape2D(data.Test.Images)))
	yTest := mnistlib.ToCategorical(data.Test.Labels, 10)
	loss, accuracy, err := model.Evaluate(xTest, yTest)
	mnistlib.Check(err)
	fmt.Println("test loss below 1:", loss < 1)
	fmt.Println("test accuracy above 0.8:", accuracy > 0.8)
	// Output:
	// test loss below 1: true
	// test accuracy above 0.8: true
}

// Predict is Keras' model.predict: ten probabilities per image, the largest
// the predicted digit (Argmax).
func ExampleModel_Predict() {
	data := mnistlib.Must(mnistlib.LoadData())
	model := mnistlib.TutorialMLP()
	model.Out = nil
	x := mnistlib.Must(mnistlib.Normalize(mnistlib.Reshape2D(data.Train.Images.Slice(0, 5000))))
	y := mnistlib.ToCategorical(data.Train.Labels[:5000], 10)
	mnistlib.Must(model.Fit(x, y, mnistlib.FitOptions{Epochs: 2, BatchSize: 32}))

	one := data.Test.Images.Slice(0, 1) // the first test image, as a set of one
	probs := mnistlib.Must(model.Predict(mnistlib.Must(mnistlib.Normalize(mnistlib.Reshape2D(one)))))
	sum := float32(0)
	for _, p := range probs[0] {
		sum += p
	}
	fmt.Printf("%d probabilities, adding up to %.2f\n", len(probs[0]), sum)
	fmt.Printf("predicted digit (argmax): %d, true label: %d\n", mnistlib.Argmax(probs)[0], data.Test.Labels[0])
	// Output:
	// 10 probabilities, adding up to 1.00
	// predicted digit (argmax): 7, true label: 7
}

// A notebook runs every cell as a new program: the cell that trains a model
// saves it in a checkpoint, later cells load it by name. Checkpoints live in
// CheckpointDir(): $WORKBOOK_CHECKPOINTS, or "checkpoints" beside the
// notebook. Fit saves one with its Checkpoint option; model.Save does too.
func ExampleLoadCheckpoint() {
	// This example keeps its checkpoints in a temporary folder.
	dir, err := os.MkdirTemp("", "checkpoints-")
	mnistlib.Check(err)
	defer os.RemoveAll(dir)
	defer os.Setenv(mnistlib.EnvCheckpoints, os.Getenv(mnistlib.EnvCheckpoints))
	os.Setenv(mnistlib.EnvCheckpoints, dir)

	// The cell that trains.
	data := mnistlib.Must(mnistlib.LoadData())
	model := mnistlib.TutorialMLP()
	model.Out = nil
	x := mnistlib.Must(mnistlib.Normalize(mnistlib.Reshape2D(data.Train.Images.Slice(0, 5000))))
	y := mnistlib.ToCategorical(data.Train.Labels[:5000], 10)
	mnistlib.Must(model.Fit(x, y, mnistlib.FitOptions{Epochs: 2, BatchSize: 32}))
	mnistlib.Check(model.Save(filepath.Join(mnistlib.CheckpointDir(), "mlp")))

	// A later cell: the trained model, by name, and a picture to read.
	loaded := mnistlib.Must(mnistlib.LoadCheckpoint("mlp"))
	fmt.Printf("loaded %q: %d parameters, trained for %d epochs on %d images\n",
		"mlp", loaded.NumParams(), len(loaded.History.Loss), loaded.Fitted.Rows)
	digit := mnistlib.Must(mnistlib.ReadDigit("testdata/examples/9.bmp"))
	x9 := mnistlib.Must(mnistlib.Normalize(mnistlib.Reshape2D(mnistlib.Images{N: 1, Rows: 28, Cols: 28, Pix: digit.Pix})))
	probs := mnistlib.Must(loaded.Predict(x9))
	fmt.Println("9.bmp → predicted digit:", mnistlib.Argmax(probs)[0])
	before := mnistlib.Must(model.Predict(x9))
	fmt.Println("the same probabilities as the model it saved:", slices.Equal(probs[0], before[0]))
	// Output:
	// loaded "mlp": 203530 parameters, trained for 2 epochs on 5000 images
	// 9.bmp → predicted digit: 9
	// the same probabilities as the model it saved: true
}

// ReadDigit turns a picture (BMP, PNG or JPEG) into a 28×28 MNIST input. The
// tutorial's 9.bmp is 28×28 already, white ink on black: it is kept as it is.
// Here its pixels are drawn as text: '#' for bright, '+' for dim, '.' for black.
func ExampleReadDigit() {
	digit := mnistlib.Must(mnistlib.ReadDigit("testdata/examples/9.bmp"))
	fmt.Println(digit.Rows, "×", digit.Cols)
	for r := range digit.Rows {
		for c := range digit.Cols {
			switch p := digit.At(r, c); {
			case p >= 128:
				fmt.Print("#")
			case p > 0:
				fmt.Print("+")
			default:
				fmt.Print(".")
			}
		}
		fmt.Println()
	}
	// Output:
	// 28 × 28
	// ............................
	// ............................
	// ............................
	// ............................
	// ............................
	// ............................
	// ...........+##+.............
	// ..........+###+.............
	// .........+#####+............
	// .........#######++..........
	// ........+########+..........
	// ........+##.++####+.........
	// ........+#+...####+.........
	// ........###...####..........
	// ........+##++#####+.........
	// ........+######+###.........
	// .........+####+.###+........
	// ..........+##+..+###........
	// .................+##+.......
	// .................+##+.......
	// ..................+##+......
	// ...................+##+.....
	// ...................+##+.....
	// ....................+##.....
	// .....................##+....
	// .....................+#+....
	// ............................
	// ............................
}

// FuncSource is the code that ShowCode shows in a notebook: a function of the
// library as it is compiled, its doc comment included. SoftmaxByHand's loops:
func ExampleFuncSource() {
	src, err := mnistlib.FuncSource("SoftmaxByHand")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("mnistlib/" + src.File)
	for _, line := range strings.Split(src.Text, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "func ") || strings.HasPrefix(line, "for ") {
			fmt.Println(line)
		}
	}
	_, err = mnistlib.FuncSource("SoftmaxByHead")
	fmt.Println(err)
	// Output:
	// mnistlib/byhand.go
	// func SoftmaxByHand(scores []float32) []float32 {
	// for _, s := range scores {
	// for i, s := range scores {
	// for i := range probs {
	// source of SoftmaxByHead: no function or method of that name in byhand.go
}
