// Command bench trains the tutorial's models on MNIST and prints a table:
// model, backend, seconds per epoch (median of epochs 2..N), test accuracy
// and peak memory. Each model runs in a child process of its own, so that
// memory and backend start-up are measured per model.
//
//	go run ./bench                         # MLP, MLP+Dropout, CNN; 10 epochs; default backend
//	GOMLX_BACKEND=go go run ./bench        # force the pure-Go backend
//	go run ./bench -models=cnn -epochs=3
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"github.com/gonb-mnist/workbook/mnistlib"
)

var (
	flagModels = flag.String("models", "mlp,mlp-dropout,cnn", "comma-separated: mlp, mlp-dropout, cnn, deep-cnn")
	flagEpochs = flag.Int("epochs", 10, "epochs per model")
	flagBatch  = flag.Int("batch", 200, "batch size")
	flagChild  = flag.String("child", "", "internal: train this one model and print its result as JSON")
)

// result is one row of the table.
type result struct {
	Model, Backend  string
	SecondsPerEpoch float64
	TestAccuracy    float64
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
	for _, name := range strings.Split(*flagModels, ",") {
		r, err := runChild(name)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		rows = append(rows, r)
	}
	printTable(rows)
}

func configFor(name string) (mnistlib.Config, error) {
	switch name {
	case "mlp":
		return mnistlib.MLPConfig(), nil
	case "mlp-dropout":
		c := mnistlib.MLPConfig()
		c.Dropout = 0.5
		return c, nil
	case "cnn":
		return mnistlib.CNNConfig(), nil
	case "deep-cnn":
		return mnistlib.DeepCNNConfig(), nil
	}
	return mnistlib.Config{}, fmt.Errorf("unknown model %q", name)
}

// train runs in the child: the tutorial's preprocessing, Fit with a 0.2
// validation split, then Evaluate on the test set.
func train(name string) (result, error) {
	cfg, err := configFor(name)
	if err != nil {
		return result{}, err
	}
	data, err := mnistlib.LoadData()
	if err != nil {
		return result{}, err
	}
	x, err := mnistlib.Normalize(mnistlib.Flatten(data.Train.Images))
	if err != nil {
		return result{}, err
	}
	xTest, err := mnistlib.Normalize(mnistlib.Flatten(data.Test.Images))
	if err != nil {
		return result{}, err
	}
	y, yTest := mnistlib.ToCategorical(data.Train.Labels, 10), mnistlib.ToCategorical(data.Test.Labels, 10)
	mnistlib.Messages = os.Stderr
	m, err := mnistlib.New(cfg)
	if err != nil {
		return result{}, err
	}
	m.Out = os.Stderr
	m.Progress = nil
	h, err := m.Fit(x, y, *flagEpochs, *flagBatch, 0.2)
	if err != nil {
		return result{}, err
	}
	_, acc, err := m.Evaluate(xTest, yTest)
	if err != nil {
		return result{}, err
	}
	return result{Model: name, Backend: mnistlib.BackendDescription(), SecondsPerEpoch: h.SecondsPerEpoch(),
		TestAccuracy: acc, FeedShare: sum(h.FeedSeconds) / sum(h.Seconds), Epochs: h.Seconds}, nil
}

func sum(s []float64) float64 {
	t := 0.0
	for _, v := range s {
		t += v
	}
	return t
}

func runChild(name string) (result, error) {
	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-child="+name, fmt.Sprintf("-epochs=%d", *flagEpochs), fmt.Sprintf("-batch=%d", *flagBatch))
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	fmt.Fprintf(os.Stderr, "== %s\n", name)
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

func printTable(rows []result) {
	fmt.Printf("\n%d epochs, batch %d, 48,000 training rows; %s, %d CPUs, %s\n\n", *flagEpochs, *flagBatch, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Println("| model | backend | s/epoch (median of epochs 2..N) | test accuracy | peak memory | data feed |")
	fmt.Println("|---|---|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %.2f | %.4f | %.0f MiB | %.1f%% |\n", r.Model, r.Backend, r.SecondsPerEpoch, r.TestAccuracy, r.PeakMiB, 100*r.FeedShare)
	}
}
