package mnistlib

// Checkpoints: a folder with two files.
//
//	model.json   format tag, the model (its layers as Keras writes them, seed, learning rate),
//	             History, and the list of variables (path, dtype, shape, trainable,
//	             byte offset/length) plus a SHA-256 over weights.bin and the rest of model.json
//	weights.bin  the variables' raw values, concatenated (little-endian, row-major)
//
// Besides the weights it keeps the optimizer state (Adam moments, step counters) and the
// random state, so training resumes where it stopped.
//
// Save never deletes what it did not make: it refuses a target that is a file, a link or a
// folder that is not a checkpoint, and the folders it makes beside the checkpoint have
// private names, ".<name>.tmp-<hex>" and ".<name>.old-<hex>". Save is atomic: it writes a
// temporary folder, then swaps it in with renames, so an interrupted Save never damages the
// last good checkpoint. Before its first rename it writes a journal, ".<name>.swap", naming
// its backup and its new folder: if it is interrupted between its two renames (the
// checkpoint missing, both folders there), Load reads the backup and the next Save puts it
// back. A backup no journal vouches for is never read (a checkpoint the user deleted stays
// deleted), and the next Save removes it.
//
// Saves and loads of one checkpoint take turns through a lock file beside it,
// ".<name>.lock" (kept: removing a lock file races with its next user): a Save holds it
// exclusively for its swap and for clearing what killed saves left, readers hold it shared
// while they read. So concurrent saves both succeed, the last one to swap wins, and a reader
// sees a whole checkpoint. Each Save also locks its own temporary folder while writing it,
// which tells a running save's folder from a killed one's. The lock file and the journal are
// opened without following links. See lock_unix.go and, for platforms without the lock,
// lock_other.go.
//
// Load trusts nothing in the folder: checkpoint_validate.go checks every byte it reads.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

const (
	// checkpointFormat is "/3" since the checksum covers model.json too: "/2" checkpoints,
	// whose manifest nothing checked, are refused (Fit then trains anew).
	checkpointFormat = "mnistlib-checkpoint/3"
	manifestFile     = "model.json"
	weightsFile      = "weights.bin"

	// staleAfter is how old a temporary folder must be before a Save removes it
	// where no lock tells whether its save still runs (locksWork false).
	staleAfter = time.Hour
)

// errLocked is what flock returns when it would have to wait and was told not to.
var errLocked = errors.New("locked by another save")

type manifest struct {
	Format    string          `json:"format"`
	Model     modelSpec       `json:"model"`
	History   History         `json:"history"`
	Fitted    FitParams       `json:"fitted"`
	Variables []savedVariable `json:"variables"`
	// SHA256 covers weights.bin and every other field of the manifest (see checksum), so an
	// edited offset or shape is caught like a flipped weight.
	SHA256 string `json:"sha256"`
}

type savedVariable struct {
	Path      string       `json:"path"`
	DType     dtypes.DType `json:"dtype"`
	Shape     []int        `json:"shape"`
	Trainable bool         `json:"trainable"`
	Offset    int64        `json:"offset"`
	Bytes     int64        `json:"bytes"`
}

// checksum is the SHA-256 of the manifest (compact JSON, its SHA256 field empty) followed by
// the weights. It hashes the manifest as decoded, not the file's bytes, so it covers exactly
// the values Load uses, whatever the file's spacing or order of keys.
func checksum(man manifest, weights []byte) (string, error) {
	man.SHA256 = ""
	man.Model.Layers = slices.Clone(man.Model.Layers)
	for i, l := range man.Model.Layers { // kept as written, so made canonical here
		man.Model.Layers[i].Config = canonicalJSON(l.Config)
	}
	manJSON, err := json.Marshal(man)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(manJSON)
	h.Write(weights)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// canonicalJSON rewrites a JSON value compactly with sorted keys and numbers as written;
// one that does not parse stays as it is (Load reports it when it decodes the layer).
func canonicalJSON(raw json.RawMessage) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw
	}
	out, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return out
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

// writeCheckpointFile writes a checkpoint file durably; tests replace it to fail as a full
// disk would.
var writeCheckpointFile = writeFileSync

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

