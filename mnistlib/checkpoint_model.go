package mnistlib

// A model in a checkpoint and back: what mnistlib writes into the manifest of
// internal/checkpoint (the layers as Keras writes them, the history, how the
// model was fitted), how it checks what it reads there before building
// anything, and how the saved values go back into a model.

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-mnist/workbook/internal/checkpoint"
)

// saved is a checkpoint as mnistlib reads it: the manifest's parts that are
// mnistlib's, decoded, the variables and their values, and the folder read.
type saved struct {
	model     modelSpec
	history   History
	fitted    FitParams
	variables []checkpoint.Variable
	weights   []byte
	dir       string
}

// readCheckpoint reads the checkpoint in dir (or the backup an interrupted
// save left, see checkpoint.Read), checking everything a model is built from:
// its history is sound, its layers make a model, and its trainable variables
// hold exactly that model's parameters. own is the model LoadWeights fills, or
// nil: a checkpoint of a graph function lists no layers to count parameters
// from, so it is read only into a model made with that function (own), whose
// parameters then bound it.
func readCheckpoint(dir string, own *Model) (saved, error) {
	var s saved
	man := checkpoint.Manifest{History: &s.history, Fitted: &s.fitted}
	weights, from, err := checkpoint.Read(dir, &man, func(man checkpoint.Manifest) (int64, error) {
		if err := s.history.check(); err != nil {
			return 0, err
		}
		if man.Model.GraphFunction {
			if own == nil || own.graphFn == nil {
				return 0, fmt.Errorf("%w: make the model with the same function and call LoadWeights", checkpoint.ErrNeedsModel)
			}
			return int64(own.NumParams()), nil
		}
		return modelSpec(man.Model).params()
	})
	s.model, s.variables, s.weights, s.dir = modelSpec(man.Model), man.Variables, weights, from
	return s, err
}

// encode makes model.json (checksum included) and weights.bin.
func (m *Model) encode(dir string) (manJSON, weights []byte, err error) {
	if err := m.build(); err != nil {
		return nil, nil, fmt.Errorf("save %s: %w", dir, err)
	}
	if err := m.checkParams(); err != nil {
		return nil, nil, fmt.Errorf("save %s: %w", dir, err)
	}
	man := checkpoint.Manifest{Format: checkpoint.Format, Model: checkpoint.ModelSpec(m.spec()),
		History: m.History, Fitted: m.Fitted}
	for v := range m.store.IterVariables() {
		value, err := v.Value()
		if err != nil {
			return nil, nil, fmt.Errorf("save %s: variable %s: %w", dir, v.Path(), err)
		}
		start := int64(len(weights))
		if err := value.ConstBytes(func(data []byte) { weights = append(weights, data...) }); err != nil {
			return nil, nil, fmt.Errorf("save %s: variable %s: %w", dir, v.Path(), err)
		}
		man.Variables = append(man.Variables, checkpoint.Variable{Path: v.Path(), DType: v.DType(),
			Shape: slices.Clone(v.Shape().Dimensions), Trainable: v.Trainable,
			Offset: start, Bytes: int64(len(weights)) - start})
	}
	if man.SHA256, err = checkpoint.Checksum(man, weights); err != nil {
		return nil, nil, fmt.Errorf("save %s: %w", dir, err)
	}
	if manJSON, err = json.MarshalIndent(man, "", "  "); err != nil {
		return nil, nil, fmt.Errorf("save %s: %w", dir, err)
	}
	return manJSON, weights, nil
}

// checkParams refuses to save a model (built) with more trainable parameters
// than a checkpoint may hold, since no load would read it back.
func (m *Model) checkParams() error {
	var n int64
	for v := range m.store.IterVariables() {
		if v.Trainable {
			n += int64(v.Shape().Size())
		}
	}
	if n > checkpoint.MaxParams {
		return fmt.Errorf("the model has %d parameters, more than the %d a checkpoint holds (the bound that keeps a load to a few hundred MB); use fewer units or filters, or train without a Checkpoint",
			n, checkpoint.MaxParams)
	}
	return nil
}

// modelSpec is what a checkpoint records of a model (checkpoint.ModelSpec),
// with what mnistlib does with it: rebuild the layers, count their parameters.
type modelSpec checkpoint.ModelSpec

