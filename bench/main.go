// Command bench trains the tutorial's models on MNIST and prints a table:
// model, backend, seconds per epoch (median of epochs 2..N), test accuracy
// and peak memory. Each model runs in a child process of its own, so that
// memory and backend start-up are measured per model.
//
//	go run ./bench                         # MLP, MLP+Dropout, CNN; 10 epochs; default backend
//	GOMLX_BACKEND=go go run ./bench        # force the pure-Go backend
//	go run ./bench -models=cnn -epochs=3
//	go run ./bench -models=mlp -seeds=5    # seeds 1..5: how much test accuracy varies from run to run
//	go run ./bench -models=cnn -epochs=3 -augment=none,strong   # the epoch plain and with every distortion, side by side
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/gonb-mnist/workbook/mnistlib"
)

var (
	flagModels  = flag.String("models", "mlp,mlp-dropout,cnn", "comma-separated: mlp, mlp-dropout, cnn, cnn-nodrop, deep-cnn")
	flagEpochs  = flag.Int("epochs", 10, "epochs per model")
	flagBatch   = flag.Int("batch", 200, "batch size")
	flagSeeds   = flag.Int("seeds", 1, "train each model with seeds 1..N (N > 1 adds a table of accuracy statistics)")
	flagKeras   = flag.String("keras", "", "a Python with Keras 3 (e.g. .tools/bench-venv/bin/python, made by bench/compare.sh): trains the same models and seeds in Keras too, for the accuracy comparison")
	flagAugment = flag.String("augment", "none", "comma-separated data augmentations to train each model with, side by side: none, nb10 (notebook 10's), light (moves, turns, resizes, pens), strong (every distortion at full strength)")
	flagChild   = flag.String("child", "", "internal: train this one model and print its result as JSON")
	flagSeed    = flag.Int64("seed", 1, "internal: the child's seed")
)

// result is one row of the table.
type result struct {
	Model, Backend  string
	Augment         string  // -augment's name of the data augmentation
	AugmentMicros   float64 // its cost per image, one core, measured on 2,000 training rows before training
	Seed            int64
	SecondsPerEpoch float64
	TestAccuracy    float64
	Outside         float64            // accuracy on notebook 10's digits from outside MNIST
	OutsideByKind   map[string]float64 // the same, by kind of digit (mnistlib.OutsideKinds)
	PeakMiB         float64
	FeedShare       float64   // share of the epochs spent building batches, outside the compiled step
	Epochs          []float64 // seconds of each epoch
}

