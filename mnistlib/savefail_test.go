package mnistlib

// A finished training is never thrown away: when its save fails, Fit returns the
// history with a *SaveError, the model stays trained, the last good checkpoint
// stays, and Check and Must print the error and let the cell go on.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/gonb-mnist/workbook/internal/checkpoint"
	"github.com/gonb-mnist/workbook/internal/safefile"
)

// saveFailure sets up a checkpoints folder holding a good checkpoint "mlp" of
// another model (seed 2), and returns the options that make Fit replace it.
func saveFailure(t *testing.T, folder string) FitOptions {
	t.Setenv(EnvCheckpoints, folder)
	t.Setenv(EnvQuick, "")
	fit := FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"}
	x, y := syntheticData(100, 4)
	if _, err := unbuiltModel(2).Fit(x, y, fit); err != nil {
		t.Fatal(err)
	}
	return fit
}

// checkSurvivors checks what a failed save after training must leave: a
// *SaveError saying how much room the checkpoint needs, the history, a trained
// model that predicts what the same training gives and saves once there is room,
// and the last good checkpoint untouched, with nothing beside it.
func checkSurvivors(t *testing.T, m *Model, h History, err error, dir string, wantErr ...string) {
	t.Helper()
	var saveErr *SaveError
	if !errors.As(err, &saveErr) || saveErr.Dir != dir || saveErr.Bytes <= 0 {
		t.Fatalf("Fit: %v, want a *SaveError for %s", err, dir)
	}
	assertErrorMentions(t, err, append(wantErr, dir, "model is trained", "needs "+byteSize(saveErr.Bytes), "model.Save(folder)")...)
	if len(h.Loss) != 1 || len(m.History.Loss) != 1 {
		t.Fatalf("history %v, model's %v: want the epoch trained", h.Loss, m.History.Loss)
	}
	if old, err := Load(dir); err != nil || old.Seed != 2 {
		t.Errorf("the last good checkpoint: %v, %v", old, err)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("the failed save left %v", left)
	}
	x, y := syntheticData(100, 4)
	same := unbuiltModel(1)
	if _, err := same.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(predictions(t, m), predictions(t, same)) {
		t.Error("the model Fit returned is not the trained one")
	}
	checkpoint.WriteFile = safefile.WriteBytes
	if err := m.Save(dir); err != nil {
		t.Fatalf("saving the trained model once there is room: %v", err)
	}
	if saved, err := Load(dir); err != nil || saved.Seed != 1 || len(saved.History.Loss) != 1 {
		t.Errorf("the trained model, saved later: %v, %v", saved, err)
	}
}

// Saving after training fails as on a full disk, at either file, or because the
// folder became read-only while the model trained.
func TestFitKeepsModelWhenSaveFails(t *testing.T) {
	full := func(which string) func(path string, data []byte) error {
		return func(path string, data []byte) error {
			if filepath.Base(path) == which {
				return &fs.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
			}
			return safefile.WriteBytes(path, data)
		}
	}
	for _, tc := range []struct {
		name    string
		write   func(path string, data []byte) error
		during  func(t *testing.T, folder string) // called at the first training step
		wantErr string
		skip    bool
	}{
		{"disk full writing weights.bin", full(checkpoint.WeightsFile), nil, "no space left on device", false},
		{"disk full writing model.json", full(checkpoint.ManifestFile), nil, "no space left on device", false},
		{"folder made read-only while training", safefile.WriteBytes, func(t *testing.T, folder string) {
			if err := os.Chmod(folder, 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.Chmod(folder, 0o755) })
		}, "permission denied", os.Geteuid() == 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("root writes to read-only folders")
			}
			folder := t.TempDir()
			fit := saveFailure(t, folder)
			checkpoint.WriteFile = tc.write
			defer func() { checkpoint.WriteFile = safefile.WriteBytes }()
			m := unbuiltModel(1)
			if tc.during != nil {
				once := false
				m.Progress = func(int, int, int, int) {
					if !once {
						once = true
						tc.during(t, folder)
					}
				}
			}
			x, y := syntheticData(100, 4)
			h, err := m.Fit(x, y, fit)
			if tc.during != nil {
				_ = os.Chmod(folder, 0o755)
			}
			checkSurvivors(t, m, h, err, filepath.Join(folder, "mlp"), tc.wantErr)
		})
	}
}

// Fit says before training when the checkpoint cannot fit in the room left.
func TestCheckSavableNeedsRoom(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mlp")
	if _, ok := safefile.FreeSpace(filepath.Dir(dir)); !ok {
		t.Skip("free space is not known here")
	}
	err := checkSavable(dir, 1<<61)
	assertErrorMentions(t, err, dir, "needs 2305843009.2 GB", "is free there", EnvCheckpoints)
	if err := checkSavable(dir, 1<<10); err != nil {
		t.Error(err)
	}
}

// Check and Must print a *SaveError as a warning and go on: Must(model.Fit(...))
// keeps the trained model's history.
func TestCheckWarnsOnSaveError(t *testing.T) {
	var got bytes.Buffer
	warnings = &got
	defer func() { warnings = os.Stderr }()
	err := fmt.Errorf("wrapped: %w", &SaveError{Dir: "mlp", Bytes: 2_900_000, Err: errors.New("save mlp: no space left on device")})
	h := Must(History{Loss: []float64{0.3}}, err)
	Check(err)
	if len(h.Loss) != 1 {
		t.Errorf("Must returned %v", h)
	}
	if want := "warning: wrapped: fit: the model is trained, but it could not be saved: save mlp: no space left on device. The checkpoint needs 2.9 MB"; strings.Count(got.String(), want) != 2 {
		t.Errorf("warnings:\n%s\nwant twice: %s", got.String(), want)
	}
}

// Any other error still stops the cell: a child process calls Check and must exit
// with the error's message.
func TestCheckStopsOnOtherErrors(t *testing.T) {
	if os.Getenv("MNISTLIB_TEST_CHECK") != "" {
		Check(errors.New("no MNIST data"))
		fmt.Println("WENT ON")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckStopsOnOtherErrors$")
	cmd.Env = append(os.Environ(), "MNISTLIB_TEST_CHECK=1")
	out, err := cmd.CombinedOutput()
	if err == nil || strings.Contains(string(out), "WENT ON") || !strings.Contains(string(out), "no MNIST data") {
		t.Errorf("Check of another error: %v\n%s", err, out)
	}
}
