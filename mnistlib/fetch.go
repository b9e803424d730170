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
		if err := l.verifyAll(paths[:]...); err != nil {
			return nil, err
		}
		return readIDXFiles(paths, "cache "+l.CacheDir)
	}
	npz := filepath.Join(l.CacheDir, npzName)
	if _, err := os.Stat(npz); err != nil {
		return nil, nil
	}
	if err := l.verifyAll(npz); err != nil {
		return nil, err
	}
	return readNPZFile(npz, "cache "+l.CacheDir)
}

func (l *Loader) verifyAll(paths ...string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("mnistlib: %w", err)
		}
		err = l.checkSum(f, filepath.Base(p), io.Discard)
		f.Close()
		if err != nil {
			return fmt.Errorf("mnistlib: %s: %w; delete it and run again to fetch a fresh copy", p, err)
		}
	}
	return nil
}

// checkSum copies r to w and compares its SHA-256 with the published one.
func (l *Loader) checkSum(r io.Reader, name string, w io.Writer) error {
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return err
	}
	if got, want := hex.EncodeToString(h.Sum(nil)), l.Dataset.SHA256[name]; got != want {
		return fmt.Errorf("checksum mismatch: SHA-256 %s, want %s (%d bytes read)", got, want, n)
	}
	return nil
}

// fetch fills the cache: the standard download first, then the Go module.
func (l *Loader) fetch() error {
	if err := os.MkdirAll(l.CacheDir, 0o755); err != nil {
		return fmt.Errorf("mnistlib: cannot create the cache folder: %w; set %s to a writable folder", err, EnvCache)
	}
	var errs []error
	if l.BaseURL != "" {
		err := l.download()
		if err == nil {
			return nil
		}
		errs = append(errs, err)
		if l.GoModule != "" {
			l.logf("%s: the download failed (%v); trying the Go module proxy", l.Dataset.Title, err)
		}
	}
	if l.GoModule != "" {
		err := l.copyFromGoModule()
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("mnistlib: could not fetch %s into %s: %w\nfix: put its four IDX files (.gz or raw) in a folder and set %s to it",
		l.Dataset.Title, l.CacheDir, errors.Join(errs...), l.Dataset.EnvDir)
}

func (l *Loader) download() error {
	client := &http.Client{
		Timeout:   10 * time.Minute,
		Transport: &http.Transport{DialContext: (&net.Dialer{Timeout: 15 * time.Second}).DialContext, Proxy: http.ProxyFromEnvironment},
	}
	for _, name := range l.Dataset.Downloads {
		url := l.BaseURL + name
		if err := l.downloadOne(client, url, name); err != nil {
			return fmt.Errorf("download %s: %w", url, err)
		}
	}
	return nil
}

func (l *Loader) downloadOne(client *http.Client, url, name string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", resp.Status)
	}
	l.logf("%s: downloading %s into %s", l.Dataset.Title, url, l.CacheDir)
	return l.saveVerified(resp.Body, name)
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
	l.logf("%s: copying the original files from Go module %s into %s", l.Dataset.Title, l.GoModule, l.CacheDir)
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
	err = l.checkSum(r, name, tmp)
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
