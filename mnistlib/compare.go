package mnistlib

// Comparing the workbook's models (notebooks 05 and 09): the tutorial's
// models by the checkpoint names their notebooks save them under, and the
// time an epoch of each takes, measured side by side.

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// tutorialModels are the models of tutorial.go by the checkpoint name of the
// notebook that trains each (04, 06, 08; cnn_nodrop is 09's own).
var tutorialModels = map[string]func() *Model{
	"mlp":         TutorialMLP,
	"mlp_dropout": TutorialMLPDropout,
	"cnn":         func() *Model { return TutorialCNN(true) },
	"cnn_nodrop":  func() *Model { return TutorialCNN(false) },
	"deep_cnn":    TutorialDeepCNN,
}

// TutorialModel is a new, untrained copy of the workbook's model saved under
// the checkpoint name: "mlp" (04), "mlp_dropout" (06), "cnn" and "deep_cnn"
// (08), or "cnn_nodrop" (09, the CNN without its Dropout line). Fit it with
// TutorialFit(name) to load it from that checkpoint (or train it).
func TutorialModel(name string) (*Model, error) {
	preset, ok := tutorialModels[name]
	if !ok {
		names := slices.Sorted(func(yield func(string) bool) {
			for n := range tutorialModels {
				if !yield(n) {
					return
				}
			}
		})
		return nil, fmt.Errorf("tutorial model %q: the workbook's are %s", name, strings.Join(names, ", "))
	}
	return preset(), nil
}

// Each model times speedSteps training steps a turn, for speedTurns turns
// after a first one that compiles its training step (XLA) and is not counted.
const speedSteps, speedTurns = 10, 5

// EpochSeconds says how long an epoch of the tutorial's fit (TutorialFit:
// batches of 200, validation_split=0.2, the training steps only) takes each
// model on this machine now. A model's History.Seconds were measured in the
// program that trained it, maybe on another day, with the machine busy or idle:
// two histories compare badly. Here untrained copies of the models (the same
// layers; the models themselves are left as they are) train on the same
// images in this one program, speedSteps batches each in turn, so that
// whatever else the machine does weighs on all of them alike. Each result is
// the median time of a turn's step, times the steps of an epoch.
func EpochSeconds(models ...*Model) ([]float64, error) {
	data, err := LoadData()
	if err != nil {
		return nil, err
	}
	train := data.Train
	if Quick() {
		train = train.head(quickTrainRows)
	}
	return epochSeconds(train, models)
}

// epochSeconds is EpochSeconds on the training images train.
func epochSeconds(train Subset, models []*Model) ([]float64, error) {
	o := TutorialFit("")
	rows := int(math.Floor(float64(train.Images.N) * (1 - o.ValidationSplit))) // as Fit splits them
	epochSteps := (rows + o.BatchSize - 1) / o.BatchSize
	sample := train.head(speedSteps * o.BatchSize)
	steps := (sample.Images.N + o.BatchSize - 1) / o.BatchSize
	y := ToCategorical(sample.Labels, NumClasses)
	type trial struct {
		model *Model
		x, y  [][]float32
		times []float64 // seconds per step, one a turn
	}
	trials := make([]trial, len(models))
	for i, m := range models {
		c := m.untrainedCopy()
		xs := normalizedPixels(sample.Images, inputDims(c.Kind(), sample.Images.N)...)
		x, yRows, err := c.rowsXY(xs, y)
		if err == nil {
			err = c.build()
		}
		if err != nil {
			return nil, fmt.Errorf("epoch seconds, model %d: %w", i+1, err)
		}
		c.newTrainer()
		trials[i] = trial{model: c, x: x, y: yRows}
	}
	for turn := range speedTurns + 1 {
		for i := range trials {
			t := &trials[i]
			start := time.Now()
			if _, err := t.model.trainEpoch(t.x, t.y, o, turn); err != nil {
				return nil, fmt.Errorf("epoch seconds, model %d: %w", i+1, err)
			}
			if turn > 0 { // the first turn compiles
				t.times = append(t.times, time.Since(start).Seconds()/float64(steps))
			}
		}
	}
	seconds := make([]float64, len(trials))
	for i, t := range trials {
		seconds[i] = median(t.times) * float64(epochSteps)
	}
	return seconds, nil
}

// untrainedCopy is a new model with m's layers (or graph function), seed and
// learning rate, that prints nothing.
func (m *Model) untrainedCopy() *Model {
	c := NewSequential()
	if m.graphFn != nil {
		c = FromGraph(m.graphFn)
	}
	c.layers = slices.Clone(m.layers)
	c.Seed, c.LearningRate = m.Seed, m.LearningRate
	c.Out, c.Progress = nil, nil
	return c
}
