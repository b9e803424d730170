package mnistlib

// Checkpoints that someone edited: each test builds its own hostile folder in a
// temporary directory and checks that Load (and Fit, looking for a checkpoint of
// that name) answers with a clear error, without crashing, hanging, taking the
// memory the folder asks for, or writing anything where a link points.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gonb-mnist/workbook/internal/checkpoint"
	"github.com/gonb-mnist/workbook/internal/safefile"
)

// savedCheckpoint saves a small model to root/mlp and returns that folder.
func savedCheckpoint(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(root, "mlp")
	if err := smallModel(t, 1).Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadWithin loads dir, failing the test if Load hangs or panics.
func loadWithin(t *testing.T, dir string) (*Model, error) {
	t.Helper()
	type result struct {
		m   *Model
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{nil, fmt.Errorf("PANIC: %v", r)}
			}
		}()
		m, err := Load(dir)
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && strings.HasPrefix(r.err.Error(), "PANIC") {
			t.Fatalf("Load panicked: %v", r.err)
		}
		return r.m, r.err
	case <-time.After(20 * time.Second):
		t.Fatal("Load hangs")
		return nil, nil
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
}

// A checkpoint file that is a link to a device, a FIFO or a folder, or that holds
// more bytes than it should, is refused before it is read; a link to a regular
// file inside the folder is read. After each, a Save of the same name succeeds
// (no lock is left held).
func TestCheckpointHostileFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  []string // nil: it loads
	}{
		{"weights.bin links to /dev/zero", func(t *testing.T, dir string) {
			replaceWithLink(t, filepath.Join(dir, checkpoint.WeightsFile), "/dev/zero")
		}, []string{checkpoint.WeightsFile, "link to /dev/zero", "outside the checkpoint folder"}},
		{"model.json links to /dev/zero", func(t *testing.T, dir string) {
			replaceWithLink(t, filepath.Join(dir, checkpoint.ManifestFile), "/dev/zero")
		}, []string{checkpoint.ManifestFile, "link to /dev/zero", "outside the checkpoint folder"}},
		{"weights.bin links to a FIFO in the folder", func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "pipe"))
			replaceWithLink(t, filepath.Join(dir, checkpoint.WeightsFile), "pipe")
		}, []string{checkpoint.WeightsFile, "FIFO", "not a regular file"}},
		{"weights.bin is a FIFO", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, checkpoint.WeightsFile))
			mkfifo(t, filepath.Join(dir, checkpoint.WeightsFile))
		}, []string{checkpoint.WeightsFile, "FIFO"}},
		{"model.json is a FIFO", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, checkpoint.ManifestFile))
			mkfifo(t, filepath.Join(dir, checkpoint.ManifestFile))
		}, []string{checkpoint.ManifestFile, "FIFO"}},
		{"weights.bin is a folder", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, checkpoint.WeightsFile))
			os.Mkdir(filepath.Join(dir, checkpoint.WeightsFile), 0o755)
		}, []string{checkpoint.WeightsFile, "a folder"}},
		{"weights.bin links to a copy outside", func(t *testing.T, dir string) {
			outside := filepath.Join(filepath.Dir(dir), "weights-copy.bin")
			if err := os.Rename(filepath.Join(dir, checkpoint.WeightsFile), outside); err != nil {
				t.Fatal(err)
			}
			symlink(t, outside, filepath.Join(dir, checkpoint.WeightsFile))
		}, []string{checkpoint.WeightsFile, "outside the checkpoint folder", "copy of the file"}},
		{"weights.bin links to a file in the folder", func(t *testing.T, dir string) {
			if err := os.Rename(filepath.Join(dir, checkpoint.WeightsFile), filepath.Join(dir, "w.bin")); err != nil {
				t.Fatal(err)
			}
			symlink(t, "w.bin", filepath.Join(dir, checkpoint.WeightsFile))
		}, nil},
		{"weights.bin longer than declared", func(t *testing.T, dir string) {
			appendBytes(t, filepath.Join(dir, checkpoint.WeightsFile), make([]byte, 1<<20))
		}, []string{checkpoint.WeightsFile, "bytes, but model.json declares", "different saves"}},
		{"weights.bin cut short", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, checkpoint.WeightsFile), 100); err != nil {
				t.Fatal(err)
			}
		}, []string{checkpoint.WeightsFile, "holds 100 bytes"}},
		{"model.json over 4 MiB", func(t *testing.T, dir string) {
			appendBytes(t, filepath.Join(dir, checkpoint.ManifestFile), bytes.Repeat([]byte(" "), checkpoint.MaxManifestBytes))
		}, []string{checkpoint.ManifestFile, "more than the 4194304"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := savedCheckpoint(t, t.TempDir())
			tc.spoil(t, dir)
			_, err := loadWithin(t, dir)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
			} else {
				assertErrorMentions(t, err, append(tc.want, dir)...)
			}
			done := make(chan error, 1)
			go func() { done <- smallModel(t, 2).Save(dir) }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("a Save after the Load: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("a Save after the Load hangs: the lock is still held")
			}
			if m, err := Load(dir); err != nil || m.Seed != 2 {
				t.Errorf("Load after the Save: %v, %v", m, err)
			}
		})
	}
}

