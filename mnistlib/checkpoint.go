package mnistlib

// Checkpoints: a folder with two files.
//
//	model.json   format tag, the model (its layers as Keras writes them, seed, learning rate),
//	             History, and the list of variables (path, dtype, shape, trainable,
//	             byte offset/length) plus the SHA-256 of weights.bin
//	weights.bin  the variables' raw values, concatenated (little-endian, row-major)
//
// Besides the weights it keeps the optimizer state (Adam moments, step counters) and the
// random state, so training resumes where it stopped.
//
// Save is atomic: it writes a sibling temporary folder, then swaps it in with renames, so an
// interrupted Save never damages the last good checkpoint. If Save was interrupted between
// its two renames, the last good checkpoint is in "<dir>.old" and Load finds it there.

import (
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

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

const (
	checkpointFormat = "mnistlib-checkpoint/2"
	manifestFile     = "model.json"
	weightsFile      = "weights.bin"
)

type manifest struct {
	Format        string          `json:"format"`
	Model         modelSpec       `json:"model"`
	History       History         `json:"history"`
	Fitted        FitParams       `json:"fitted"`
	Variables     []savedVariable `json:"variables"`
	WeightsSHA256 string          `json:"weights_sha256"`
}

type savedVariable struct {
	Path      string       `json:"path"`
	DType     dtypes.DType `json:"dtype"`
	Shape     []int        `json:"shape"`
	Trainable bool         `json:"trainable"`
	Offset    int64        `json:"offset"`
	Bytes     int64        `json:"bytes"`
}

// Save writes the model (config, history, weights and optimizer state) to the folder dir,
// replacing any checkpoint there. It refuses to replace a folder that is not a checkpoint.
func (m *Model) Save(dir string) (err error) {
	dir = filepath.Clean(dir)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, manifestFile)); err != nil {
			return fmt.Errorf("save: %s is a folder with files but not a checkpoint (no %s); not replacing it", dir, manifestFile)
		}
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()

	// Weights first, hashing as we go.
	if err := m.build(); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	man := manifest{Format: checkpointFormat, Model: m.spec(), History: m.History, Fitted: m.Fitted}
	var weights []byte
	for v := range m.store.IterVariables() {
		value, err := v.Value()
		if err != nil {
			return fmt.Errorf("save %s: variable %s: %w", dir, v.Path(), err)
		}
		start := int64(len(weights))
		if err := value.ConstBytes(func(data []byte) { weights = append(weights, data...) }); err != nil {
			return fmt.Errorf("save %s: variable %s: %w", dir, v.Path(), err)
		}
		man.Variables = append(man.Variables, savedVariable{Path: v.Path(), DType: v.DType(),
			Shape: slices.Clone(v.Shape().Dimensions), Trainable: v.Trainable,
			Offset: start, Bytes: int64(len(weights)) - start})
	}
	sum := sha256.Sum256(weights)
	man.WeightsSHA256 = hex.EncodeToString(sum[:])
	manJSON, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := writeFileSync(filepath.Join(tmp, weightsFile), weights); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := writeFileSync(filepath.Join(tmp, manifestFile), append(manJSON, '\n')); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := syncDir(tmp); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}

	// Swap: dir → dir.old, tmp → dir, remove dir.old.
	old := dir + ".old"
	if _, err := os.Stat(dir); err == nil {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("save %s: %w", dir, err)
		}
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("save %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	_ = syncDir(parent)
	_ = os.RemoveAll(old)
	return nil
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
	if err := m.build(); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := m.setVariables(man, weights, dir); err != nil {
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

// readCheckpoint reads and checks model.json and weights.bin. It returns the folder it read
// (dir, or dir.old after an interrupted Save).
func readCheckpoint(dir string) (man manifest, weights []byte, _ string, err error) {
	dir = filepath.Clean(dir)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if _, errOld := os.Stat(filepath.Join(dir+".old", manifestFile)); errOld == nil {
			dir += ".old" // An interrupted Save left the last good checkpoint here.
		} else {
			return man, nil, dir, fmt.Errorf("checkpoint %s: folder does not exist (%w)", dir, fs.ErrNotExist)
		}
	}
	manJSON, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return man, nil, dir, fmt.Errorf("checkpoint %s: no %s in the folder (not a checkpoint?)", dir, manifestFile)
	} else if err != nil {
		return man, nil, dir, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := json.Unmarshal(manJSON, &man); err != nil {
		return man, nil, dir, fmt.Errorf("checkpoint %s: corrupt %s: %w; delete the folder and train again, or restore a good copy", dir, manifestFile, err)
	}
	if man.Format != checkpointFormat {
		return man, nil, dir, fmt.Errorf("checkpoint %s: unknown format %q in %s, want %q", dir, man.Format, manifestFile, checkpointFormat)
	}
	weights, err = os.ReadFile(filepath.Join(dir, weightsFile))
	if err != nil {
		return man, nil, dir, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	sum := sha256.Sum256(weights)
	if hex.EncodeToString(sum[:]) != man.WeightsSHA256 {
		return man, nil, dir, fmt.Errorf("checkpoint %s: corrupt %s: checksum does not match %s; delete the folder and train again, or restore a good copy", dir, weightsFile, manifestFile)
	}
	for _, sv := range man.Variables {
		want := int64(shapes.Make(sv.DType, sv.Shape...).ByteSize())
		if sv.Offset < 0 || sv.Bytes != want || sv.Offset+sv.Bytes > int64(len(weights)) {
			return man, nil, dir, fmt.Errorf("checkpoint %s: corrupt entry for %s in %s; delete the folder and train again, or restore a good copy", dir, sv.Path, manifestFile)
		}
	}
	return man, weights, dir, nil
}

// setVariables checks that the checkpoint's trainable variables are exactly the model's
// (same paths and shapes) and copies all saved values into the store.
func (m *Model) setVariables(man manifest, weights []byte, dir string) error {
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
		// Optimizer state: created here, picked up by the trainer's graph when training resumes.
		v, err := m.store.CreateVariable(sv.Path, t)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %s: %w", dir, sv.Path, err)
		}
		v.SetTrainable(sv.Trainable)
	}
	m.History, m.Fitted = man.History, man.Fitted
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
