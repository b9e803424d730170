package mnistlib

// Checkpoints: Save and Load, and the names notebooks give them in CheckpointDir.
//
// A checkpoint is a folder; internal/checkpoint holds it as files: what it holds
// (format.go), how Save writes it aside and swaps it in so that an interrupted Save never
// damages the last good checkpoint (write.go, swap.go), and how Load reads it trusting
// nothing in the folder (read.go). checkpoint_model.go puts a model in it and back.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonb-mnist/workbook/internal/checkpoint"
	"github.com/gonb-mnist/workbook/internal/safefile"
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
// option, LoadCheckpoint, Variants) in CheckpointDir(). A name is one folder name
// of printable characters, so that every checkpoint, its lock file and its
// backups stay inside that folder ("../../x" would save outside it) and read
// plainly in a listing or a message, and short enough for the private folder
// Save keeps beside it (checkpoint.CheckName); model.Save(folder) and
// Load(folder) take any folder.
func checkpointPath(name string) (string, error) {
	if name == "" || strings.HasPrefix(name, ".") || strings.ContainsAny(name, `/\:`) || !printable(name) || filepath.Base(name) != name {
		return "", fmt.Errorf(`checkpoint name %q: a name is one folder name inside %s, like "mlp" or "cnn_2": printable characters, no "/", "\\" or ":", not starting with "."; to keep a model elsewhere, use model.Save(folder) and mnistlib.Load(folder)`,
			name, displayPath(CheckpointDir()))
	}
	if err := checkpoint.CheckName(name); err != nil {
		return "", fmt.Errorf("checkpoint %w", err)
	}
	return filepath.Join(CheckpointDir(), name), nil
}

// printable reports whether s is valid UTF-8 of letters, marks, numbers,
// punctuation, symbols and spaces only: no control characters (a newline, a
// tab, NUL, DEL) and no invisible format characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) {
			return false
		}
	}
	return true
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
	if err := checkpoint.CheckTarget(dir); err != nil {
		return 0, fmt.Errorf("save: %w", err)
	}
	manJSON, weights, err := m.encode(dir)
	if err != nil {
		return 0, err
	}
	manJSON = append(manJSON, '\n')
	size = int64(len(manJSON) + len(weights))
	if err := checkpoint.Write(dir, manJSON, weights); err != nil {
		return size, fmt.Errorf("save %s: %w", dir, err)
	}
	return size, nil
}

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

// checkSavable tells, before any training, whether Save(dir) of a checkpoint of need bytes
// could succeed: dir is absent or a checkpoint, and the nearest existing folder above it
// takes a new folder (Save makes the missing ones, and its temporary folder, there) and has
// room for need bytes (the last checkpoint stays until the new one is written). It leaves
// nothing behind.
func checkSavable(dir string, need int64) error {
	dir = filepath.Clean(dir)
	if err := checkpoint.CheckTarget(dir); err != nil {
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
	probe, err := safefile.MkdirPrivate(parent, checkpoint.PrivatePrefix(dir, "tmp"))
	if err != nil {
		return fmt.Errorf("cannot save a checkpoint to %s: %w; choose a folder you can write to", dir, err)
	}
	_ = os.Remove(probe)
	if info, err := os.Lstat(checkpoint.LockPath(dir)); err == nil && !info.Mode().IsRegular() {
		return fmt.Errorf("cannot save a checkpoint to %s: its lock file %s is %s; remove it (mnistlib makes its own)", dir, checkpoint.LockPath(dir), safefile.FileKind(info.Mode()))
	}
	if free, ok := safefile.FreeSpace(parent); ok && free < need {
		return fmt.Errorf("cannot save a checkpoint to %s: it needs %s, but only %s is free there; make room, or set $%s to a folder on another disk",
			dir, byteSize(need), byteSize(free), EnvCheckpoints)
	}
	return nil
}

// Load reads the model saved in the folder dir by Save. Whatever the folder holds, it
// returns an error rather than crash, hang or take more memory than the model it
// describes: see internal/checkpoint/read.go.
func Load(dir string) (m *Model, err error) {
	defer recoverInto(&err, dir)
	return load(dir)
}

func load(dir string) (*Model, error) {
	s, err := readCheckpoint(dir, nil)
	if err != nil {
		return nil, err
	}
	m, err := s.model.newModel()
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", s.dir, err)
	}
	if err := m.restore(s); err != nil {
		return nil, err
	}
	return m, nil
}

// recoverInto turns a panic while loading dir into an error. It is the last line
// of defence: checkpoint.Read checks everything a model is built from beforehand.
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
	if err := m.build(); err != nil { // first: a graph function's checkpoint is bounded by the model
		return fmt.Errorf("load weights from %s: %w", dir, err)
	}
	s, err := readCheckpoint(dir, m)
	if err != nil {
		return err
	}
	if m.graphFn == nil && !sameLayers(s.model, m.spec()) {
		return fmt.Errorf("checkpoint %s holds a different model: %s, but this model is %s; mnistlib.Load(dir) builds the model a checkpoint holds",
			s.dir, s.model.describe(), m.spec().describe())
	}
	return m.setVariables(s)
}