func replaceWithLink(t *testing.T, path, target string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	symlink(t, target, path)
}

func appendBytes(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

// craft edits a saved checkpoint's manifest as a generic JSON value, as a hand
// edit would, and writes a checksum that matches the edit: the folder passes
// the check against damage, and Load must find what is wrong by itself.
func craft(t *testing.T, dir string, edit func(man map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, checkpoint.ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	edit(generic)
	if data, err = json.Marshal(generic); err != nil {
		t.Fatal(err)
	}
	man := checkpoint.Manifest{History: &History{}, Fitted: &FitParams{}} // as Load reads it
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatalf("the crafted manifest does not decode: %v", err)
	}
	weights, err := os.ReadFile(filepath.Join(dir, checkpoint.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	if generic["sha256"], err = checkpoint.Checksum(man, weights); err != nil {
		t.Fatal(err)
	}
	if data, err = json.Marshal(generic); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
}

type jsonObj = map[string]any

func layerConfig(man jsonObj, i int) jsonObj {
	return man["model"].(jsonObj)["layers"].([]any)[i].(jsonObj)["config"].(jsonObj)
}

func variable(man jsonObj, path string) jsonObj {
	for _, v := range man["variables"].([]any) {
		if v.(jsonObj)["path"] == path {
			return v.(jsonObj)
		}
	}
	panic("no variable " + path)
}

// craftedManifests are edits of a small MLP's model.json (Dense 8, Dense 10)
// whose checksums match, and what Load's error must say about each.
var craftedManifests = []struct {
	name string
	edit func(man jsonObj)
	want []string
}{
	{"Dense of 20 million units", func(man jsonObj) { layerConfig(man, 0)["units"] = 20_000_000 },
		[]string{"layer 1 (Dense)", "more than 16777216 parameters"}},
	{"Dense of 10^9 units", func(man jsonObj) { layerConfig(man, 0)["units"] = 1_000_000_000 },
		[]string{"layer 1 (Dense)", "more than 16777216 parameters"}},
	{"Dense of 9 units, 8 saved", func(man jsonObj) { layerConfig(man, 0)["units"] = 9 },
		[]string{"have 7165 parameters", "trainable variables hold 6370"}},
	{"Dense of 0 units", func(man jsonObj) { layerConfig(man, 0)["units"] = 0 },
		[]string{"layer 1", "Units must be positive"}},
	{"Dense of -8 units", func(man jsonObj) { layerConfig(man, 0)["units"] = -8 },
		[]string{"layer 1", "Units must be positive"}},
	{"unknown activation", func(man jsonObj) { layerConfig(man, 0)["activation"] = "swishy" },
		[]string{"layer 1", `unknown activation "swishy"`}},
	{"unknown layer class", func(man jsonObj) {
		man["model"].(jsonObj)["layers"].([]any)[0].(jsonObj)["class_name"] = "Lambda"
	}, []string{"layer 1", `unknown class "Lambda"`}},
	{"no layers", func(man jsonObj) { man["model"].(jsonObj)["layers"] = []any{} },
		[]string{"no layers"}},
	{"2000 layers", func(man jsonObj) {
		layers := man["model"].(jsonObj)["layers"].([]any)
		man["model"].(jsonObj)["layers"] = slices.Repeat([]any{layers[0]}, 2000)
	}, []string{"2000 layers, more than the 1000"}},
	{"negative dimension", func(man jsonObj) { variable(man, "/dense/dense/weights")["shape"] = []any{-784, -8} },
		[]string{"/dense/dense/weights", "every dimension must be positive"}},
	{"zero dimension", func(man jsonObj) { variable(man, "/dense/dense/biases")["shape"] = []any{0} },
		[]string{"/dense/dense/biases", "every dimension must be positive"}},
	{"unknown dtype", func(man jsonObj) { variable(man, "/#rngState")["dtype"] = "InvalidDType" },
		[]string{"/#rngState", "dtype InvalidDType"}},
	{"dtype no checkpoint holds", func(man jsonObj) { variable(man, "/#rngState")["dtype"] = "Complex128" },
		[]string{"/#rngState", "dtype Complex128"}},
	{"float64 weights", func(man jsonObj) {
		v := variable(man, "/dense/dense/biases")
		v["dtype"], v["bytes"] = "Float64", 64
	}, []string{"/dense/dense/biases", "Float64", "Float32"}},
	{"a variable of 62 GB", func(man jsonObj) {
		v := variable(man, "/dense/dense/weights")
		v["shape"], v["bytes"] = []any{784, 20_000_000}, 62_720_000_000
	}, []string{"/dense/dense/weights", "at most 4294967296 bytes"}},
	{"bytes that overlap", func(man jsonObj) { variable(man, "/dense/dense/biases")["offset"] = 24 },
		[]string{"/dense/dense/biases", "offset 24"}},
	{"weights with their shape turned", func(man jsonObj) {
		variable(man, "/dense/dense/weights")["shape"] = []any{8, 784}
	}, []string{"its weights do not fit its layers", "/dense/dense/weights"}},
	{"weights of two layers swapped", func(man jsonObj) {
		a, b := variable(man, "/dense/dense/biases"), variable(man, "/dense_1/dense/biases")
		a["path"], b["path"] = b["path"], a["path"]
	}, []string{"its weights do not fit its layers", "biases"}},
	{"negative learning rate", func(man jsonObj) { man["model"].(jsonObj)["learning_rate"] = -1 },
		[]string{"learning rate -1"}},
	{"history out of step", func(man jsonObj) {
		man["history"] = jsonObj{"loss": []any{1, 2}, "accuracy": []any{0.5}}
	}, []string{"history", "1 values of accuracy for 2 epochs"}},
	{"a graph function", func(man jsonObj) { man["model"].(jsonObj)["graph_function"] = true },
		[]string{"FromGraph"}},
}

// unbuiltModel is smallModel before its first use, as a notebook cell makes it.
func unbuiltModel(seed int64) *Model {
	m := NewSequential()
	m.Add(Dense{Units: 8, InputDim: 784})
	m.Add(Dense{Units: 10, Activation: "softmax"})
	m.Seed, m.Out, m.Progress = seed, nil, nil
	return m
}

// A model.json crafted with a matching checksum is checked before anything is
// built: a clear error naming the folder and what is wrong, never a panic. Fit,
// finding it under the name it saves to (the checkpoint of this very model and
// training, but for the edit), trains anew and replaces it.
func TestCheckpointCraftedManifest(t *testing.T) {
	x, y := syntheticData(100, 4)
	fit := FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"}
	for _, tc := range craftedManifests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			t.Setenv(EnvCheckpoints, root)
			t.Setenv(EnvQuick, "")
			var log bytes.Buffer
			messages := Messages
			Messages = &log
			defer func() { Messages = messages }()
			if _, err := unbuiltModel(1).Fit(x, y, fit); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(root, "mlp")
			craft(t, dir, tc.edit)
			_, err := loadWithin(t, dir)
			want := append(tc.want, dir)
			if !slices.Contains(tc.want, "FromGraph") { // whose fix is LoadWeights
				want = append(want, "delete the folder")
			}
			assertErrorMentions(t, err, want...)

			log.Reset()
			m := unbuiltModel(1)
			if _, err := m.Fit(x, y, fit); err != nil {
				t.Fatalf("Fit: %v", err)
			}
			if !strings.Contains(log.String(), "training anew") && !strings.Contains(log.String(), "is kept beside this one") || len(m.History.Loss) != 1 {
				t.Errorf("Fit did not train anew: %q, history %v", log.String(), m.History.Loss)
			}
			if _, err := Load(dir); err != nil {
				t.Errorf("the checkpoint Fit saved instead: %v", err)
			}
		})
	}
}

