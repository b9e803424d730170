package mnistlib

// What the notebooks share: quick mode, the tutorial's preprocessing in one
// call, where checkpoints go (GoNB runs every cell as a new program, so a
// trained model reaches later cells only through its checkpoint), and a
// short way to stop a cell on an error.

import (
	"errors"
	"fmt"
	"io"
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

// checkpointPath is the folder of the checkpoint called name (Fit's Checkpoint
// option, LoadCheckpoint) in CheckpointDir(). A name is one folder name, so that
// every checkpoint, its lock file and its backups stay inside that folder
// ("../../x" would save outside it); model.Save(folder) and Load(folder) take
// any folder.
func checkpointPath(name string) (string, error) {
	if name == "" || strings.HasPrefix(name, ".") || strings.ContainsAny(name, `/\:`+"\x00") || filepath.Base(name) != name {
		return "", fmt.Errorf(`checkpoint name %q: a name is one folder name inside %s, like "mlp" or "cnn_2": no "/", "\\" or ":", not starting with "."; to keep a model elsewhere, use model.Save(folder) and mnistlib.Load(folder)`,
			name, displayPath(CheckpointDir()))
	}
	return filepath.Join(CheckpointDir(), name), nil
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
