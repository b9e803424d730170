package mnistlib

// Reading a checkpoint that anybody may have edited. Its checksum guards against
// damage, not against a crafted folder (anyone who edits the files can write a
// matching one), so Load trusts nothing in it: each file is opened only if it is
// a regular file in the folder, read with a size limit, and model.json is checked
// entirely (layers, shapes, dtypes, the parameter total against weights.bin's
// size) before a single variable is made.

import (
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
)

const (
	// maxManifestBytes bounds model.json: the layers, the history and the list
	// of variables of any model this workbook trains take a few kilobytes.
	maxManifestBytes = 4 << 20
	// maxParams bounds a model's trainable parameters (1 GiB of float32), and
	// maxWeightsBytes weights.bin: the weights and Adam's two moments of each.
	maxParams             = 1 << 28
	maxWeightsBytes int64 = 4 << 30
	maxLayers             = 1000
	maxVariables          = 10_000
)

// savedDTypes are the dtypes a checkpoint may hold: float32 weights and
// optimizer state, integer step counters and random state.
var savedDTypes = map[dtypes.DType]bool{
	dtypes.Float32: true, dtypes.Float64: true, dtypes.Int32: true,
	dtypes.Int64: true, dtypes.Uint32: true, dtypes.Uint64: true,
}

// readFolder reads and checks one checkpoint folder: model.json first, checked
// entirely, then exactly as many bytes of weights.bin as it declares, then the
// checksum over both.
func readFolder(dir string) (man manifest, weights []byte, err error) {
	manJSON, err := readInside(dir, manifestFile, maxManifestBytes, -1)
	if errors.Is(err, fs.ErrNotExist) {
		return man, nil, fmt.Errorf("checkpoint %s: no %s in the folder (not a checkpoint?)", dir, manifestFile)
	} else if err != nil {
		return man, nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := json.Unmarshal(manJSON, &man); err != nil {
		return man, nil, fmt.Errorf("checkpoint %s: corrupt %s: %w; delete the folder and train again, or restore a good copy", dir, manifestFile, err)
	}
	if man.Format != checkpointFormat {
		return man, nil, fmt.Errorf("checkpoint %s: format %q in %s, but this mnistlib reads only %q; delete the folder and train again",
			dir, man.Format, manifestFile, checkpointFormat)
	}
	size, err := man.check()
	if err != nil {
		return man, nil, fmt.Errorf("checkpoint %s: corrupt %s: %w; delete the folder and train again, or restore a good copy", dir, manifestFile, err)
	}
	if weights, err = readInside(dir, weightsFile, size, size); err != nil {
		return man, nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if sum, err := checksum(man, weights); err != nil || sum != man.SHA256 {
		return man, nil, fmt.Errorf("checkpoint %s: corrupt: the checksum in %s does not match %s and the rest of %s; delete the folder and train again, or restore a good copy",
			dir, manifestFile, weightsFile, manifestFile)
	}
	return man, weights, nil
}

// readInside reads the file name in the checkpoint folder dir, at most limit
// bytes, or exactly want bytes when want ≥ 0. It opens only a regular file: a
// link is followed only to a regular file inside dir; a FIFO, device or folder is
// refused before it is opened, and the open itself does not block (a FIFO put in
// place meanwhile cannot hang it), then the opened file is checked again.
func readInside(dir, name string, limit, want int64) ([]byte, error) {
	path := filepath.Join(dir, name)
	if err := regularInside(dir, path); err != nil {
		return nil, err
	}
	f, info, err := openRegular(path)
	if errors.Is(err, errNotRegular) {
		return nil, fmt.Errorf("%w: replace it with the checkpoint's own file", err)
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	switch {
	case want >= 0 && info.Size() != want:
		return nil, fmt.Errorf("%s holds %d bytes, but %s declares %d: the two files come from different saves, or one was cut short; delete the folder and train again, or restore a good copy",
			name, info.Size(), manifestFile, want)
	case info.Size() > limit:
		return nil, fmt.Errorf("%s holds %d bytes, more than the %d a checkpoint's %s may hold: not a checkpoint mnistlib saved; delete the folder and train again, or restore a good copy",
			name, info.Size(), limit, name)
	}
	data := make([]byte, info.Size())
	if _, err := io.ReadFull(io.LimitReader(f, info.Size()), data); err != nil {
		return nil, fmt.Errorf("%s: %w (did it change while being read?)", name, err)
	}
	return data, nil
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
		return fmt.Errorf("%w: replace it with the checkpoint's own file", notRegular(path, info.Mode()))
	}
	return nil
}

// errNotRegular marks a file refused because it is not a regular file.
var errNotRegular = errors.New("not a regular file")

// notRegular is the error for path, which is a FIFO, a folder…: it names the
// file (by its base name) and says what it is.
func notRegular(path string, mode fs.FileMode) error {
	return fmt.Errorf("%s is %s, %w", filepath.Base(path), fileKind(mode), errNotRegular)
}

// openRegular opens path to read it, following links, only if it is a regular
// file: a FIFO, a device, a socket or a folder is refused before it is opened,
// the open itself does not block (O_NONBLOCK where the system has it, so a FIFO
// put in place meanwhile cannot hang it), and the opened file is checked again.
// It returns the open file and what it is; a refusal wraps errNotRegular.
// Checkpoints' files (readInside) and pictures (ReadDigit) are opened with it.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, notRegular(path, info.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	if info, err = f.Stat(); err == nil && !info.Mode().IsRegular() {
		err = notRegular(path, info.Mode())
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// fileKind names what a file that is not a regular file is, for an error.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode&fs.ModeSymlink != 0:
		return "a link"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file (" + mode.String() + ")"
}

// check validates everything in the manifest that Load builds from, before
// anything is built, and returns the size weights.bin must have. The layers must
// make a model (settings, shapes) whose parameters are exactly the trainable
// variables listed; every variable has a known dtype, positive dimensions and
// its own bytes, back to back from the start of weights.bin.
func (man manifest) check() (size int64, err error) {
	if err := man.History.check(); err != nil {
		return 0, err
	}
	if lr := man.Model.LearningRate; !(lr > 0 && lr <= math.MaxFloat64) {
		return 0, fmt.Errorf("learning rate %g: it must be a positive number", lr)
	}
	params, err := man.Model.params()
	if err != nil {
		return 0, err
	}
	if len(man.Variables) > maxVariables {
		return 0, fmt.Errorf("%d variables, more than the %d a checkpoint may list", len(man.Variables), maxVariables)
	}
	var trainable int64
	for _, sv := range man.Variables {
		n, err := sv.check(size)
		if err != nil {
			return 0, fmt.Errorf("variable %q: %w", sv.Path, err)
		}
		size += sv.Bytes
		if sv.Trainable {
			trainable += n
		}
	}
	if !man.Model.GraphFunction && trainable != params {
		return 0, fmt.Errorf("its layers (%s) have %d parameters, but its trainable variables hold %d", man.Model.describe(), params, trainable)
	}
	return size, nil
}

// check validates one saved variable, which must start at offset, and returns
// its number of values.
func (sv savedVariable) check(offset int64) (int64, error) {
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
		n = mulCapped(n, int64(d), maxWeightsBytes)
	}
	if bytes := mulCapped(n, int64(sv.DType.Size()), maxWeightsBytes+1); sv.Bytes != bytes || bytes > maxWeightsBytes-offset {
		return 0, fmt.Errorf("%d bytes listed for %s%v, which takes %d; at most %d bytes in all", sv.Bytes, sv.DType, sv.Shape, bytes, maxWeightsBytes)
	}
	if sv.Offset != offset {
		return 0, fmt.Errorf("offset %d, but the variables before it end at %d", sv.Offset, offset)
	}
	return n, nil
}

// params decodes and checks the layers as Model.Add and the first build would
// (settings, shapes from the input on), and counts their trainable parameters
// without making any: at most maxParams.
func (s modelSpec) params() (int64, error) {
	if s.GraphFunction {
		return 0, nil // checked against the model the caller made (LoadWeights)
	}
	if len(s.Layers) > maxLayers {
		return 0, fmt.Errorf("%d layers, more than the %d a model may have", len(s.Layers), maxLayers)
	}
	ls, err := s.layers()
	if err != nil {
		return 0, err
	}
	input, outs, err := checkLayers(ls)
	if err != nil {
		return 0, fmt.Errorf("its layers do not make a model: %w", err)
	}
	total, in := int64(0), input
	for i, l := range ls {
		n, _ := l.params(in)
		if total += n; n > maxParams || total > maxParams {
			return 0, fmt.Errorf("layer %d (%s) brings the model to more than %d parameters: not a model this workbook saves", i+1, s.Layers[i].ClassName, maxParams)
		}
		in = outs[i]
	}
	return total, nil
}

// mulCapped is a·b for non-negative a and b, or limit when that is larger.
func mulCapped(a, b, limit int64) int64 {
	if b != 0 && a > limit/b {
		return limit
	}
	return min(a*b, limit)
}