// Each checkpoint name that is not one folder name is refused, by Fit before it
// trains and by LoadCheckpoint, with an error that says what a name may be; nothing
// is written outside the checkpoints folder.
func TestCheckpointNames(t *testing.T) {
	x, y := syntheticData(100, 4)
	root := t.TempDir()
	folder := filepath.Join(root, "a", "b", "checkpoints")
	t.Setenv(EnvCheckpoints, folder)
	t.Setenv(EnvQuick, "")
	for _, name := range []string{"../../x", "..", ".", ".hidden", "a/b", `a\b`, "/tmp/x", "c:x", "mlp\x00",
		"a\nb", "a\tb", "a\x7fb", "a\xffb", "mlp\u202e"} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			before := tree(root)
			m := smallModel(t, 1)
			_, err := m.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: name})
			assertErrorMentions(t, err, fmt.Sprintf("%q", name), "one folder name", `no "/"`, "model.Save(folder)")
			if len(m.History.Loss) > 0 {
				t.Error("Fit trained before refusing the name")
			}
			_, err = LoadCheckpoint(name)
			assertErrorMentions(t, err, fmt.Sprintf("%q", name), "one folder name")
			if after := tree(root); !slices.Equal(before, after) {
				t.Errorf("files appeared: %v", slices.DeleteFunc(after, func(p string) bool { return slices.Contains(before, p) }))
			}
		})
	}
	_, err := LoadCheckpoint("")
	assertErrorMentions(t, err, `""`, "one folder name")
	for _, name := range []string{"mlp", "cnn_2", "my model", "mlp.v2", "模型 v2", "mlp\u3000b"} {
		if _, err := checkpointPath(name); err != nil {
			t.Errorf("checkpointPath(%q): %v", name, err)
		}
	}
}