// encode makes model.json (checksum included) and weights.bin.
func (m *Model) encode(dir string) (manJSON, weights []byte, err error) {
	if err := m.build(); err != nil {
		return nil, nil, fmt.Errorf("save %s: %w", dir, err)
	}
	man := manifest{Format: checkpointFormat, Model: m.spec(), History: m.History, Fitted: m.Fitted}
	for v := range m.store.IterVariables() {
		value, err := v.Value()
		if err != nil {
			return nil, nil, fmt.Errorf("save %s: variable %s: %w", dir, v.Path(), err)
		}
		start := int64(len(weights))
		if err := value.ConstBytes(func(data []byte) { weights = append(weights, data...) }); err != nil {
			return nil, nil, fmt.Errorf("save %s: variable %s: %w", dir, v.Path(), err)
		}
		man.Variables = append(man.Variables, savedVariable{Path: v.Path(), DType: v.DType(),
			Shape: slices.Clone(v.Shape().Dimensions), Trainable: v.Trainable,
			Offset: start, Bytes: int64(len(weights)) - start})
	}
	if man.SHA256, err = checksum(man, weights); err != nil {
		return nil, nil, fmt.Errorf("save %s: %w", dir, err)
	}
	if manJSON, err = json.MarshalIndent(man, "", "  "); err != nil {
		return nil, nil, fmt.Errorf("save %s: %w", dir, err)
	}
	return manJSON, weights, nil
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

// privatePrefix is the start of the names of the folders a Save of dir makes beside it:
// ".<name>.tmp-" (being written) and ".<name>.old-" (the checkpoint being replaced).
func privatePrefix(dir, kind string) string {
	return "." + filepath.Base(dir) + "." + kind + "-"
}

// isPrivate reports whether name is prefix followed by the 16 hex digits mkdirPrivate adds:
// a checkpoint named "mlp.tmp-x" has the prefix ".mlp.tmp-x.tmp-", which also starts with
// ".mlp.tmp-", but never ends in exactly 16 hex digits after ".mlp.tmp-".
func isPrivate(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || len(rest) != 16 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil && strings.ToLower(rest) == rest
}

// privateName is a fresh name prefix+<16 hex digits> in parent.
func privateName(parent, prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	return filepath.Join(parent, prefix+hex.EncodeToString(b[:]))
}

// mkdirPrivate makes a new folder prefix+<16 hex digits> in parent, like os.MkdirTemp
// with a suffix isPrivate can recognize.
func mkdirPrivate(parent, prefix string) (string, error) {
	for {
		path := privateName(parent, prefix)
		err := os.Mkdir(path, 0o755)
		if !errors.Is(err, fs.ErrExist) {
			return path, err
		}
	}
}

// lockPath is the lock file that Saves and readers of dir take turns through.
func lockPath(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
}

// journalPath is the journal a Save writes before its swap (see swapIn).
func journalPath(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".swap")
}

// errHostile marks a lock file or journal that is not the plain file mnistlib made.
var errHostile = errors.New("not a regular file")

// openPrivate opens one of the files a Save keeps beside a checkpoint (its lock
// file, its journal) without following a link, so that nothing is created or
// read where a link points, and without blocking on a FIFO; it must be a
// regular file.
func openPrivate(path string, flag int) (*os.File, error) {
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s: %w; remove it (mnistlib makes its own)", path, fileKind(info.Mode()), errHostile)
	}
	f, err := os.OpenFile(path, flag|openNoFollow|openNonBlock, 0o644)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s changed into something that is not a plain file: %w; remove it", path, errHostile)
	}
	return f, nil
}

