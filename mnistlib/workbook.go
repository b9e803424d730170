package mnistlib

// What the notebooks share: quick mode, the tutorial's preprocessing in one
// call, where checkpoints go (GoNB runs every cell as a new program, so a
// trained model reaches later cells only through its checkpoint), and a
// short way to stop a cell on an error.

import (
	"errors"
	"log"
	"os"
	"path/filepath"
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
	if data == nil {
		return nil, errors.New("prepare: no data (nil)")
	}
	train, test := data.Train, data.Test
	if Quick() {
		train, test = train.head(quickTrainRows), test.head(quickTestRows)
	}
	dims := func(n int) []int { return []int{n, InputSize} }
	if kind == KindCNN {
		dims = func(n int) []int { return []int{n, ImageSize, ImageSize, 1} }
	}
	// Reshape2D/Reshape4D and Normalize in one pass: a rerun of a cell pays for it.
	xTrain := normalizedPixels(train.Images, dims(train.Images.N)...)
	xTest := normalizedPixels(test.Images, dims(test.Images.N)...)
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

// LoadPrepared is LoadData followed by Prepare.
func LoadPrepared(kind string) (*Prepared, error) {
	data, err := LoadData()
	if err != nil {
		return nil, err
	}
	return Prepare(data, kind)
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

// checkpointPath is where Fit's Checkpoint option saves: a relative name goes
// under CheckpointDir().
func checkpointPath(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(CheckpointDir(), name)
}

// displayPath shows a path as a reader should see it, naming no folder of the
// machine it ran on: relative to the working folder (the notebook's) when it is
// near, else under "~" when it is in the home folder.
func displayPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "../../..") {
			return rel
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		if rel, err := filepath.Rel(home, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("~", rel)
		}
	}
	return abs
}

// Check stops the program (a notebook cell) with the error's message, if there
// is one: a cell reads as the tutorial's lines, without an if per call.
func Check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// Must returns v, or stops the program with err's message: Must(LoadData()).
func Must[T any](v T, err error) T {
	Check(err)
	return v
}