func main() {
	flag.Parse()
	if *flagChild != "" {
		r, err := train(*flagChild)
		if err != nil {
			log.Fatal(err)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	var rows []result
	augments := strings.Split(*flagAugment, ",")
	for _, aug := range augments {
		if _, ok := augmentations[aug]; !ok {
			log.Fatalf("-augment: unknown augmentation %q (none, nb10, light, strong)", aug)
		}
	}
	for _, name := range strings.Split(*flagModels, ",") {
		for _, aug := range augments {
			for seed := int64(1); seed <= int64(*flagSeeds); seed++ {
				r, err := runChild(name, aug, seed)
				if err != nil {
					log.Fatalf("%s: %v", name, err)
				}
				rows = append(rows, r)
			}
		}
		if *flagKeras == "" {
			continue
		}
		for seed := int64(1); seed <= int64(*flagSeeds); seed++ {
			r, err := runKeras(name, seed)
			if err != nil {
				log.Fatalf("keras %s: %v", name, err)
			}
			rows = append(rows, r)
		}
	}
	printTable(rows)
	if *flagSeeds > 1 {
		printSeedStats(rows)
	}
	if len(augments) > 1 {
		printAugmentCost(rows)
	}
}

// augmentations are the data augmentations -augment names: none, notebook
// 10's (mnistlib.RobustAugmentation), its earlier one (moves, turns, resizes
// and pens only), and every distortion at once.
var augmentations = map[string]mnistlib.Augmentation{
	"none":   {},
	"nb10":   mnistlib.RobustAugmentation,
	"light":  {Shift: 1, Rotate: 15, Scale: 0.1, Thickness: 1.5},
	"strong": {Shift: 1, Rotate: 15, Scale: 0.1, Thickness: 1.5, Elastic: 34, Shear: 15, Blur: 0.8, LowRes: 12},
}

// trainingRows is what Fit trains on: 60,000 rows less the 0.2 validation split.
const trainingRows = 48000

// printAugmentCost says how much longer each augmented epoch took than the
// plain one of the same model and seed (issue 21 asks for at most 1.5×).
func printAugmentCost(rows []result) {
	plain := map[string]result{}
	for _, r := range rows {
		if r.Augment == "none" && framework(r) == "mnistlib" {
			plain[fmt.Sprint(r.Model, r.Seed)] = r
		}
	}
	fmt.Println()
	for _, r := range rows {
		base, ok := plain[fmt.Sprint(strings.TrimSuffix(r.Model, "+"+r.Augment), r.Seed)]
		if r.Augment == "none" || framework(r) != "mnistlib" || !ok {
			continue
		}
		fmt.Printf("%s, seed %d: %.2f× the plain epoch (%.2f against %.2f s/epoch; data feed %.1f%% against %.1f%%); "+
			"augmenting an image takes %.1f µs on one core, the plain epoch %.1f µs per training row\n",
			r.Model, r.Seed, r.SecondsPerEpoch/base.SecondsPerEpoch, r.SecondsPerEpoch, base.SecondsPerEpoch, 100*r.FeedShare, 100*base.FeedShare,
			r.AugmentMicros, 1e6*base.SecondsPerEpoch/trainingRows)
	}
}

// models are the bench's models: the tutorial's, as the notebooks define them.
var models = map[string]func() *mnistlib.Model{
	"mlp":         mnistlib.TutorialMLP,
	"mlp-dropout": mnistlib.TutorialMLPDropout,
	"cnn":         func() *mnistlib.Model { return mnistlib.TutorialCNN(true) },
	"cnn-nodrop":  func() *mnistlib.Model { return mnistlib.TutorialCNN(false) },
	"deep-cnn":    mnistlib.TutorialDeepCNN,
}

// train runs in the child: the tutorial's preprocessing, Fit with a 0.2
// validation split, then Evaluate on the test set.
func train(name string) (result, error) {
	newModel, ok := models[name]
	if !ok {
		return result{}, fmt.Errorf("unknown model %q", name)
	}
	mnistlib.Messages = os.Stderr // stdout carries the result alone
	data, err := mnistlib.LoadData()
	if err != nil {
		return result{}, err
	}
	m := newModel()
	reshape := reshapeFor(m)
	x, err := mnistlib.Normalize(reshape(data.Train.Images))
	if err != nil {
		return result{}, err
	}
	xTest, err := mnistlib.Normalize(reshape(data.Test.Images))
	if err != nil {
		return result{}, err
	}
	y, yTest := mnistlib.ToCategorical(data.Train.Labels, 10), mnistlib.ToCategorical(data.Test.Labels, 10)
	m.Seed, m.Out, m.Progress = *flagSeed, os.Stderr, nil
	fit := mnistlib.TutorialFit("")
	fit.Epochs, fit.BatchSize = *flagEpochs, *flagBatch
	fit.Augment = augmentations[*flagAugment]
	var augmentMicros float64
	if *flagAugment != "none" {
		name += "+" + *flagAugment
		if augmentMicros, err = augmentCost(fit.Augment, x); err != nil {
			return result{}, err
		}
	}
	h, err := m.Fit(x, y, fit)
	if err != nil {
		return result{}, err
	}
	_, acc, err := m.Evaluate(xTest, yTest)
	if err != nil {
		return result{}, err
	}
	r := result{Model: name, Augment: *flagAugment, AugmentMicros: augmentMicros, Seed: m.Seed, Backend: mnistlib.BackendDescription(), SecondsPerEpoch: h.SecondsPerEpoch(),
		TestAccuracy: acc, FeedShare: sum(h.FeedSeconds) / sum(h.Seconds), Epochs: h.Seconds}
	r.Outside, r.OutsideByKind, err = outsideAccuracy(m)
	return r, err
}

// outsideAccuracy is the model's accuracy on notebook 10's digits from
// outside MNIST, all of them and by kind.
func outsideAccuracy(m *mnistlib.Model) (float64, map[string]float64, error) {
	set, err := mnistlib.ReadOutside("notebooks/images")
	if err != nil {
		return 0, nil, err
	}
	accuracy := func(s mnistlib.DigitSet) (float64, error) {
		x, err := mnistlib.Normalize(reshapeFor(m)(s.Images))
		if err != nil {
			return 0, err
		}
		p, err := m.Predict(x)
		if err != nil {
			return 0, err
		}
		return mnistlib.Accuracy(mnistlib.Argmax(p), s.Labels), nil
	}
	byKind := map[string]float64{}
	for _, kind := range mnistlib.OutsideKinds {
		if byKind[kind], err = accuracy(set.OfKind(kind)); err != nil {
			return 0, nil, err
		}
	}
	all, err := accuracy(set)
	return all, byKind, err
}

// reshapeFor is the tutorial's reshape for the model's input: Reshape4D for a
// CNN (28×28×1 images), Reshape2D for an MLP (rows of 784); a model refuses the other.
func reshapeFor(m *mnistlib.Model) func(mnistlib.Images) *tensors.Tensor {
	if m.Kind() == mnistlib.KindCNN {
		return mnistlib.Reshape4D
	}
	return mnistlib.Reshape2D
}

// augmentCost is how long a changes one training image, in microseconds:
// the mean over the first 2,000 rows of x, on one core, before training.
func augmentCost(a mnistlib.Augmentation, x *tensors.Tensor) (float64, error) {
	const n = 2000
	rows := make([][]float32, n)
	for i := range rows {
		var err error
		if rows[i], err = mnistlib.Row(x, i); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	for i, r := range rows {
		a.Apply(r, rand.New(rand.NewPCG(1, uint64(i))))
	}
	return float64(time.Since(start).Microseconds()) / n, nil
}

func sum(s []float64) float64 {
	t := 0.0
	for _, v := range s {
		t += v
	}
	return t
}

func runChild(name, augment string, seed int64) (result, error) {
	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-child="+name, fmt.Sprintf("-seed=%d", seed),
		fmt.Sprintf("-epochs=%d", *flagEpochs), fmt.Sprintf("-batch=%d", *flagBatch), "-augment="+augment)
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	fmt.Fprintf(os.Stderr, "== %s, augment %s, seed %d\n", name, augment, seed)
	if err := cmd.Run(); err != nil {
		return result{}, err
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return result{}, fmt.Errorf("child output %q: %w", out.String(), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakMiB = float64(ru.Maxrss) / 1024 // Linux reports KiB
	}
	return r, nil
}

// runKeras trains the model in Keras 3 with bench/compare.py, on the files
// of the MNIST cache that the Go children filled.
func runKeras(name string, seed int64) (result, error) {
	cache := os.Getenv("MNIST_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = home + "/.cache/mnistlib"
	}
	var out bytes.Buffer
	cmd := exec.Command(*flagKeras, "bench/compare.py", "train", "keras", name, fmt.Sprint(*flagEpochs), cache+"/mnist", fmt.Sprint(seed))
	cmd.Env = append(os.Environ(), "KERAS_BACKEND=jax")
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	fmt.Fprintf(os.Stderr, "== keras %s, seed %d\n", name, seed)
	if err := cmd.Run(); err != nil {
		return result{}, err
	}
	// Keras prints its epoch log on stdout too: the result is the last line.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var r result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return result{}, fmt.Errorf("compare.py output %q: %w", out.String(), err)
	}
	r.Model = name // compare.py names the kind; keep the bench's name
	return r, nil
}

func printTable(rows []result) {
	fmt.Printf("\n%d epochs, batch %d, 48,000 training rows; %s, %d CPUs, %s\n\n", *flagEpochs, *flagBatch, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Println("| model | seed | backend | s/epoch (median of epochs 2..N) | test accuracy | outside accuracy | peak memory | data feed |")
	fmt.Println("|---|---:|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %s | %.2f | %.4f | %s | %.0f MiB | %.1f%% |\n", r.Model, r.Seed, r.Backend, r.SecondsPerEpoch, r.TestAccuracy,
			orDash(r.Outside, r.OutsideByKind != nil), r.PeakMiB, 100*r.FeedShare)
	}
	fmt.Printf("\n| model | seed | %s | outside, all |\n|---|---:|%s---:|\n", strings.Join(mnistlib.OutsideKinds, " | "),
		strings.Repeat("---:|", len(mnistlib.OutsideKinds)))
	for _, r := range rows {
		if r.OutsideByKind == nil {
			continue // Keras does not read the outside set
		}
		fmt.Printf("| %s | %d |", r.Model, r.Seed)
		for _, kind := range mnistlib.OutsideKinds {
			fmt.Printf(" %.4f |", r.OutsideByKind[kind])
		}
		fmt.Printf(" %.4f |\n", r.Outside)
	}
}

// orDash prints an accuracy, or a dash where there is none.
func orDash(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.4f", v)
}

// printSeedStats summarises test accuracy over the seeds of each model:
// the spread says how far a single run (like the tutorial's) is from typical.
func printSeedStats(rows []result) {
	fmt.Println("\n| model | framework | runs | test accuracy: mean | sd | min | max | outside accuracy: mean |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|")
	for i := 0; i < len(rows); {
		j := i
		var accs, outside []float64
		for ; j < len(rows) && rows[j].Model == rows[i].Model && framework(rows[j]) == framework(rows[i]); j++ {
			accs = append(accs, rows[j].TestAccuracy)
			outside = append(outside, rows[j].Outside)
		}
		mean := sum(accs) / float64(len(accs))
		var ss float64
		for _, a := range accs {
			ss += (a - mean) * (a - mean)
		}
		fmt.Printf("| %s | %s | %d | %.4f | %.4f | %.4f | %.4f | %s |\n", rows[i].Model, framework(rows[i]), len(accs), mean,
			math.Sqrt(ss/float64(len(accs)-1)), slices.Min(accs), slices.Max(accs),
			orDash(sum(outside)/float64(len(outside)), rows[i].OutsideByKind != nil))
		i = j
	}
}

// framework says whose run a row is: "keras" or "mnistlib".
func framework(r result) string {
	if strings.HasPrefix(r.Backend, "keras") {
		return "keras"
	}
	return "mnistlib"
}
