package checkpoint

// Reading a checkpoint that anybody may have edited. Its checksum guards against
// damage, not against a crafted folder (anyone who edits the files can write a
// matching one), so Load trusts nothing in it: each file is opened only if it is
// a regular file in the folder, read with a size limit, and model.json is checked
// entirely (layers, shapes, dtypes, the parameter total against weights.bin's
// size) before a single variable is made.
//
// What a checkpoint makes the program hold is bounded by the model it describes,
// before anything is read: its weights (the parameters its layers have, exactly),
// Adam's two moments of each, and a few kilobytes of counters and random state
// (StateBytes). weights.bin, that long and no longer, is hashed as a stream
// first and held in memory only once its checksum matches.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gonb-mnist/workbook/internal/safefile"
)

const (
	// MaxManifestBytes bounds model.json: the layers, the history and the list
	// of variables of any model this workbook trains take a few kilobytes.
	MaxManifestBytes = 4 << 20
	// MaxParams bounds a model's trainable parameters: 16,777,216, 64 MiB of
	// float32 and 192 MiB with Adam's two moments, so that no checkpoint a
	// load accepts makes it hold more than a few hundred MiB. The largest model
	// the workbook trains (the MLP of 1000 units in 05) has 795,010, a
	// twentieth of it; a learner's much wider edits still fit.
	MaxParams = 1 << 24
	// MaxWeightsBytes bounds any one variable, before the model's own bound
	// (StateBytes) applies, so that no product of a crafted shape overflows.
	MaxWeightsBytes int64 = 4 << 30
	MaxLayers             = 1000
	maxVariables          = 10_000
	// smallStateBytes is what a checkpoint holds besides the weights and Adam's
	// moments: the random state (24 bytes), the step counters, the learning rate
	// and each training's running mean of the loss, scalars of at most 8 bytes
	// (the fixture's models hold 56 bytes of them). 8 bytes for each variable a
	// checkpoint may list leaves room for however many trainings a model saw.
	smallStateBytes = 8 * maxVariables
)

// StateBytes is the most a checkpoint of a model with params trainable
// parameters may hold besides its weights: Adam's first and second moments,
// a float32 of the weight's shape each, and smallStateBytes. The workbook
// trains with Adam only (Compile refuses any other optimizer).
func StateBytes(params int64) int64 { return 2*4*params + smallStateBytes }

// ErrNeedsModel marks a ModelCheck's answer for a checkpoint of a model written
// as a function (ModelSpec.GraphFunction), read without a model made with that
// function: its parameters cannot be counted from the file, so it is not read.
// Read reports it as it is: the folder is not corrupt.
var ErrNeedsModel = errors.New("it holds a model written as a Go function (FromGraph)")

// savedDTypes are the dtypes a checkpoint may hold: float32 weights and
// optimizer state, integer step counters and random state.
var savedDTypes = map[dtypes.DType]bool{
	dtypes.Float32: true, dtypes.Float64: true, dtypes.Int32: true,
	dtypes.Int64: true, dtypes.Uint32: true, dtypes.Uint64: true,
}

// ModelCheck checks the parts of a manifest that are the caller's (its layers
// make a model, its history is sound) and returns the number of trainable
// parameters the model has, which the trainable variables must hold exactly:
// for a graph function's checkpoint, those of the model the caller made with
// that function, or ErrNeedsModel.
type ModelCheck func(man Manifest) (params int64, err error)

// Read reads and checks the checkpoint in dir into man, under the shared lock
// so that no Write swaps it meanwhile. It returns the weights and the folder it
// read: dir, or the backup a Write interrupted during its swap left (see
// InterruptedSwap).
func Read(dir string, man *Manifest, checkModel ModelCheck) (weights []byte, from string, err error) {
	dir = filepath.Clean(dir)
	notExist := fmt.Errorf("checkpoint %s: folder does not exist (%w)", dir, fs.ErrNotExist)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) && InterruptedSwap(dir) == "" {
		// Nothing to read: answer without making a lock file beside a folder that is not there.
		return nil, dir, notExist
	}
	// Lock only what is a checkpoint (or its backup): reading a folder of the user's
	// that is not one must leave no lock file beside it. Without the lock (a
	// read-only place, where nobody saves either) the read goes on alone; a lock
	// file that is a link or a FIFO is an error.
	if _, err := os.Lstat(filepath.Join(dir, ManifestFile)); err == nil || InterruptedSwap(dir) != "" {
		lock, err := Lock(dir, false)
		if errors.Is(err, safefile.ErrHostile) {
			return nil, dir, fmt.Errorf("checkpoint %s: its lock file %w", dir, err)
		} else if err == nil {
			defer lock.Close()
		}
	}
	from = dir
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if from = InterruptedSwap(dir); from == "" {
			return nil, dir, notExist
		}
	}
	weights, err = readFolder(from, man, checkModel)
	return weights, from, err
}