// A checkpoint name is at most 233 bytes, whatever its characters: Save keeps a
// private folder ".NAME.tmp-<16 hex digits>" beside it, and a file name has at
// most 255 bytes. A name of 233 trains, saves, loads and keeps a variant; one of
// 234 is refused before training, with that reason, by Fit, LoadCheckpoint and
// Save.
func TestCheckpointNameLength(t *testing.T) {
	x, y := syntheticData(100, 4)
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{strings.Repeat("a", 233), true},
		{strings.Repeat("a", 234), false},
		{strings.Repeat("模", 77) + "ab", true}, // 3 bytes each: 233
		{strings.Repeat("模", 78), false},       // 234
		{strings.Repeat("a", 255), false},
	} {
		t.Run(fmt.Sprintf("%d bytes, %d characters", len(tc.name), utf8.RuneCountInString(tc.name)), func(t *testing.T) {
			root := quietCheckpoints(t)
			fit := FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: tc.name}
			m := unbuiltModel(1)
			_, err := m.Fit(x, y, fit)
			if tc.ok {
				if err != nil {
					t.Fatalf("Fit: %v", err)
				}
				if _, err := unbuiltModel(2).Fit(x, y, fit); err != nil { // the first waits as a variant
					t.Fatalf("Fit of another model: %v", err)
				}
				if vs, err := Variants(tc.name); err != nil || len(vs) != 2 {
					t.Errorf("Variants: %v, %v", vs, err)
				}
				if m, err := LoadCheckpoint(tc.name); err != nil || m.Seed != 2 {
					t.Errorf("LoadCheckpoint: %v, %v", m, err)
				}
				return
			}
			why := []string{fmt.Sprintf("name of %d bytes: at most 233", len(tc.name)), `".NAME.tmp-<16 hex digits>"`, "choose a shorter name"}
			assertErrorMentions(t, err, append([]string{"fit: checkpoint name"}, why...)...)
			if len(m.History.Loss) > 0 {
				t.Error("Fit trained before refusing the name")
			}
			_, err = LoadCheckpoint(tc.name)
			assertErrorMentions(t, err, why...)
			dir := filepath.Join(root, tc.name)
			err = smallModel(t, 1).Save(dir)
			assertErrorMentions(t, err, append([]string{"cannot save a checkpoint to " + dir, "its folder name"}, why...)...)
			if entries, _ := os.ReadDir(root); len(entries) > 0 {
				t.Errorf("files appeared: %v", entries)
			}
		})
	}
}

