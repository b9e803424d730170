package mnistlib

// Checkpoints: Save and Load, and the names notebooks give them in CheckpointDir.
//
// A checkpoint is a folder (checkpoint_format.go says what it holds). Save writes it aside
// and swaps it in (checkpoint_swap.go), so an interrupted Save never damages the last good
// checkpoint. Load trusts nothing in the folder: checkpoint_validate.go checks every byte it
// reads.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

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

// Save writes the model (config, history, weights and optimizer state) to the folder dir,
// replacing any checkpoint there. It refuses to replace a file, a link, or a folder that is
// not a checkpoint. When writing fails, the error says how much room the checkpoint needs.
func (m *Model) Save(dir string) error {
	size, err := m.save(dir)
	if err != nil && size > 0 {
		return fmt.Errorf("%w (the checkpoint needs %s)", err, byteSize(size))
	}
	return err
}

// save is Save; it returns the checkpoint's size once it is known, even when
// writing fails.
func (m *Model) save(dir string) (size int64, err error) {
	dir = filepath.Clean(dir)
	if err := checkTarget(dir); err != nil {
		return 0, fmt.Errorf("save: %w", err)
	}
	manJSON, weights, err := m.encode(dir)
	if err != nil {
		return 0, err
	}
	manJSON = append(manJSON, '\n')
	size = int64(len(manJSON) + len(weights))
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return size, fmt.Errorf("save %s: %w", dir, err)
	}
	tmp, tmpLock, err := newTempFolder(dir)
	if err != nil {
		return size, fmt.Errorf("save %s: %w", dir, err)
	}
	defer tmpLock.Close() // After the swap or the clean-up below: the folder is ours until then.
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	for _, f := range []struct {
		name string
		data []byte
	}{{weightsFile, weights}, {manifestFile, manJSON}} {
		if err := writeCheckpointFile(filepath.Join(tmp, f.name), f.data); err != nil {
			return size, fmt.Errorf("save %s: %w", dir, err)
		}
	}
	if err := syncDir(tmp); err != nil {
		return size, fmt.Errorf("save %s: %w", dir, err)
	}
	if err := swapIn(dir, tmp); err != nil {
		return size, fmt.Errorf("save %s: %w", dir, err)
	}
	return size, nil
}

// writeCheckpointFile writes one file into a Save's temporary folder, whole and synced to
// disk before the swap; tests replace it to fail as a full disk would.
var writeCheckpointFile = writeBytesAtomic

// byteSize writes a size for a reader: "2.9 MB", "840 kB", "312 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkTarget refuses a dir that Save must not replace: a file, a link (its swap would
// replace the link, not the folder it leads to), or a folder with files but no model.json
// (the user's, not a checkpoint). An absent or empty folder is fine.
func checkTarget(dir string) error {
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot save a checkpoint to %s: %w", dir, err)
	case info.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		return fmt.Errorf("%s is a link (to %s); not replacing it: save to the folder it leads to, or remove the link", dir, target)
	case !info.IsDir():
		return fmt.Errorf("%s is a file, not a checkpoint folder; not replacing it: move the file or save to another folder", dir)
	}
	// This runs before the save takes the lock: a concurrent save may swap the
	// folder away meanwhile, which is no reason to refuse (ours swaps in next).
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot save a checkpoint to %s: %w", dir, err)
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, manifestFile)); err != nil {
			if _, gone := os.Lstat(dir); errors.Is(gone, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("%s is a folder with files but not a checkpoint (no %s); not replacing it: move its files or save to another folder", dir, manifestFile)
		}
	}
	return nil
}