// readFolder reads and checks one checkpoint folder: model.json first, checked
// entirely, then weights.bin, exactly as many bytes as model.json declares,
// which the model bounds; it is held in memory only once its checksum matches.
func readFolder(dir string, man *Manifest, checkModel ModelCheck) (weights []byte, err error) {
	manJSON, err := readInside(dir, ManifestFile, MaxManifestBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checkpoint %s: no %s in the folder (not a checkpoint?)", dir, ManifestFile)
	} else if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := json.Unmarshal(manJSON, man); err != nil {
		return nil, fmt.Errorf("checkpoint %s: corrupt %s: %w; delete the folder and train again, or restore a good copy", dir, ManifestFile, err)
	}
	if man.Format != Format {
		return nil, fmt.Errorf("checkpoint %s: format %q in %s, but this mnistlib reads only %q; delete the folder and train again",
			dir, man.Format, ManifestFile, Format)
	}
	size, err := man.check(checkModel)
	if errors.Is(err, ErrNeedsModel) {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	} else if err != nil {
		return nil, fmt.Errorf("checkpoint %s: corrupt %s: %w; delete the folder and train again, or restore a good copy", dir, ManifestFile, err)
	}
	f, err := openInside(dir, WeightsFile, size, size)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	defer f.Close()
	// Hashed as a stream first, so a weights.bin that does not match costs a
	// read, not its size in memory; then read, and hashed again in case it
	// changed in between.
	corrupt := fmt.Errorf("checkpoint %s: corrupt: the checksum in %s does not match %s and the rest of %s; delete the folder and train again, or restore a good copy",
		dir, ManifestFile, WeightsFile, ManifestFile)
	if sum, err := ChecksumOf(*man, io.NewSectionReader(f, 0, size)); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %s: %w", dir, WeightsFile, err)
	} else if sum != man.SHA256 {
		return nil, corrupt
	}
	weights = make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), weights); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %s: %w (did it change while being read?)", dir, WeightsFile, err)
	}
	if sum, err := ChecksumOf(*man, bytes.NewReader(weights)); err != nil || sum != man.SHA256 {
		return nil, corrupt
	}
	return weights, nil
}

// readInside reads the file name in the checkpoint folder dir, at most limit
// bytes (see openInside).
func readInside(dir, name string, limit int64) ([]byte, error) {
	f, err := openInside(dir, name, limit, -1)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// openInside opens the file name in the checkpoint folder dir if it holds at
// most limit bytes, or exactly want bytes when want ≥ 0. It opens only a
// regular file: a link is followed only to a regular file inside dir; a FIFO,
// device or folder is refused before it is opened, and the open itself does not
// block (a FIFO put in place meanwhile cannot hang it), then the opened file is
// checked again.
func openInside(dir, name string, limit, want int64) (*os.File, error) {
	path := filepath.Join(dir, name)
	if err := regularInside(dir, path); err != nil {
		return nil, err
	}
	f, info, err := safefile.OpenRegular(path)
	if errors.Is(err, safefile.ErrNotRegular) {
		return nil, fmt.Errorf("%w: replace it with the checkpoint's own file", err)
	} else if err != nil {
		return nil, err
	}
	switch {
	case want >= 0 && info.Size() != want:
		err = fmt.Errorf("%s holds %d bytes, but %s declares %d: the two files come from different saves, or one was cut short; delete the folder and train again, or restore a good copy",
			name, info.Size(), ManifestFile, want)
	case info.Size() > limit:
		err = fmt.Errorf("%s holds %d bytes, more than the %d a checkpoint's %s may hold: not a checkpoint mnistlib saved; delete the folder and train again, or restore a good copy",
			name, info.Size(), limit, name)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// regularInside checks, without opening it, that path is a regular file or a
// link to one inside dir.
func regularInside(dir, path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	name := filepath.Base(path)
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("%s is a link that leads nowhere (%w): replace it with the checkpoint's own file", name, err)
		}
		root, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return err
		}
		if rel, err := filepath.Rel(root, target); err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%s is a link to %s, outside the checkpoint folder: a checkpoint's files must be in its folder; replace the link with a copy of the file", name, target)
		}
		if info, err = os.Stat(target); err != nil {
			return err
		}
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%w: replace it with the checkpoint's own file", safefile.NotRegular(path, info.Mode()))
	}
	return nil
}

