package checkpoint

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
	"io"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
)

const (
	// Format is "/3" since the checksum covers model.json too: "/2" checkpoints,
	// whose manifest nothing checked, are refused (Fit then trains anew).
	Format       = "mnistlib-checkpoint/3"
	ManifestFile = "model.json"
	WeightsFile  = "weights.bin"
)

// Manifest is model.json: what the folder holds, checked before anything is
// built from it. The model's history and how it was fitted are the caller's
// types (mnistlib's History and FitParams): to read them, set History and
// Fitted to pointers to them before Read.
type Manifest struct {
	Format    string     `json:"format"`
	Model     ModelSpec  `json:"model"`
	History   any        `json:"history"`
	Fitted    any        `json:"fitted"`
	Variables []Variable `json:"variables"`
	// SHA256 covers weights.bin and every other field of the manifest (see Checksum), so an
	// edited offset or shape is caught like a flipped weight.
	SHA256 string `json:"sha256"`
}

// Variable is one variable of the model in weights.bin: its bytes from
// Offset on, Bytes long.
type Variable struct {
	Path      string       `json:"path"`
	DType     dtypes.DType `json:"dtype"`
	Shape     []int        `json:"shape"`
	Trainable bool         `json:"trainable"`
	Offset    int64        `json:"offset"`
	Bytes     int64        `json:"bytes"`
}

// Checksum is the SHA-256 of the manifest (compact JSON, its SHA256 field empty) followed by
// the weights. It hashes the manifest as decoded, not the file's bytes, so it covers exactly
// the values Load uses, whatever the file's spacing or order of keys.
func Checksum(man Manifest, weights []byte) (string, error) {
	return ChecksumOf(man, bytes.NewReader(weights))
}

// ChecksumOf is Checksum with the weights read from r as a stream, so that
// Read can check weights.bin before holding it (read.go).
func ChecksumOf(man Manifest, weights io.Reader) (string, error) {
	man.SHA256 = ""
	man.Model.Layers = slices.Clone(man.Model.Layers)
	for i, l := range man.Model.Layers { // kept as written, so made canonical here
		man.Model.Layers[i].Config = CanonicalJSON(l.Config)
	}
	manJSON, err := json.Marshal(man)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(manJSON)
	if _, err := io.Copy(h, weights); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CanonicalJSON rewrites a JSON value compactly with sorted keys and numbers as written;
// one that does not parse stays as it is (Load reports it when it decodes the layer).
func CanonicalJSON(raw json.RawMessage) json.RawMessage {
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

// ModelSpec is what a checkpoint records of the model: its layers, written
// as Keras writes them ({"class_name": "Dense", "config": {"units": 256, ...}}),
// and the numbers that fix its training.
type ModelSpec struct {
	Layers        []Layer `json:"layers,omitempty"`
	GraphFunction bool    `json:"graph_function,omitempty"` // a FromGraph model: no layers to rebuild it from
	LearningRate  float64 `json:"learning_rate"`
	Seed          int64   `json:"seed"`
}

// Layer is one layer as Keras writes it.
type Layer struct {
	ClassName string          `json:"class_name"`
	Config    json.RawMessage `json:"config"`
}

// Describe lists the layers in one line: "Dense(256), Dropout(0.5), Dense(10)".
func (s ModelSpec) Describe() string {
	if s.GraphFunction {
		return "a graph function"
	}
	var parts []string
	for _, sl := range s.Layers {
		parts = append(parts, sl.ClassName+string(CanonicalJSON(sl.Config)))
	}
	return strings.Join(parts, ", ")
}
