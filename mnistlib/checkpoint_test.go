package mnistlib

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonb-mnist/workbook/internal/checkpoint"
	"github.com/gonb-mnist/workbook/internal/safefile"
)

// smallModel is a quick MLP whose weights its seed fixes.
func smallModel(t testing.TB, seed int64) *Model {
	m := NewSequential()
	m.Add(Dense{Units: 8, InputDim: 784})
	m.Add(Dense{Units: 10, Activation: "softmax"})
	m.Seed, m.Out = seed, nil
	if err := m.build(); err != nil { // Now, not in concurrent Saves: the backend is chosen once.
		t.Fatal(err)
	}
	return m
}

// predictions of m on a few synthetic digits, to tell two models apart.
func predictions(t testing.TB, m *Model) [][]float32 {
	x, _ := syntheticData(5, 9)
	p, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// leftovers lists the folders a Save of dir makes beside it that are still there.
func leftovers(t testing.TB, dir string) []string {
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if safefile.IsPrivate(e.Name(), checkpoint.PrivatePrefix(dir, "tmp")) || safefile.IsPrivate(e.Name(), checkpoint.PrivatePrefix(dir, "old")) {
			names = append(names, e.Name())
		}
	}
	return names
}

// userFiles writes the user's files (path → content) and returns a check that
// they are all still there, unchanged.
func userFiles(t *testing.T, files map[string]string) func() {
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		for path, content := range files {
			if got, err := os.ReadFile(path); err != nil || string(got) != content {
				t.Errorf("the user's %s is lost or changed: %q, %v", path, got, err)
			}
		}
	}
}

// Save never deletes what it did not make: a file or a foreign folder at the
// target is refused, and folders beside it are left alone.
func TestCheckpointSaveKeepsUserFiles(t *testing.T) {
	m := smallModel(t, 1)
	for _, tc := range []struct {
		name    string
		files   func(dir string) map[string]string
		wantErr string // "" for a Save that succeeds
	}{
		{"target is a file", func(dir string) map[string]string { return map[string]string{dir: "my notes"} }, "is a file"},
		{"target is a foreign folder", func(dir string) map[string]string {
			return map[string]string{filepath.Join(dir, "notes.txt"): "keep me"}
		}, "not a checkpoint"},
		{"the user's <dir>.old beside it", func(dir string) map[string]string {
			return map[string]string{filepath.Join(dir+".old", "notes.txt"): "my backup"}
		}, ""},
		{"the user's <dir>.tmp-1 beside it", func(dir string) map[string]string {
			return map[string]string{filepath.Join(dir+".tmp-1", "notes.txt"): "mine"}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "mlp")
			intact := userFiles(t, tc.files(dir))
			for range 2 { // The second Save replaces a checkpoint, with the swap's renames.
				err := m.Save(dir)
				if tc.wantErr == "" && err != nil {
					t.Fatal(err)
				}
				if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), dir)) {
					t.Fatalf("Save: %v, want an error naming %s with %q", err, dir, tc.wantErr)
				}
			}
			intact()
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("Save left %v", left)
			}
		})
	}
}

// checkSavable answers before training, and leaves nothing behind.
func TestCheckpointSavable(t *testing.T) {
	m := smallModel(t, 1)
	for _, tc := range []struct {
		name    string
		setUp   func(t *testing.T, dir string) string // returns the dir to check
		wantErr string
	}{
		{"absent", func(t *testing.T, dir string) string { return dir }, ""},
		{"absent parents", func(t *testing.T, dir string) string { return filepath.Join(dir, "a", "b", "mlp") }, ""},
		{"empty folder", func(t *testing.T, dir string) string {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			return dir
		}, ""},
		{"checkpoint", func(t *testing.T, dir string) string {
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			return dir
		}, ""},
		{"file", func(t *testing.T, dir string) string {
			userFiles(t, map[string]string{dir: "x"})
			return dir
		}, "is a file"},
		{"foreign folder", func(t *testing.T, dir string) string {
			userFiles(t, map[string]string{filepath.Join(dir, "a.txt"): "x"})
			return dir
		}, "not a checkpoint"},
		{"parent is a file", func(t *testing.T, dir string) string {
			userFiles(t, map[string]string{dir: "x"})
			return filepath.Join(dir, "mlp")
		}, "cannot save"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := tc.setUp(t, filepath.Join(root, "mlp"))
			before := tree(root)
			err := checkSavable(dir, 0)
			if tc.wantErr == "" && err != nil {
				t.Errorf("checkSavable(%s): %v", dir, err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), dir)) {
				t.Errorf("checkSavable(%s): %v, want an error naming it with %q", dir, err, tc.wantErr)
			}
			if after := tree(root); !slices.Equal(before, after) {
				t.Errorf("checkSavable changed the folders: %v → %v", before, after)
			}
		})
	}
}