// lockCheckpoint opens dir's lock file and locks it (waiting): shared to read, exclusive
// to swap. Closing the file unlocks it.
func lockCheckpoint(dir string, exclusive bool) (*os.File, error) {
	f, err := openPrivate(lockPath(dir), os.O_RDWR|os.O_CREATE)
	if err != nil && !exclusive && !errors.Is(err, errHostile) {
		f, err = openPrivate(lockPath(dir), os.O_RDONLY) // A reader needs no write access to lock (flock).
	}
	if err != nil {
		return nil, err
	}
	if err := flock(f, exclusive, true); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// newTempFolder makes a Save's temporary folder beside dir and locks it, so a concurrent
// Save's clean-up leaves it alone. Making and locking happen under the shared checkpoint
// lock: the clean-up runs under the exclusive one, so it never sees the folder unlocked.
func newTempFolder(dir string) (tmp string, lock *os.File, err error) {
	shared, err := lockCheckpoint(dir, false)
	if err != nil {
		return "", nil, err
	}
	defer shared.Close()
	if tmp, err = mkdirPrivate(filepath.Dir(dir), privatePrefix(dir, "tmp")); err != nil {
		return "", nil, err
	}
	if lock, err = os.Open(tmp); err == nil {
		if err = flock(lock, true, false); err != nil {
			lock.Close()
		}
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", nil, err
	}
	return tmp, lock, nil
}

// swapIn replaces the checkpoint dir with the complete folder tmp: a journal naming
// both folders, dir → a private backup, tmp → dir, then the journal and the backup go.
// It holds the exclusive lock throughout, so concurrent Saves swap one at a time (the
// last wins) and readers never catch dir missing.
func swapIn(dir, tmp string) error {
	lock, err := lockCheckpoint(dir, true)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := finishSwap(dir); err != nil { // a killed Save's, first
		return err
	}
	if err := checkTarget(dir); err != nil { // Something may have appeared while we wrote.
		return err
	}
	// Every backup left now is one no journal vouches for: it goes, so that if this
	// Save is killed between its renames, its own backup is the only one left.
	parent, oldPrefix := filepath.Dir(dir), privatePrefix(dir, "old")
	if err := removePrivate(parent, oldPrefix, func(string) bool { return true }); err != nil {
		return err
	}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		err = os.Rename(tmp, dir) // nothing to replace: one rename, no journal
		_ = syncDir(parent)
		return err
	}
	old := privateName(parent, oldPrefix)
	if err := writeJournal(dir, old, tmp); err != nil {
		return err
	}
	swapStep("journal")
	if err := os.Rename(dir, old); err != nil {
		_ = os.Remove(journalPath(dir))
		return err
	}
	swapStep("backup")
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir) // Put the last good checkpoint back.
		_ = os.Remove(journalPath(dir))
		return err
	}
	_ = syncDir(parent)
	swapStep("swapped")
	// The new checkpoint is in place: the journal and the backup are superseded, and
	// every temporary folder nobody holds belongs to a killed Save.
	_ = os.Remove(journalPath(dir))
	_ = removePrivate(parent, oldPrefix, func(string) bool { return true })
	_ = removePrivate(parent, privatePrefix(dir, "tmp"), unheld)
	return nil
}

// swapStep is called after each step of a swap that replaces a checkpoint; tests
// make it panic to leave what a Save killed at that step leaves.
var swapStep = func(step string) {}