// A lock file that is a link (or a FIFO) is never followed: Load and Save say
// so, and nothing appears where the link points.
func TestCheckpointHostileLockFile(t *testing.T) {
	for _, kind := range []string{"link to a missing file", "link to a file", "FIFO"} {
		t.Run(kind, func(t *testing.T) {
			root := t.TempDir()
			dir := savedCheckpoint(t, root)
			target := filepath.Join(root, "elsewhere", "target")
			if err := os.Mkdir(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			os.Remove(checkpoint.LockPath(dir))
			switch kind {
			case "link to a file":
				writeFile(t, target, []byte("the user's"))
				fallthrough
			case "link to a missing file":
				symlink(t, target, checkpoint.LockPath(dir))
			case "FIFO":
				mkfifo(t, checkpoint.LockPath(dir))
			}
			before := tree(filepath.Dir(target))
			_, err := loadWithin(t, dir)
			assertErrorMentions(t, err, dir, "lock file", checkpoint.LockPath(dir), "remove it")
			err = smallModel(t, 2).Save(dir)
			assertErrorMentions(t, err, checkpoint.LockPath(dir), "remove it")
			t.Setenv(EnvCheckpoints, root)
			t.Setenv(EnvQuick, "")
			x, y := syntheticData(100, 4)
			m := unbuiltModel(2)
			_, err = m.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"})
			assertErrorMentions(t, err, "fit: cannot save", "lock file", checkpoint.LockPath(dir), "remove it")
			if len(m.History.Loss) > 0 {
				t.Error("Fit trained before finding out it cannot save")
			}
			if after := tree(filepath.Dir(target)); !slices.Equal(before, after) {
				t.Errorf("files changed where the link points: %v → %v", before, after)
			}
			if data, err := os.ReadFile(target); kind == "link to a file" && string(data) != "the user's" {
				t.Errorf("the file the link points to changed: %q, %v", data, err)
			}
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("left %v", left)
			}
			os.Remove(checkpoint.LockPath(dir)) // as the error says: then all is well again
			if m, err := Load(dir); err != nil || m.Seed != 1 {
				t.Errorf("Load once the lock file is removed: %v, %v", m, err)
			}
		})
	}
}

// A checkpoint folder that is a link is read through (its files must be inside the
// folder it leads to), but never replaced: Save and Fit refuse it and leave the
// link, the folder it leads to, and nothing else.
func TestCheckpointFolderIsALink(t *testing.T) {
	root := t.TempDir()
	real := savedCheckpoint(t, filepath.Join(root, "real"))
	folder := filepath.Join(root, "checkpoints")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(folder, "mlp")
	symlink(t, real, link)
	before := tree(root)
	if m, err := Load(link); err != nil || m.Seed != 1 {
		t.Fatalf("Load through the link: %v, %v", m, err)
	}
	err := smallModel(t, 2).Save(link)
	assertErrorMentions(t, err, link, "is a link", real, "not replacing it")
	t.Setenv(EnvCheckpoints, folder)
	t.Setenv(EnvQuick, "")
	x, y := syntheticData(100, 4)
	m := smallModel(t, 3)
	_, err = m.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"})
	assertErrorMentions(t, err, "fit", link, "is a link")
	if len(m.History.Loss) > 0 {
		t.Error("Fit trained before refusing the link")
	}
	after := slices.DeleteFunc(tree(root), func(p string) bool { return p == checkpoint.LockPath(link) })
	if !slices.Equal(before, after) {
		t.Errorf("files changed: %v → %v", before, after)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", info, err)
	}
	if m, err := Load(real); err != nil || m.Seed != 1 {
		t.Errorf("the real checkpoint: %v, %v", m, err)
	}
}