// tree lists the paths under root.
func tree(root string) []string {
	var paths []string
	_ = filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err == nil {
			paths = append(paths, path)
		}
		return nil
	})
	return paths
}

// Programs saving one checkpoint at once all succeed, the last whole save wins,
// and readers meanwhile always find a whole checkpoint. The writers share two
// models (Save only reads a model), so that building them does not dominate.
func TestCheckpointConcurrentSaves(t *testing.T) {
	if !safefile.LocksWork {
		t.Skip("no file lock on " + runtime.GOOS)
	}
	dir := filepath.Join(t.TempDir(), "mlp")
	models := []*Model{smallModel(t, 1), smallModel(t, 2)}
	want := map[int64][][]float32{1: predictions(t, models[0]), 2: predictions(t, models[1])}
	if err := models[0].Save(dir); err != nil {
		t.Fatal(err)
	}
	const writers, saves = 8, 5
	errs := make(chan error, writers*saves+10000)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for range saves {
				if err := models[i%2].Save(dir); err != nil {
					errs <- err
				}
			}
		})
	}
	// Two readers: Load as a user calls it, and the file reading alone, many times
	// (Load spends most of its time building the model, outside the lock).
	done := make(chan struct{})
	var loads, reads int
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			if _, err := Load(dir); err != nil {
				errs <- fmt.Errorf("concurrent Load: %w", err)
			}
			loads++
			select {
			case <-done:
				return
			default:
			}
		}
	})
	readers.Go(func() {
		for {
			if _, err := readCheckpoint(dir, nil); err != nil && len(errs) < cap(errs) {
				errs <- fmt.Errorf("concurrent read: %w", err)
			}
			reads++
			select {
			case <-done:
				return
			default:
			}
		}
	})
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d saves, %d loads, %d reads", writers*saves, loads, reads)
	checkOneOf(t, dir, want)
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("saves left %v", left)
	}
}

// checkOneOf checks that dir loads and holds one of the models in want (seed → predictions).
func checkOneOf(t *testing.T, dir string, want map[int64][][]float32) {
	t.Helper()
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := predictions(t, m)
	if !reflect.DeepEqual(p, want[m.Seed]) {
		t.Errorf("the checkpoint (seed %d) does not hold the model saved with that seed", m.Seed)
	}
}

// A program killed while saving, at any moment, leaves a checkpoint that loads
// (the last good one, or the new one), and the next Save clears its leftovers.
// The child process re-runs this test binary and saves in a loop until killed,
// one model whose history it changes before each Save.
func TestCheckpointSurvivesKill(t *testing.T) {
	if dir := os.Getenv("MNISTLIB_TEST_SAVE_LOOP"); dir != "" {
		m := smallModel(t, 1)
		fmt.Println("SAVING")
		for i := 1; ; i++ {
			m.History = History{Loss: []float64{float64(i)}, Accuracy: []float64{0}}
			if err := m.Save(dir); err != nil {
				fmt.Println("SAVE FAILED:", err)
				os.Exit(1)
			}
		}
	}
	if testing.Short() {
		t.Skip("starts 15 processes")
	}
	const rounds = 15
	dir := filepath.Join(t.TempDir(), "mlp")
	m := smallModel(t, 1)
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	want, err := readCheckpoint(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	leftBehind, backups := 0, 0
	for round := range rounds {
		delay := time.Duration(rng.IntN(30_000)) * time.Microsecond
		killWhileSaving(t, dir, delay)
		if len(leftovers(t, dir)) > 0 {
			leftBehind++
		}
		got, err := readCheckpoint(dir, nil)
		if err != nil {
			t.Fatalf("round %d (killed %v after it started saving): %v", round, delay, err)
		}
		if got.dir != dir {
			backups++
		}
		if !slices.Equal(got.weights, want.weights) || len(got.history.Loss) > 1 {
			t.Errorf("round %d: the checkpoint holds another model: history %+v", round, got.history)
		}
	}
	t.Logf("%d kills: %d left folders behind, %d between the renames (read from the backup)", rounds, leftBehind, backups)
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("the next Save did not clear what killed saves left: %v", left)
	}
	checkOneOf(t, dir, map[int64][][]float32{1: predictions(t, m)})
}