// checkSavable tells, before any training, whether Save(dir) of a checkpoint of need bytes
// could succeed: dir is absent or a checkpoint, and the nearest existing folder above it
// takes a new folder (Save makes the missing ones, and its temporary folder, there) and has
// room for need bytes (the last checkpoint stays until the new one is written). It leaves
// nothing behind.
func checkSavable(dir string, need int64) error {
	dir = filepath.Clean(dir)
	if err := checkTarget(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	for {
		info, err := os.Stat(parent)
		if err == nil && !info.IsDir() {
			return fmt.Errorf("cannot save a checkpoint to %s: %s is a file; choose another folder", dir, parent)
		}
		if err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.Dir(parent) == parent {
			break // Found it, or an error the probe below reports with its cause.
		}
		parent = filepath.Dir(parent)
	}
	// The probe has a temporary folder's private name: were the program killed before
	// removing it, the next Save would clear it.
	probe, err := mkdirPrivate(parent, privatePrefix(dir, "tmp"))
	if err != nil {
		return fmt.Errorf("cannot save a checkpoint to %s: %w; choose a folder you can write to", dir, err)
	}
	_ = os.Remove(probe)
	if info, err := os.Lstat(lockPath(dir)); err == nil && !info.Mode().IsRegular() {
		return fmt.Errorf("cannot save a checkpoint to %s: its lock file %s is %s; remove it (mnistlib makes its own)", dir, lockPath(dir), fileKind(info.Mode()))
	}
	if free, ok := freeSpace(parent); ok && free < need {
		return fmt.Errorf("cannot save a checkpoint to %s: it needs %s, but only %s is free there; make room, or set $%s to a folder on another disk",
			dir, byteSize(need), byteSize(free), EnvCheckpoints)
	}
	return nil
}

// Load reads the model saved in the folder dir by Save. Whatever the folder holds, it
// returns an error rather than crash, hang or take more memory than the model it
// describes: see checkpoint_validate.go.
func Load(dir string) (m *Model, err error) {
	defer recoverInto(&err, dir)
	return load(dir)
}

func load(dir string) (*Model, error) {
	man, weights, dir, err := readCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	m, err := man.Model.newModel()
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := m.restore(man, weights, dir); err != nil {
		return nil, err
	}
	return m, nil
}

// recoverInto turns a panic while loading dir into an error. It is the last line
// of defence: readFolder checks everything a model is built from beforehand.
func recoverInto(err *error, dir string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("checkpoint %s: cannot be loaded (%v); delete the folder and train again, or restore a good copy", dir, r)
	}
}

// LoadCheckpoint loads the model that Fit saved under a Checkpoint name
// (a folder in CheckpointDir()): the notebooks' later cells reach a model
// trained in an earlier cell this way.
func LoadCheckpoint(name string) (*Model, error) {
	dir, err := checkpointPath(name)
	if err != nil {
		return nil, err
	}
	m, err := Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no checkpoint %q yet: run the cell that trains it (Fit with Checkpoint: %q) first", name, name)
	}
	return m, err
}

// LoadWeights replaces the model's weights, optimizer state and history with those saved in dir.
// The checkpoint must hold the same layers (for a FromGraph model: variables of the same names
// and shapes).
func (m *Model) LoadWeights(dir string) (err error) {
	defer recoverInto(&err, dir)
	man, weights, dir, err := readCheckpoint(dir)
	if err != nil {
		return err
	}
	if err := m.build(); err != nil {
		return fmt.Errorf("load weights from %s: %w", dir, err)
	}
	if m.graphFn == nil && !sameLayers(man.Model, m.spec()) {
		return fmt.Errorf("checkpoint %s holds a different model: %s, but this model is %s; mnistlib.Load(dir) builds the model a checkpoint holds",
			dir, man.Model.describe(), m.spec().describe())
	}
	return m.setVariables(man, weights, dir)
}

