package mnistlib

// The format of a checkpoint: a folder with two files.
//
//	model.json   format tag, the model (its layers as Keras writes them, seed, learning rate),
//	             History, and the list of variables (path, dtype, shape, trainable,
//	             byte offset/length) plus a SHA-256 over weights.bin and the rest of model.json
//	weights.bin  the variables' raw values, concatenated (little-endian, row-major)
//
// Besides the weights it keeps the optimizer state (Adam moments, step counters) and the
// random state, so training resumes where it stopped. TestCheckpointFixture guards the
// format: a checkpoint saved by an earlier mnistlib must still load.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
)

const (
	// checkpointFormat is "/3" since the checksum covers model.json too: "/2" checkpoints,
	// whose manifest nothing checked, are refused (Fit then trains anew).
	checkpointFormat = "mnistlib-checkpoint/3"
	manifestFile     = "model.json"
	weightsFile      = "weights.bin"
)

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