// killWhileSaving starts a child saving to dir in a loop and kills it (SIGKILL)
// delay after it started.
func killWhileSaving(t *testing.T, dir string, delay time.Duration) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointSurvivesKill$")
	cmd.Env = append(os.Environ(), "MNISTLIB_TEST_SAVE_LOOP="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "SAVING" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child: %q", lines.Text())
	}
	time.Sleep(delay)
	_ = cmd.Process.Kill()
	for lines.Scan() { // Until the dead child's pipe closes; a failed Save says so.
		if strings.HasPrefix(lines.Text(), "SAVE FAILED") {
			t.Errorf("child: %s", lines.Text())
		}
	}
	_ = cmd.Wait()
}

// Every field of model.json is covered by the checksum: an edited offset, learning
// rate or flag is refused as corrupt; spacing and key order are not edits; an older
// format is refused. The edits go through a generic JSON value, as a hand edit would.
func TestCheckpointManifestChecked(t *testing.T) {
	m := smallModel(t, 1)
	type obj = map[string]any
	lastVariable := func(man obj) obj { vs := man["variables"].([]any); return vs[len(vs)-1].(obj) }
	for _, tc := range []struct {
		name    string
		edit    func(man obj)
		wantErr []string // nil: it loads
	}{
		{"spacing and key order only", func(obj) {}, nil},
		{"offset", func(man obj) { lastVariable(man)["offset"] = 0 }, []string{"corrupt", "restore a good copy"}},
		{"learning rate", func(man obj) { man["model"].(obj)["learning_rate"] = 0.01 }, []string{"corrupt"}},
		{"trainable flag", func(man obj) { v := lastVariable(man); v["trainable"] = !v["trainable"].(bool) }, []string{"corrupt"}},
		{"fitted epochs", func(man obj) { man["fitted"].(obj)["epochs"] = 7 }, []string{"corrupt"}},
		{"layer units", func(man obj) {
			man["model"].(obj)["layers"].([]any)[0].(obj)["config"].(obj)["units"] = 9
		}, []string{"corrupt"}},
		{"older format", func(man obj) { man["format"] = "mnistlib-checkpoint/2" }, []string{"format", "mnistlib-checkpoint/2", "train again"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "mlp")
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, checkpoint.ManifestFile)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var man obj
			if err := json.Unmarshal(data, &man); err != nil {
				t.Fatal(err)
			}
			if lastVariable(man)["offset"] == 0.0 {
				t.Fatal("the last variable is at offset 0: the offset edit would change nothing")
			}
			tc.edit(man)
			if data, err = json.MarshalIndent(man, "", "\t"); err != nil { // keys sorted
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(dir)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tc.wantErr != nil && err == nil {
				t.Fatal("Load took the edited checkpoint")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), dir) {
					t.Errorf("Load: %v, want an error naming %s with %q", err, dir, want)
				}
			}
		})
	}
}

// killSwapAt saves m to dir as a Save killed at the given step of its swap
// would: checkpoint.SwapStep panics there, and nothing after it runs (the deferred clean-up
// sees no error, as a killed process runs none). The temporary folder's lock is
// dropped, as the kernel drops a dead process's.
func killSwapAt(t *testing.T, m *Model, dir, step string) {
	t.Helper()
	type killed struct{}
	checkpoint.SwapStep = func(s string) {
		if s == step {
			panic(killed{})
		}
	}
	defer func() {
		checkpoint.SwapStep = func(string) {}
		if r := recover(); r != (killed{}) {
			t.Fatalf("the Save was not stopped at %q: %v", step, r)
		}
	}()
	_ = m.Save(dir)
}