// A journal is read only for what it is: the names of a backup and a new folder
// of that same checkpoint. One naming anything else, or a link, is ignored.
func TestCheckpointHostileJournal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		journal func(t *testing.T, dir string)
	}{
		{"names outside the folder", func(t *testing.T, dir string) {
			writeFile(t, checkpoint.JournalPath(dir), []byte("../../etc\n../x\n"))
		}},
		{"names another checkpoint's backup", func(t *testing.T, dir string) {
			other := filepath.Join(filepath.Dir(dir), "cnn")
			writeFile(t, checkpoint.JournalPath(dir), []byte(filepath.Base(safefile.PrivateName("", checkpoint.PrivatePrefix(other, "old")))+"\n"+
				filepath.Base(safefile.PrivateName("", checkpoint.PrivatePrefix(other, "tmp")))+"\n"))
		}},
		{"a link to /dev/zero", func(t *testing.T, dir string) { symlink(t, "/dev/zero", checkpoint.JournalPath(dir)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := savedCheckpoint(t, t.TempDir())
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			tc.journal(t, dir)
			if _, err := loadWithin(t, dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Load: %v, want no checkpoint", err)
			}
			if err := smallModel(t, 2).Save(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(checkpoint.JournalPath(dir)); err == nil {
				t.Error("the Save left the journal")
			}
		})
	}
}

// Loading the hostile folders that took the memory they asked for, each in a
// child process whose peak memory is measured: links to /dev/zero (1.9 GB before,
// then out of memory) and Dense layers of 20 million and 10^9 units (2.6 GB, then
// a crash). It also measures the worst the workbook's notebooks save: the
// tutorial's CNN and the 1000-unit MLP of 05_better_mlp, trained an epoch (so
// with Adam's state).
func TestCheckpointLoadMemory(t *testing.T) {
	if dir := os.Getenv("MNISTLIB_TEST_LOAD_CHECKPOINT"); dir != "" {
		m, err := Load(dir)
		if err == nil {
			x, _ := syntheticData(5, 1)
			_, err = m.Predict(inputFor(m, x))
		}
		fmt.Printf("ERROR: %v\n", err)
		reportPeak()
		return
	}
	if testing.Short() {
		t.Skip("starts a child process per checkpoint")
	}
	x, y := syntheticData(40, 4)
	trained := func(m *Model) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			m.Out, m.Progress = nil, nil
			if _, err := m.Fit(inputFor(m, x), y, FitOptions{Epochs: 1, BatchSize: 20}); err != nil {
				t.Fatal(err)
			}
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
		}
	}
	mlp1000 := NewSequential()
	mlp1000.Add(Dense{Units: 1000, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
	mlp1000.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	hostile := func(spoil func(t *testing.T, dir string)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := smallModel(t, 1).Save(dir); err != nil {
				t.Fatal(err)
			}
			spoil(t, dir)
		}
	}
	for _, tc := range []struct {
		name    string
		make    func(t *testing.T, dir string)
		wantErr string // "" when it loads
	}{
		{"weights.bin links to /dev/zero", hostile(func(t *testing.T, dir string) {
			replaceWithLink(t, filepath.Join(dir, checkpoint.WeightsFile), "/dev/zero")
		}), "outside the checkpoint folder"},
		{"model.json links to /dev/zero", hostile(func(t *testing.T, dir string) {
			replaceWithLink(t, filepath.Join(dir, checkpoint.ManifestFile), "/dev/zero")
		}), "outside the checkpoint folder"},
		{"Dense of 20 million units", hostile(func(t *testing.T, dir string) {
			craft(t, dir, func(man jsonObj) { layerConfig(man, 0)["units"] = 20_000_000 })
		}), "more than 16777216 parameters"},
		{"Dense of 10^9 units", hostile(func(t *testing.T, dir string) {
			craft(t, dir, func(man jsonObj) { layerConfig(man, 0)["units"] = 1_000_000_000 })
		}), "more than 16777216 parameters"},
		{"the tutorial's CNN", trained(TutorialCNN(true)), ""},
		{"the 1000-unit MLP", trained(mlp1000), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "model")
			tc.make(t, dir)
			out, peak := peakInChild(t, "TestCheckpointLoadMemory", "MNISTLIB_TEST_LOAD_CHECKPOINT="+dir)
			t.Logf("peak memory of the child loading it: %d MiB", peak)
			if tc.wantErr == "" && !strings.Contains(out, "ERROR: <nil>") || !strings.Contains(out, tc.wantErr) {
				t.Errorf("the child's answer:\n%s", out)
			}
			if peak > 400 {
				t.Errorf("loading it took %d MiB at peak", peak)
			}
		})
	}
}

