package mnistlib

// What the notebooks share: the environment variables the library reads,
// quick mode, the tutorial's preprocessing in one call, and a short way to stop
// a cell on an error.

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-mnist/workbook/internal/canvas"
)

// The environment variables the library reads (scripts/env.sh sets some for
// the notebooks), named here once.
const (
	// EnvQuick puts every notebook in quick mode (set and not "0"): a slice of
	// the data and at most two epochs, for tests.
	EnvQuick = "WORKBOOK_QUICK"
	// EnvCheckpoints names the folder of the notebooks' checkpoints (see
	// CheckpointDir): GoNB runs every cell as a new program, so a trained model
	// reaches later cells only through its checkpoint.
	EnvCheckpoints = "WORKBOOK_CHECKPOINTS"
	// EnvCache names the folder where fetched copies of the data sets are kept
	// (see NewLoader).
	EnvCache = "MNIST_CACHE"
	// envMNISTDir and envFashionMNISTDir name a folder of the user's holding
	// MNIST or Fashion-MNIST (Dataset.EnvDir): when set, only it is read.
	envMNISTDir        = "MNIST_DIR"
	envFashionMNISTDir = "FASHION_MNIST_DIR"
	// envLang chooses the language of labels and messages (see Language);
	// envGoNBDir is where GoNB says the notebook is (notebooks/zh: Chinese).
	envLang    = "WORKBOOK_LANG"
	envGoNBDir = "GONB_DIR"
	// envCJKFont names a font file with Chinese glyphs for the labels; the
	// canvas the pictures are drawn on reads it (internal/canvas).
	envCJKFont = canvas.EnvCJKFont
	// EnvJupyterSession is set by a Jupyter server for a kernel it starts for
	// an open notebook (the pad and the sliders may find a browser there);
	// nbconvert and other headless runners leave it unset.
	EnvJupyterSession = "JPY_SESSION_NAME"
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
	if data == nil {
		return nil, errors.New("prepare: no data (nil)")
	}
	train, test := data.Train, data.Test
	if Quick() {
		train, test = train.head(quickTrainRows), test.head(quickTestRows)
	}
	// Reshape2D/Reshape4D and Normalize in one pass: a rerun of a cell pays for it.
	xTrain := normalizedPixels(train.Images, inputDims(kind, train.Images.N)...)
	xTest := normalizedPixels(test.Images, inputDims(kind, test.Images.N)...)
	return &Prepared{
		XTrain: xTrain, YTrain: ToCategorical(train.Labels, NumClasses),
		XTest: xTest, YTest: ToCategorical(test.Labels, NumClasses),
		TestImages: test.Images, TestLabels: test.Labels,
	}, nil
}

// inputDims is the shape of n images as a model of the kind takes them:
// [n, 784] (Reshape2D) for an MLP, [n, 28, 28, 1] (Reshape4D) for a CNN.
func inputDims(kind string, n int) []int {
	if kind == KindCNN {
		return []int{n, ImageSize, ImageSize, 1}
	}
	return []int{n, InputSize}
}

// head returns the first n images and labels (all of them if fewer).
func (s Subset) head(n int) Subset {
	n = min(n, s.Images.N)
	return Subset{Images: s.Images.Slice(0, n), Labels: s.Labels[:n]}
}

// LoadPrepared is LoadData followed by Prepare.
func LoadPrepared(kind string) (*Prepared, error) {
	data, err := LoadData()
	if err != nil {
		return nil, err
	}
	return Prepare(data, kind)
}

// Check stops the program (a notebook cell) with the error's message, if there
// is one: a cell reads as the tutorial's lines, without an if per call. A
// *SaveError (Fit trained the model but could not save it) is printed as a
// warning instead, and the cell goes on with the trained model.
func Check(err error) {
	var saveErr *SaveError
	if errors.As(err, &saveErr) {
		fmt.Fprintln(warnings, "warning:", err)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
}

// warnings receives what Check prints and lets the cell go on after.
var warnings io.Writer = os.Stderr

// Must returns v, or stops the program with err's message: Must(LoadData()).
// Like Check, it returns v after printing a *SaveError: Must(model.Fit(...))
// keeps the trained model when only its save failed.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// orDefault returns v, or def when v is zero or negative.
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
