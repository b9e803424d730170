package mnistlib

// Variants: a checkpoint name keeps every model trained under it, not only the
// last. A learner who changes 04's model to 1000 units and reruns it trains a
// second "mlp"; 05, which asks for the tutorial's 256 units, loads the first
// instead of training it again, and putting 256 back in 04 reloads at once.
//
// The folder CheckpointDir()/NAME holds the model Fit trained or loaded last
// under NAME (what LoadCheckpoint(NAME) loads, as before variants existed);
// the others wait in CheckpointDir()/.variants/NAME/KEY, one folder each,
// KEY a hash of their layers, seed, learning rate and training options. Fit
// swaps the one it asks for into NAME. Each is a checkpoint like any other,
// saved and read by Save and Load; at most maxVariants wait per name, and Fit
// says which one it drops.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// maxVariants is how many models wait beside a name's current one.
const maxVariants = 4

// variantsFolder is where the variants of every name wait: a name starting
// with "." is never a checkpoint name (checkpointPath refuses it).
const variantsFolder = ".variants"

// variantKey names a model and its training: the same layers, seed, learning
// rate and options give the same key, whatever the spacing of their JSON.
func variantKey(s modelSpec, f FitParams) string {
	ls, _ := s.layers()
	var layers []string
	for _, l := range ls {
		config, _ := json.Marshal(l)
		layers = append(layers, l.kerasClass()+string(config))
	}
	b, _ := json.Marshal(struct {
		Layers       []string
		LearningRate float64
		Seed         int64
		Fitted       FitParams
	}{layers, s.LearningRate, s.Seed, f})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// variantsOf is the folder where the variants of the checkpoint in dir wait.
func variantsOf(dir string) string {
	return filepath.Join(filepath.Dir(dir), variantsFolder, filepath.Base(dir))
}

// reuseVariant loads into m the variant of the checkpoint in dir that holds
// this model trained as want says, if one waits, and makes it the current
// one (the one there before waits in its place).
func (m *Model) reuseVariant(dir string, want FitParams) bool {
	vdir := filepath.Join(variantsOf(dir), variantKey(m.spec(), want))
	if !m.reuse(vdir, want) { // none waits: reuse says nothing
		return false
	}
	stashCurrent(dir)
	if _, err := m.save(dir); err != nil {
		fmt.Fprintf(Messages, tr("the model stays where it was (%s): %v")+"\n", displayPath(vdir), err)
		return true
	}
	fmt.Fprintf(Messages, tr("it is the current model of %s again (%s)")+"\n", filepath.Base(dir), displayPath(dir))
	if info, err := os.Lstat(vdir); err == nil && info.IsDir() { // a link was read through, never removed
		_ = os.RemoveAll(vdir)
	}
	return true
}

// stashCurrent keeps the model in dir, if it is one, as a variant of its
// name before another takes its place, and drops the oldest variants beyond
// maxVariants, saying which.
func stashCurrent(dir string) {
	old, err := Load(dir)
	if err != nil {
		return // nothing there, or nothing that loads: there is nothing to keep
	}
	old.Out = nil
	vdir := filepath.Join(variantsOf(dir), variantKey(old.spec(), old.Fitted))
	if _, err := old.save(vdir); err != nil {
		fmt.Fprintf(Messages, tr("the model that was in %s could not be kept (%v): it is replaced")+"\n", displayPath(dir), err)
		return
	}
	now := time.Now()
	_ = os.Chtimes(vdir, now, now) // the newest variant: the last dropped
	pruneVariants(dir)
}

// pruneVariants removes the variants of dir beyond maxVariants, oldest first.
func pruneVariants(dir string) {
	waiting := waitingVariants(dir)
	for _, path := range waiting[min(len(waiting), maxVariants):] {
		desc := "a model"
		if s, err := readCheckpoint(path, nil); err == nil {
			desc = s.model.describe()
		}
		if err := os.RemoveAll(path); err == nil {
			fmt.Fprintf(Messages, tr("dropped the oldest model kept under %s (%s): at most %d are kept besides the current one")+"\n",
				filepath.Base(dir), desc, maxVariants)
		}
	}
}

// waitingVariants lists the folders of the variants of the checkpoint in dir,
// newest first. Locks, journals and saves in progress (names starting with
// ".") are not variants.
func waitingVariants(dir string) []string {
	parent := variantsOf(dir)
	entries, _ := os.ReadDir(parent)
	when := map[string]time.Time{}
	var paths []string
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.IsDir() && len(e.Name()) == 16 && e.Name()[0] != '.' {
			path := filepath.Join(parent, e.Name())
			paths, when[path] = append(paths, path), info.ModTime()
		}
	}
	slices.SortFunc(paths, func(a, b string) int { return when[b].Compare(when[a]) })
	return paths
}

// Variant is one model a checkpoint name holds.
type Variant struct {
	Current bool   // the one in the name's folder: what LoadCheckpoint loads
	Layers  string // "Dense{...}, Dense{...}"
	Fitted  FitParams
	History History
	Dir     string // its folder, as a reader sees it
}

// Variants lists the models a checkpoint name holds: the current one first
// (what LoadCheckpoint(name) loads and Fit last trained or loaded), then the
// others Fit trained under that name, newest first. Fit with the same layers
// and options loads one of them instead of training.
func Variants(name string) ([]Variant, error) {
	dir, err := checkpointPath(name)
	if err != nil {
		return nil, err
	}
	var out []Variant
	add := func(path string, current bool) {
		s, err := readCheckpoint(path, nil)
		if err == nil {
			out = append(out, Variant{Current: current, Layers: s.model.describe(), Fitted: s.fitted,
				History: s.history, Dir: displayPath(path)})
		}
	}
	add(dir, true)
	for _, path := range waitingVariants(dir) {
		add(path, false)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no checkpoint %q yet: run the cell that trains it (Fit with Checkpoint: %q) first", name, name)
	}
	return out, nil
}