// writeJournal records, durably and before the swap's first rename, the backup dir
// is about to be renamed to and the folder that will replace it: one base name a line.
func writeJournal(dir, old, tmp string) error {
	path := journalPath(dir)
	f, err := openPrivate(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s\n%s\n", filepath.Base(old), filepath.Base(tmp))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(filepath.Dir(dir))
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// interruptedSwap is the backup of dir that a Save interrupted between its two renames
// left, or "": its journal names a backup and a new folder of dir that are both still
// there (a private name each), and dir is missing. A backup of a swap that completed
// (its new folder became dir) is never returned, so a deleted checkpoint stays deleted.
func interruptedSwap(dir string) string {
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	data, err := readInside(filepath.Dir(dir), filepath.Base(journalPath(dir)), 4096, -1)
	if err != nil {
		return ""
	}
	names := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(names) != 2 || !isPrivate(names[0], privatePrefix(dir, "old")) || !isPrivate(names[1], privatePrefix(dir, "tmp")) {
		return ""
	}
	old, tmp := filepath.Join(filepath.Dir(dir), names[0]), filepath.Join(filepath.Dir(dir), names[1])
	if !isFolder(old) || !isFolder(tmp) {
		return ""
	}
	return old
}

// isFolder reports whether path is a folder (not a link to one).
func isFolder(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && info.IsDir()
}

// finishSwap completes what a Save killed during its swap left, under the exclusive
// lock: the backup it made goes back in place; any journal goes.
func finishSwap(dir string) error {
	if old := interruptedSwap(dir); old != "" {
		if err := os.Rename(old, dir); err != nil {
			return fmt.Errorf("putting back the checkpoint an interrupted save left in %s: %w", old, err)
		}
	}
	if err := os.Remove(journalPath(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// removePrivate removes the folders in parent named prefix+<hex> (see isPrivate) that
// remove accepts, and nothing else.
func removePrivate(parent, prefix string, remove func(path string) bool) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || !isPrivate(e.Name(), prefix) {
			continue
		}
		if path := filepath.Join(parent, e.Name()); remove(path) {
			if err := os.RemoveAll(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// unheld reports whether the temporary folder at path belongs to a Save that no longer
// runs: nobody holds its lock (the kernel dropped it when that Save's process died), or,
// without locks, it is older than staleAfter. The caller holds the exclusive checkpoint
// lock, so no Save is between making its folder and locking it.
func unheld(path string) bool {
	if !locksWork {
		info, err := os.Stat(path)
		return err == nil && time.Since(info.ModTime()) > staleAfter
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	// Closing drops the lock before the removal; that is safe because a folder is locked
	// only by the Save that made it, and no Save makes one while we hold the checkpoint lock.
	defer f.Close()
	return flock(f, true, false) == nil
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

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|openNoFollow, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// modelSpec is what a checkpoint records of the model: its layers, written
// as Keras writes them ({"class_name": "Dense", "config": {"units": 256, ...}}),
// and the numbers that fix its training.
type modelSpec struct {
	Layers        []savedLayer `json:"layers,omitempty"`
	GraphFunction bool         `json:"graph_function,omitempty"` // a FromGraph model: no layers to rebuild it from
	LearningRate  float64      `json:"learning_rate"`
	Seed          int64        `json:"seed"`
}

type savedLayer struct {
	ClassName string          `json:"class_name"`
	Config    json.RawMessage `json:"config"`
}

func (m *Model) spec() modelSpec {
	s := modelSpec{GraphFunction: m.graphFn != nil, LearningRate: m.LearningRate, Seed: m.Seed}
	for _, l := range m.layers {
		config, _ := json.Marshal(l) // plain structs of numbers and strings: cannot fail
		s.Layers = append(s.Layers, savedLayer{ClassName: l.kerasClass(), Config: config})
	}
	return s
}

// layers decodes the saved layers.
func (s modelSpec) layers() ([]Layer, error) {
	var ls []Layer
	for i, sl := range s.Layers {
		l, ok := newLayer(sl.ClassName)
		if !ok {
			return nil, fmt.Errorf("layer %d: unknown class %q", i+1, sl.ClassName)
		}
		if err := json.Unmarshal(sl.Config, l); err != nil {
			return nil, fmt.Errorf("layer %d (%s): %w", i+1, sl.ClassName, err)
		}
		ls = append(ls, reflect.ValueOf(l).Elem().Interface().(Layer))
	}
	return ls, nil
}

// newModel rebuilds the model a checkpoint describes (not yet built).
func (s modelSpec) newModel() (*Model, error) {
	if s.GraphFunction {
		return nil, errors.New("it holds a model written as a Go function (FromGraph): make the model with the same function and call LoadWeights")
	}
	ls, err := s.layers()
	if err != nil {
		return nil, err
	}
	m := NewSequential()
	m.layers, m.Seed, m.LearningRate = ls, s.Seed, s.LearningRate
	return m, nil
}

// sameModel reports whether the checkpoint's model is this one: same layers,
// seed and learning rate.
func (m *Model) sameModel(s modelSpec) bool {
	mine := m.spec()
	return sameLayers(s, mine) && s.Seed == mine.Seed && s.LearningRate == mine.LearningRate && !s.GraphFunction
}

// sameLayers compares two models' layers by value (their saved JSON may
// differ in spacing).
func sameLayers(a, b modelSpec) bool {
	la, errA := a.layers()
	lb, errB := b.layers()
	return errA == nil && errB == nil && reflect.DeepEqual(la, lb)
}

// describe lists the layers in one line: "Dense(256), Dropout(0.5), Dense(10)".
func (s modelSpec) describe() string {
	if s.GraphFunction {
		return "a graph function"
	}
	var parts []string
	for _, sl := range s.Layers {
		parts = append(parts, sl.ClassName+string(canonicalJSON(sl.Config)))
	}
	return strings.Join(parts, ", ")
}