// check validates everything in the manifest that Load builds from, before
// anything is built, and returns the size weights.bin must have. The layers must
// make a model (settings, shapes) whose parameters are exactly the trainable
// variables listed, and the other variables hold at most what that model's
// training keeps (StateBytes); every variable has a known dtype, positive
// dimensions and its own bytes, back to back from the start of weights.bin.
func (man Manifest) check(checkModel ModelCheck) (size int64, err error) {
	if lr := man.Model.LearningRate; !(lr > 0 && lr <= math.MaxFloat64) {
		return 0, fmt.Errorf("learning rate %g: it must be a positive number", lr)
	}
	params, err := checkModel(man)
	if err != nil {
		return 0, err
	}
	if params < 0 || params > MaxParams {
		return 0, fmt.Errorf("a model of %d parameters: at most %d", params, MaxParams)
	}
	if len(man.Variables) > maxVariables {
		return 0, fmt.Errorf("%d variables, more than the %d a checkpoint may list", len(man.Variables), maxVariables)
	}
	var trainable, state int64
	for _, sv := range man.Variables {
		n, err := sv.check(size)
		if err != nil {
			return 0, fmt.Errorf("variable %q: %w", sv.Path, err)
		}
		size += sv.Bytes
		if sv.Trainable {
			trainable += n
			continue
		}
		if state += sv.Bytes; state > StateBytes(params) {
			return 0, fmt.Errorf("variable %q: its %d bytes bring what the checkpoint holds besides the weights to %d bytes, but a model of %d parameters keeps at most %d: Adam's two moments of each weight and %d bytes of counters and random state",
				sv.Path, sv.Bytes, state, params, StateBytes(params), smallStateBytes)
		}
	}
	if trainable != params {
		return 0, fmt.Errorf("its layers (%s) have %d parameters, but its trainable variables hold %d", man.Model.Describe(), params, trainable)
	}
	return size, nil
}

// check validates one saved variable, which must start at offset, and returns
// its number of values.
func (sv Variable) check(offset int64) (int64, error) {
	if !savedDTypes[sv.DType] {
		return 0, fmt.Errorf("dtype %s is not one a checkpoint holds", sv.DType)
	}
	if sv.Trainable && sv.DType != dtypes.Float32 {
		return 0, fmt.Errorf("trainable weights of dtype %s: the model's weights are Float32", sv.DType)
	}
	if len(sv.Shape) > 8 {
		return 0, fmt.Errorf("shape %v has %d axes", sv.Shape, len(sv.Shape))
	}
	n := int64(1)
	for _, d := range sv.Shape {
		if d <= 0 {
			return 0, fmt.Errorf("shape %v: every dimension must be positive", sv.Shape)
		}
		n = MulCapped(n, int64(d), MaxWeightsBytes)
	}
	if bytes := MulCapped(n, int64(sv.DType.Size()), MaxWeightsBytes+1); sv.Bytes != bytes || bytes > MaxWeightsBytes-offset {
		return 0, fmt.Errorf("%d bytes listed for %s%v, which takes %d; at most %d bytes in all", sv.Bytes, sv.DType, sv.Shape, bytes, MaxWeightsBytes)
	}
	if sv.Offset != offset {
		return 0, fmt.Errorf("offset %d, but the variables before it end at %d", sv.Offset, offset)
	}
	return n, nil
}

// MulCapped is a·b for non-negative a and b, or limit when that is larger.
func MulCapped(a, b, limit int64) int64 {
	if b != 0 && a > limit/b {
		return limit
	}
	return min(a*b, limit)
}