// A weights.bin of the right size whose bytes do not match the checksum is
// refused before it is held in memory: loading it allocates far less than the
// file holds (it is hashed as a stream first).
func TestCheckpointDamagedWeightsNotHeld(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mlp")
	m := NewSequential()
	m.Add(Dense{Units: 1000, InputDim: 784, Activation: "relu"})
	m.Add(Dense{Units: 10, Activation: "softmax"})
	m.Out = nil
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, checkpoint.WeightsFile)
	weights, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	weights[len(weights)/2] ^= 1
	writeFile(t, path, weights)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Load(dir)
	runtime.ReadMemStats(&after)
	assertErrorMentions(t, err, dir, "checksum", "does not match", checkpoint.WeightsFile)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("Load allocated %d bytes for a weights.bin of %d", allocated, len(weights))
	if allocated > uint64(len(weights))/4 {
		t.Errorf("Load allocated %d bytes before refusing a weights.bin of %d", allocated, len(weights))
	}
}

// A graph function's checkpoint lists no layers: it is read only into a model
// made with that function (LoadWeights), whose parameters bound it as layers
// would, so the crafted 2 GiB variable is refused there too; Load says to use
// LoadWeights before reading weights.bin.
func TestCheckpointGraphFunctionBounded(t *testing.T) {
	graphModel := func() *Model {
		m := FromGraph(func(scope *model.Scope, x *graph.Node) *graph.Node {
			return layers.Dense(scope.In("dense"), x, true, NumClasses)
		})
		m.Out, m.Progress = nil, nil
		return m
	}
	x, y := syntheticData(100, 4)
	m := graphModel()
	if _, err := m.Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "graph")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	again := graphModel()
	if err := again.LoadWeights(dir); err != nil {
		t.Fatalf("LoadWeights: %v", err)
	}
	if !reflect.DeepEqual(predictions(t, m), predictions(t, again)) {
		t.Error("the loaded weights predict differently")
	}
	_, err := Load(dir)
	assertErrorMentions(t, err, dir, "FromGraph", "LoadWeights")
	addHugeVariable(t, dir)
	err = graphModel().LoadWeights(dir)
	assertErrorMentions(t, err, dir, `"/huge"`, "a model of 7850 parameters keeps at most")
}

// The last line of defence: a panic while loading becomes an error naming the folder.
func TestCheckpointRecoverInto(t *testing.T) {
	err := func() (err error) {
		defer recoverInto(&err, "/some/mlp")
		panic("boom")
	}()
	assertErrorMentions(t, err, "checkpoint /some/mlp", "boom", "delete the folder")
}

// addHugeVariable lists one more variable in dir's model.json, not trainable,
// of 2 GiB, and makes weights.bin as long as the list then says, sparse: a
// folder of 76 KB on disk. Its checksum is not written again, so what refuses it
// must come before the checksum: Load once took the 2 GiB it asked for (and ran
// out of memory under a 3 GB limit) before finding that the checksum did not
// match.
func addHugeVariable(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, checkpoint.ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var man jsonObj
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatal(err)
	}
	vars := man["variables"].([]any)
	last := vars[len(vars)-1].(jsonObj)
	end := int64(last["offset"].(float64) + last["bytes"].(float64))
	const huge = 2 << 30
	man["variables"] = append(vars, jsonObj{"path": "/huge", "dtype": "Float32", "shape": []any{huge / 4},
		"trainable": false, "offset": end, "bytes": huge})
	if data, err = json.MarshalIndent(man, "", "  "); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
	if err := os.Truncate(filepath.Join(dir, checkpoint.WeightsFile), end+huge); err != nil {
		t.Fatal(err)
	}
}

// boundedFit is how TestCheckpointBoundedMemory trains the checkpoint it spoils,
// and how its child looks for it.
var boundedFit = FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "mlp"}