// readCheckpoint reads and checks model.json and weights.bin, under the shared checkpoint
// lock so that no Save swaps them meanwhile. It returns the folder it read (dir, or the
// backup a Save interrupted during its swap left, see interruptedSwap).
func readCheckpoint(dir string) (man manifest, weights []byte, _ string, err error) {
	dir = filepath.Clean(dir)
	notExist := fmt.Errorf("checkpoint %s: folder does not exist (%w)", dir, fs.ErrNotExist)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) && interruptedSwap(dir) == "" {
		// Nothing to read: answer without making a lock file beside a folder that is not there.
		return man, nil, dir, notExist
	}
	// Lock only what is a checkpoint (or its backup): reading a folder of the user's
	// that is not one must leave no lock file beside it. Without the lock (a
	// read-only place, where nobody saves either) the read goes on alone; a lock
	// file that is a link or a FIFO is an error.
	if _, err := os.Lstat(filepath.Join(dir, manifestFile)); err == nil || interruptedSwap(dir) != "" {
		lock, err := lockCheckpoint(dir, false)
		if errors.Is(err, errHostile) {
			return man, nil, dir, fmt.Errorf("checkpoint %s: its lock file %w", dir, err)
		} else if err == nil {
			defer lock.Close()
		}
	}
	from := dir
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if from = interruptedSwap(dir); from == "" {
			return man, nil, dir, notExist
		}
	}
	man, weights, err = readFolder(from)
	return man, weights, from, err
}

// restore builds the model with the checkpoint's values already in its store, so
// no initializer graph is compiled (on XLA that is most of a load's half a
// second), then checks that the variables the layers made are exactly the saved
// ones, and takes the checkpoint's history.
func (m *Model) restore(man manifest, weights []byte, dir string) error {
	if err := m.buildWith(func() error { return m.copyVariables(man, weights, dir) }); err != nil {
		return fmt.Errorf("checkpoint %s: its weights do not fit its layers (%w); delete the folder and train again, or restore a good copy", dir, err)
	}
	if err := m.checkVariables(man, dir); err != nil {
		return err
	}
	m.History, m.Fitted = man.History, man.Fitted
	return nil
}

// setVariables copies a checkpoint into a model already built: its weights,
// optimizer state and history.
func (m *Model) setVariables(man manifest, weights []byte, dir string) error {
	if err := m.checkVariables(man, dir); err != nil {
		return err
	}
	if err := m.copyVariables(man, weights, dir); err != nil {
		return err
	}
	m.History, m.Fitted = man.History, man.Fitted
	return nil
}

// checkVariables checks that the checkpoint's trainable variables are exactly
// the model's (same paths and shapes).
func (m *Model) checkVariables(man manifest, dir string) error {
	saved := make(map[string]savedVariable, len(man.Variables))
	for _, sv := range man.Variables {
		saved[sv.Path] = sv
	}
	for v := range m.store.IterVariables() {
		if !v.Trainable {
			continue
		}
		sv, ok := saved[v.Path()]
		if !ok || !sv.Trainable {
			return fmt.Errorf("checkpoint %s does not match this %s model: it has no weights %s", dir, m.spec().describe(), v.Path())
		}
		if sv.DType != v.DType() || !slices.Equal(sv.Shape, v.Shape().Dimensions) {
			return fmt.Errorf("checkpoint %s does not match this %s model: %s is %s%v there, %s here",
				dir, m.spec().describe(), v.Path(), sv.DType, sv.Shape, v.Shape())
		}
	}
	for _, sv := range man.Variables {
		if v := m.store.GetVariable(sv.Path); sv.Trainable && (v == nil || !v.Trainable) {
			return fmt.Errorf("checkpoint %s does not match this %s model: this model has no weights %s", dir, m.spec().describe(), sv.Path)
		}
	}
	return nil
}

// copyVariables puts every saved value in the store, creating the variables
// the store does not have yet (the optimizer state, picked up by the trainer's
// graph when training resumes; all of them when restoring).
func (m *Model) copyVariables(man manifest, weights []byte, dir string) error {
	for _, sv := range man.Variables {
		t := tensors.FromShape(shapes.Make(sv.DType, sv.Shape...))
		if err := t.MutableBytes(func(data []byte) { copy(data, weights[sv.Offset:sv.Offset+sv.Bytes]) }); err != nil {
			return fmt.Errorf("checkpoint %s: %s: %w", dir, sv.Path, err)
		}
		if v := m.store.GetVariable(sv.Path); v != nil {
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("checkpoint %s: %s: %w", dir, sv.Path, err)
			}
			continue
		}
		v, err := m.store.CreateVariable(sv.Path, t)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %s: %w", dir, sv.Path, err)
		}
		v.SetTrainable(sv.Trainable)
	}
	return nil
}