// A Save killed at any step of its swap leaves the last good checkpoint, or the new
// one, to Load; the next Save finishes or clears what it left, but not a running
// save's folder. A checkpoint deleted afterwards stays deleted: the backup is never
// read once the swap it belongs to has put the new folder in place.
func TestCheckpointRecoversInterruptedSwap(t *testing.T) {
	if !safefile.LocksWork {
		t.Skip("no file lock on " + runtime.GOOS)
	}
	for _, tc := range []struct {
		step     string
		wantSeed int64 // the model Load finds after the kill
	}{
		{"journal", 1},
		{"backup", 1}, // between the renames: read from the backup
		{"swapped", 2},
	} {
		t.Run(tc.step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "mlp")
			if err := smallModel(t, 1).Save(dir); err != nil {
				t.Fatal(err)
			}
			killSwapAt(t, smallModel(t, 2), dir, tc.step)
			if m, err := Load(dir); err != nil || m.Seed != tc.wantSeed {
				t.Fatalf("Load after a save killed at %q: %v, %v; want seed %d", tc.step, m, err, tc.wantSeed)
			}
			running, lock, err := checkpoint.NewTempFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Close()
			if err := checkSavable(dir, 0); err != nil {
				t.Error(err)
			}
			m3 := smallModel(t, 3)
			if err := m3.Save(dir); err != nil {
				t.Fatal(err)
			}
			if left := leftovers(t, dir); !slices.Equal(left, []string{filepath.Base(running)}) {
				t.Errorf("after the Save: %v, want only the running save's %s", left, filepath.Base(running))
			}
			if _, err := os.Lstat(checkpoint.JournalPath(dir)); err == nil {
				t.Error("the Save left its journal")
			}
			lock.Close() // That save dies: the next Save clears its folder.
			if err := m3.Save(dir); err != nil {
				t.Fatal(err)
			}
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("left %v", left)
			}
			if m, err := Load(dir); err != nil || m.Seed != 3 {
				t.Errorf("Load: seed %v, %v", m, err)
			}
		})
	}
}

// The journal of a swap is read back right whatever the checkpoint's name holds:
// spaces, Chinese, the longest name (233 bytes), and, for model.Save(folder), which
// takes any folder, a newline. A Save killed between its renames leaves the last
// good checkpoint to Load, and the next Save puts it back instead of removing it.
func TestCheckpointJournalOddNames(t *testing.T) {
	if !safefile.LocksWork {
		t.Skip("no file lock on " + runtime.GOOS)
	}
	for _, name := range []string{"my model", "模型 v2", strings.Repeat("模", 77) + "ab", "a\nb", "a\n.b.old-0123456789abcdef\n"} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			if err := smallModel(t, 1).Save(dir); err != nil {
				t.Fatal(err)
			}
			killSwapAt(t, smallModel(t, 2), dir, "backup")
			if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("the checkpoint is there after a save killed between its renames: %v", err)
			}
			if m, err := Load(dir); err != nil || m.Seed != 1 {
				t.Fatalf("Load after a save killed mid-swap: %v, %v; want the last good checkpoint", m, err)
			}
			if err := smallModel(t, 3).Save(dir); err != nil {
				t.Fatal(err)
			}
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("left %v", left)
			}
			if m, err := Load(dir); err != nil || m.Seed != 3 {
				t.Errorf("Load after the next Save: %v, %v", m, err)
			}
		})
	}
}