// A checkpoint that lists a non-trainable variable of 2 GiB over a sparse
// weights.bin is refused before anything of that size is held, by
// LoadCheckpoint and by Fit looking for its checkpoint (which says why and
// trains anew): each runs in a child process whose peak memory is measured.
func TestCheckpointBoundedMemory(t *testing.T) {
	if root := os.Getenv("MNISTLIB_TEST_BOUNDED"); root != "" {
		t.Setenv(EnvCheckpoints, root)
		t.Setenv(EnvQuick, "")
		start := time.Now()
		var err error
		switch by := os.Getenv("MNISTLIB_TEST_BOUNDED_BY"); by {
		case "LoadCheckpoint":
			_, err = LoadCheckpoint("mlp")
		case "Fit":
			x, y := syntheticData(100, 4)
			_, err = unbuiltModel(1).Fit(x, y, boundedFit)
		}
		fmt.Printf("ERROR: %v\nSECONDS %.1f\n", err, time.Since(start).Seconds())
		reportPeak()
		return
	}
	if testing.Short() {
		t.Skip("starts a child process per call")
	}
	for _, tc := range []struct {
		by   string
		want []string // in the child's output
	}{
		{"LoadCheckpoint", []string{"ERROR: checkpoint", `"/huge"`, "2147483648 bytes", "at most"}},
		{"Fit", []string{"training anew: checkpoint", `"/huge"`, "ERROR: <nil>"}},
	} {
		t.Run(tc.by, func(t *testing.T) {
			root := quietCheckpoints(t)
			x, y := syntheticData(100, 4)
			if _, err := unbuiltModel(1).Fit(x, y, boundedFit); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(root, "mlp")
			addHugeVariable(t, dir)
			out, peak := peakInChild(t, "TestCheckpointBoundedMemory", "MNISTLIB_TEST_BOUNDED="+root, "MNISTLIB_TEST_BOUNDED_BY="+tc.by)
			t.Logf("peak memory of the child: %d MiB; it said:\n%s", peak, out)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("the child did not say %q", w)
				}
			}
			if peak > 400 {
				t.Errorf("it took %d MiB at peak", peak)
			}
			if m, err := Load(dir); tc.by == "Fit" && (err != nil || len(m.History.Loss) != 1) {
				t.Errorf("the checkpoint Fit saved instead: %v", err)
			}
		})
	}
}

// wideModel has as many parameters as a checkpoint may hold, nearly: 795·units
// + 10 = 16,774,510 of checkpoint.MaxParams' 16,777,216.
func wideModel() *Model {
	m := NewSequential()
	m.Add(Dense{Units: 21_100, InputDim: 784, Activation: "relu"})
	m.Add(Dense{Units: 10, Activation: "softmax"})
	m.Compile("categorical_crossentropy", "adam", "accuracy")
	m.Out, m.Progress = nil, nil
	return m
}

// The largest checkpoint a load accepts (the most parameters, with Adam's
// two moments of each: a weights.bin of 192 MiB) loads within a bounded peak
// memory, measured in a child process.
func TestCheckpointLargestAcceptedMemory(t *testing.T) {
	if os.Getenv("MNISTLIB_TEST_LARGEST") != "" {
		_, err := LoadCheckpoint("wide")
		fmt.Printf("ERROR: %v\n", err)
		reportPeak()
		return
	}
	if testing.Short() {
		t.Skip("trains a model of 16.8 million parameters and starts a child process")
	}
	root := quietCheckpoints(t)
	x, y := syntheticData(100, 4)
	if _, err := wideModel().Fit(x, y, FitOptions{Epochs: 1, BatchSize: 50, Checkpoint: "wide"}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(root, "wide", checkpoint.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	out, peak := peakInChild(t, "TestCheckpointLargestAcceptedMemory", "MNISTLIB_TEST_LARGEST=1", EnvCheckpoints+"="+root, EnvQuick+"=")
	t.Logf("weights.bin %d MiB; peak memory of the load: %d MiB", info.Size()>>20, peak)
	if !strings.Contains(out, "ERROR: <nil>") {
		t.Errorf("the child could not load it:\n%s", out)
	}
	if limit := 6 * int(info.Size()>>20); peak > limit {
		t.Errorf("the load took %d MiB at peak, more than %d (six times weights.bin)", peak, limit)
	}
}

// quietCheckpoints gives the test a checkpoints folder of its own, full mode,
// and no lines from the library until it ends; it returns the folder.
func quietCheckpoints(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	t.Setenv(EnvCheckpoints, root)
	t.Setenv(EnvQuick, "")
	messages := Messages
	Messages = io.Discard
	t.Cleanup(func() { Messages = messages })
	return root
}
