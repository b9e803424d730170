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
// Save never deletes what it did not make: it refuses a target that is a file or a folder
// that is not a checkpoint, and the folders it makes beside the checkpoint have private
// names, ".<name>.tmp-<hex>" and ".<name>.old-<hex>". Save is atomic: it writes a temporary
// folder, then swaps it in with renames, so an interrupted Save never damages the last good
// checkpoint. If it was interrupted between its two renames, the last good checkpoint is in
// a ".<name>.old-<hex>" folder and Load finds it there.
//
// Saves and loads of one checkpoint take turns through a lock file beside it,
// ".<name>.lock" (kept: removing a lock file races with its next user): a Save holds it
// exclusively for its swap and for clearing what killed saves left, readers hold it shared
// while they read. So concurrent saves both succeed, the last one to swap wins, and a reader
// sees a whole checkpoint. Each Save also locks its own temporary folder while writing it,
// which tells a running save's folder from a killed one's. See lock_unix.go and, for
// platforms without the lock, lock_other.go.

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
// replacing any checkpoint there. It refuses to replace a file, or a folder that is not a
// checkpoint.
func (m *Model) Save(dir string) (err error) {
	dir = filepath.Clean(dir)
	if err := checkTarget(dir); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	manJSON, weights, err := m.encode(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	tmp, tmpLock, err := newTempFolder(dir)
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	defer tmpLock.Close() // After the swap or the clean-up below: the folder is ours until then.
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err := writeFileSync(filepath.Join(tmp, weightsFile), weights); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := writeFileSync(filepath.Join(tmp, manifestFile), append(manJSON, '\n')); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := syncDir(tmp); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := swapIn(dir, tmp); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	return nil
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

// checkTarget refuses a dir that Save must not replace: a file, or a folder with files
// but no model.json (the user's, not a checkpoint). An absent or empty folder is fine.
func checkTarget(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot save a checkpoint to %s: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("%s is a file, not a checkpoint folder; not replacing it: move the file or save to another folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot save a checkpoint to %s: %w", dir, err)
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, manifestFile)); err != nil {
			return fmt.Errorf("%s is a folder with files but not a checkpoint (no %s); not replacing it: move its files or save to another folder", dir, manifestFile)
		}
	}
	return nil
}