// After a save killed once its new folder was in place, a backup and the journal
// stay beside the checkpoint; when the learner then deletes the checkpoint, it is
// gone: Load says there is none instead of bringing back the older model.
func TestCheckpointDeletedStaysDeleted(t *testing.T) {
	for _, step := range []string{"swapped", ""} {
		t.Run("killed at "+cmp.Or(step, "no step: a backup without a journal"), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "mlp")
			if err := smallModel(t, 1).Save(dir); err != nil {
				t.Fatal(err)
			}
			if step != "" {
				killSwapAt(t, smallModel(t, 2), dir, step)
			} else if err := os.Rename(dir, safefile.PrivateName(filepath.Dir(dir), checkpoint.PrivatePrefix(dir, "old"))); err != nil {
				t.Fatal(err) // a backup as older versions left it, no journal
			}
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if left := leftovers(t, dir); len(left) == 0 {
				t.Fatal("no backup left beside the checkpoint: the test tests nothing")
			}
			m, err := Load(dir)
			if err == nil || !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Load of a deleted checkpoint: %v, %v; want no checkpoint", m, err)
			}
			if err := smallModel(t, 3).Save(dir); err != nil {
				t.Fatal(err)
			}
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("the next Save left %v", left)
			}
		})
	}
}

// Fit finds out before training that its Checkpoint folder cannot be saved to.
func TestFitCheckpointUnsavable(t *testing.T) {
	x, y := syntheticData(100, 4)
	for _, tc := range []struct {
		name  string
		setUp func(t *testing.T, folder string) string // returns the checkpoints folder, which holds "mlp"
		skip  string
	}{
		{"foreign folder", func(t *testing.T, folder string) string {
			userFiles(t, map[string]string{filepath.Join(folder, "mlp", "notes.txt"): "keep me"})
			return folder
		}, ""},
		{"a file", func(t *testing.T, folder string) string {
			userFiles(t, map[string]string{filepath.Join(folder, "mlp"): "keep me"})
			return folder
		}, ""},
		{"checkpoints folder is a file", func(t *testing.T, folder string) string {
			userFiles(t, map[string]string{folder: "keep me"})
			return folder
		}, ""},
		{"read-only parent", func(t *testing.T, folder string) string {
			if err := os.Chmod(filepath.Dir(folder), 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.Chmod(filepath.Dir(folder), 0o755) })
			return folder
		}, map[bool]string{true: "root writes to read-only folders"}[os.Geteuid() == 0]},
		{"read-only file system", func(t *testing.T, folder string) string { return "/proc/mnistlib-test" },
			map[bool]string{false: "no /proc"}[runtime.GOOS == "linux"]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			folder := tc.setUp(t, filepath.Join(t.TempDir(), "checkpoints"))
			t.Setenv(EnvCheckpoints, folder)
			t.Setenv(EnvQuick, "")
			dir := filepath.Join(folder, "mlp")
			m := smallModel(t, 1)
			_, err := m.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"})
			if err == nil || !strings.HasPrefix(err.Error(), "fit: ") || !strings.Contains(err.Error(), dir) {
				t.Errorf("Fit: %v, want an error naming %s", err, dir)
			}
			if len(m.History.Loss) > 0 {
				t.Errorf("Fit trained %d epoch(s) before finding out", len(m.History.Loss))
			}
		})
	}
}

// A model with more parameters than a checkpoint holds is refused before
// training, when Fit has a checkpoint to save to: no load could read it back.
func TestFitRefusesModelTooLargeToSave(t *testing.T) {
	x, y := syntheticData(100, 4)
	t.Setenv(EnvCheckpoints, t.TempDir())
	t.Setenv(EnvQuick, "")
	m := NewSequential()
	m.Add(Dense{Units: 21_400, InputDim: 784, Activation: "relu"}) // 16,797,400 parameters
	m.Add(Dense{Units: 10, Activation: "softmax"})
	m.Compile("categorical_crossentropy", "adam", "accuracy")
	_, err := m.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "wide"})
	if err == nil || !strings.Contains(err.Error(), "more than the 16777216 a checkpoint holds") {
		t.Errorf("Fit: %v, want the model refused for its size", err)
	}
	if len(m.History.Loss) > 0 {
		t.Errorf("Fit trained %d epoch(s) before finding out", len(m.History.Loss))
	}
}

// Loading a folder of the user's that is not a checkpoint says so and leaves
// nothing beside it (no lock file).
func TestLoadForeignFolderLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	images := filepath.Join(parent, "images")
	if err := os.Mkdir(images, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(images); err == nil || !strings.Contains(err.Error(), "no model.json") {
		t.Errorf("Load of a folder without model.json: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("Load left files beside the folder: %v", entries)
	}
}