func (m *Model) spec() modelSpec {
	s := modelSpec{GraphFunction: m.graphFn != nil, LearningRate: m.LearningRate, Seed: m.Seed}
	for _, l := range m.layers {
		config, _ := json.Marshal(l) // plain structs of numbers and strings: cannot fail
		s.Layers = append(s.Layers, checkpoint.Layer{ClassName: l.kerasClass(), Config: config})
	}
	return s
}

// describe lists the layers in one line: "Dense{"units":256,...}, Dropout{...}".
func (s modelSpec) describe() string { return checkpoint.ModelSpec(s).Describe() }

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

// params decodes and checks the layers as Model.Add and the first build would
// (settings, shapes from the input on), and counts their trainable parameters
// without making any: at most checkpoint.MaxParams.
func (s modelSpec) params() (int64, error) {
	if len(s.Layers) > checkpoint.MaxLayers {
		return 0, fmt.Errorf("%d layers, more than the %d a model may have", len(s.Layers), checkpoint.MaxLayers)
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
		if total += n; n > checkpoint.MaxParams || total > checkpoint.MaxParams {
			return 0, fmt.Errorf("layer %d (%s) brings the model to more than %d parameters: not a model this workbook saves", i+1, s.Layers[i].ClassName, checkpoint.MaxParams)
		}
		in = outs[i]
	}
	return total, nil
}

// restore builds the model with the checkpoint's values already in its store, so
// no initializer graph is compiled (on XLA that is most of a load's half a
// second), then checks that the variables the layers made are exactly the saved
// ones, and takes the checkpoint's history.
func (m *Model) restore(s saved) error {
	if err := m.buildWith(func() error { return m.copyVariables(s) }); err != nil {
		return fmt.Errorf("checkpoint %s: its weights do not fit its layers (%w); delete the folder and train again, or restore a good copy", s.dir, err)
	}
	if err := m.checkVariables(s); err != nil {
		return err
	}
	m.History, m.Fitted = s.history, s.fitted
	return nil
}

// setVariables copies a checkpoint into a model already built: its weights,
// optimizer state and history.
func (m *Model) setVariables(s saved) error {
	if err := m.checkVariables(s); err != nil {
		return err
	}
	if err := m.copyVariables(s); err != nil {
		return err
	}
	m.History, m.Fitted = s.history, s.fitted
	return nil
}

// checkVariables checks that the checkpoint's trainable variables are exactly
// the model's (same paths and shapes).
func (m *Model) checkVariables(s saved) error {
	byPath := make(map[string]checkpoint.Variable, len(s.variables))
	for _, sv := range s.variables {
		byPath[sv.Path] = sv
	}
	for v := range m.store.IterVariables() {
		if !v.Trainable {
			continue
		}
		sv, ok := byPath[v.Path()]
		if !ok || !sv.Trainable {
			return fmt.Errorf("checkpoint %s does not match this %s model: it has no weights %s", s.dir, m.spec().describe(), v.Path())
		}
		if sv.DType != v.DType() || !slices.Equal(sv.Shape, v.Shape().Dimensions) {
			return fmt.Errorf("checkpoint %s does not match this %s model: %s is %s%v there, %s here",
				s.dir, m.spec().describe(), v.Path(), sv.DType, sv.Shape, v.Shape())
		}
	}
	for _, sv := range s.variables {
		if v := m.store.GetVariable(sv.Path); sv.Trainable && (v == nil || !v.Trainable) {
			return fmt.Errorf("checkpoint %s does not match this %s model: this model has no weights %s", s.dir, m.spec().describe(), sv.Path)
		}
	}
	return nil
}

// copyVariables puts every saved value in the store, creating the variables
// the store does not have yet (the optimizer state, picked up by the trainer's
// graph when training resumes; all of them when restoring).
func (m *Model) copyVariables(s saved) error {
	for _, sv := range s.variables {
		t := tensors.FromShape(shapes.Make(sv.DType, sv.Shape...))
		if err := t.MutableBytes(func(data []byte) { copy(data, s.weights[sv.Offset:sv.Offset+sv.Bytes]) }); err != nil {
			return fmt.Errorf("checkpoint %s: %s: %w", s.dir, sv.Path, err)
		}
		if v := m.store.GetVariable(sv.Path); v != nil {
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("checkpoint %s: %s: %w", s.dir, sv.Path, err)
			}
			continue
		}
		v, err := m.store.CreateVariable(sv.Path, t)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %s: %w", s.dir, sv.Path, err)
		}
		v.SetTrainable(sv.Trainable)
	}
	return nil
}