// checkSavable tells, before any training, whether Save(dir) could succeed: dir is absent
// or a checkpoint, and the nearest existing folder above it takes a new folder (Save makes
// the missing ones, and its temporary folder, there). It leaves nothing behind.
func checkSavable(dir string) error {
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

// lockCheckpoint opens dir's lock file and locks it (waiting): shared to read, exclusive
// to swap. Closing the file unlocks it.
func lockCheckpoint(dir string, exclusive bool) (*os.File, error) {
	f, err := os.OpenFile(lockPath(dir), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil && !exclusive {
		f, err = os.Open(lockPath(dir)) // A reader needs no write access to lock (flock).
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

// swapIn replaces the checkpoint dir with the complete folder tmp: dir → a private backup,
// tmp → dir, then the backup goes. It holds the exclusive lock throughout, so concurrent
// Saves swap one at a time (the last wins) and readers never catch dir missing.
func swapIn(dir, tmp string) error {
	lock, err := lockCheckpoint(dir, true)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := checkTarget(dir); err != nil { // Something may have appeared while we wrote.
		return err
	}
	parent, oldPrefix := filepath.Dir(dir), privatePrefix(dir, "old")
	var old string
	if _, err := os.Stat(dir); err == nil {
		// Backups left by a killed Save are older than dir, so they go now: if this Save
		// is killed between its renames, its own backup is the only one left.
		if err := removePrivate(parent, oldPrefix, func(string) bool { return true }); err != nil {
			return err
		}
		old = privateName(parent, oldPrefix)
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir) // Put the last good checkpoint back.
		}
		return err
	}
	_ = syncDir(parent)
	// The new checkpoint is in place: every backup (ours, or one a killed Save left) is
	// superseded, and every temporary folder nobody holds belongs to a killed Save.
	_ = removePrivate(parent, oldPrefix, func(string) bool { return true })
	_ = removePrivate(parent, privatePrefix(dir, "tmp"), unheld)
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

// Load reads the model saved in the folder dir by Save.
func Load(dir string) (*Model, error) {
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

// LoadCheckpoint loads the model that Fit saved under a Checkpoint name
// (a folder in CheckpointDir()): the notebooks' later cells reach a model
// trained in an earlier cell this way.
func LoadCheckpoint(name string) (*Model, error) {
	m, err := Load(checkpointPath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no checkpoint %q yet: run the cell that trains it (Fit with Checkpoint: %q) first", name, name)
	}
	return m, err
}

// LoadWeights replaces the model's weights, optimizer state and history with those saved in dir.
// The checkpoint must hold the same layers (for a FromGraph model: variables of the same names
// and shapes).
func (m *Model) LoadWeights(dir string) error {
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
// backup an interrupted Save left).
func readCheckpoint(dir string) (man manifest, weights []byte, _ string, err error) {
	dir = filepath.Clean(dir)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && backup(dir) == "" {
		// Nothing to read: answer without making a lock file beside a folder that is not there.
		return man, nil, dir, fmt.Errorf("checkpoint %s: folder does not exist (%w)", dir, fs.ErrNotExist)
	}
	// Lock only what is a checkpoint (or its backup): reading a folder of the user's
	// that is not one must leave no lock file beside it. Without the lock (a
	// read-only place, where nobody saves either) the read goes on alone.
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err == nil || backup(dir) != "" {
		if lock, err := lockCheckpoint(dir, false); err == nil {
			defer lock.Close()
		}
	}
	from := dir
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if from = backup(dir); from == "" {
			return man, nil, dir, fmt.Errorf("checkpoint %s: folder does not exist (%w)", dir, fs.ErrNotExist)
		}
	}
	man, weights, err = readFolder(from)
	return man, weights, from, err
}

// backup is the last good checkpoint a Save interrupted between its renames left beside
// dir (the newest backup with a manifest), or "".
func backup(dir string) string {
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		return ""
	}
	best, bestTime := "", time.Time{}
	for _, e := range entries {
		if !isPrivate(e.Name(), privatePrefix(dir, "old")) {
			continue
		}
		path := filepath.Join(filepath.Dir(dir), e.Name())
		if info, err := os.Stat(filepath.Join(path, manifestFile)); err == nil && info.ModTime().After(bestTime) {
			best, bestTime = path, info.ModTime()
		}
	}
	return best
}

// readFolder reads and checks one checkpoint folder.
func readFolder(dir string) (man manifest, weights []byte, err error) {
	manJSON, err := os.ReadFile(filepath.Join(dir, manifestFile))
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
	if weights, err = os.ReadFile(filepath.Join(dir, weightsFile)); err != nil {
		return man, nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if sum, err := checksum(man, weights); err != nil || sum != man.SHA256 {
		return man, nil, fmt.Errorf("checkpoint %s: corrupt: the checksum in %s does not match %s and the rest of %s; delete the folder and train again, or restore a good copy",
			dir, manifestFile, weightsFile, manifestFile)
	}
	for _, sv := range man.Variables {
		want := int64(shapes.Make(sv.DType, sv.Shape...).ByteSize())
		if sv.Offset < 0 || sv.Bytes != want || sv.Offset+sv.Bytes > int64(len(weights)) {
			return man, nil, fmt.Errorf("checkpoint %s: corrupt entry for %s in %s; delete the folder and train again, or restore a good copy", dir, sv.Path, manifestFile)
		}
	}
	return man, weights, nil
}

// restore builds the model with the checkpoint's values already in its store, so
// no initializer graph is compiled (on XLA that is most of a load's half a
// second), then checks that the variables the layers made are exactly the saved
// ones, and takes the checkpoint's history.
func (m *Model) restore(man manifest, weights []byte, dir string) error {
	if err := m.buildWith(func() error { return m.copyVariables(man, weights, dir) }); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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

// layerTypes makes an empty layer of each class name.
var layerTypes = map[string]func() Layer{
	"Dense":        func() Layer { return &Dense{} },
	"Dropout":      func() Layer { return &Dropout{} },
	"Conv2D":       func() Layer { return &Conv2D{} },
	"MaxPooling2D": func() Layer { return &MaxPooling2D{} },
	"Flatten":      func() Layer { return &Flatten{} },
}

func (m *Model) spec() modelSpec {
	s := modelSpec{GraphFunction: m.graphFn != nil, LearningRate: m.LearningRate, Seed: m.Seed}
	for _, l := range m.layers {
		config, _ := json.Marshal(l) // plain structs of numbers and strings: cannot fail
		s.Layers = append(s.Layers, savedLayer{ClassName: layerClass(l), Config: config})
	}
	return s
}

// layerClass is the Go type name of a layer, which is its Keras class name.
func layerClass(l Layer) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", l), "mnistlib.")
}

// layers decodes the saved layers.
func (s modelSpec) layers() ([]Layer, error) {
	var ls []Layer
	for i, sl := range s.Layers {
		newLayer, ok := layerTypes[sl.ClassName]
		if !ok {
			return nil, fmt.Errorf("layer %d: unknown class %q", i+1, sl.ClassName)
		}
		l := newLayer()
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
		parts = append(parts, sl.ClassName+string(sl.Config))
	}
	return strings.Join(parts, ", ")
}
