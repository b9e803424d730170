package mnistlib

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gonb-mnist/workbook/internal/idx"
	"github.com/gonb-mnist/workbook/internal/safefile"
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
	source := fmt.Sprintf(tr("cache %s"), displayPath(l.CacheDir))
	if complete {
		if err := l.verifyAll(paths[:]...); err != nil {
			return nil, err
		}
		return l.readUnpackedOr(paths[:], source+tr(" (IDX files)"), func() (*Data, error) { return readIDXFiles(paths, source) })
	}
	npz := filepath.Join(l.CacheDir, npzName)
	if _, err := os.Stat(npz); err != nil {
		return nil, nil
	}
	if err := l.verifyAll(npz); err != nil {
		return nil, err
	}
	return l.readUnpackedOr([]string{npz}, source+" ("+npzName+")", func() (*Data, error) { return readNPZFile(npz, source) })
}

func (l *Loader) verifyAll(paths ...string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = l.checkSum(f, filepath.Base(p), io.Discard)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w; delete it and run again to fetch a fresh copy", p, err)
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
		return fmt.Errorf("cannot create the cache folder: %w; set %s to a writable folder", err, EnvCache)
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
	return fmt.Errorf("could not fetch %s into %s: %w\nfix: put its four IDX files (.gz or raw) in a folder and set %s to it",
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

// saveVerified writes r into the cache as name, atomically (safefile.WriteAtomic):
// it is renamed into place only once its checksum is right, so an interrupted
// or bad fetch never leaves a half-written file under name.
func (l *Loader) saveVerified(r io.Reader, name string) error {
	return safefile.WriteAtomic(filepath.Join(l.CacheDir, name), func(w io.Writer) error {
		return l.checkSum(r, name, w)
	})
}

func (l *Loader) logf(format string, args ...any) {
	if l.Log != nil {
		fmt.Fprintf(l.Log, format+"\n", args...)
	}
}

// The unpacked copy. Inflating the cached .gz files (or mnist.npz) takes a
// quarter of a second for MNIST, in every notebook cell that loads the data;
// reading the same 55 MB unpacked takes a few milliseconds. So after a cache
// read the loader keeps the four IDX files, unpacked, next to them in the
// cache folder, with a record (unpacked.json) of what they came from and of
// each file's size and CRC-32C. A later read uses them only when the cache's
// files have just passed their published SHA-256 (as always), the record names
// exactly those files with those checksums, and every file has its recorded
// size and CRC-32C (the check gzip itself makes of what it inflates);
// otherwise it inflates the cache as before and writes the copy again.
// Deleting the unpacked files is always safe.
const (
	unpackedRecord = "unpacked.json"
	unpackedFormat = "mnistlib-unpacked/1"
	// unpackedRecordCap bounds what is read of the record (it is about 600 bytes).
	unpackedRecordCap = 64 << 10
)

type unpackedManifest struct {
	Format string `json:"format"`
	// Sources maps each cache file the copy was unpacked from to its SHA-256.
	Sources map[string]string `json:"sources"`
	Files   []unpackedFile    `json:"files"` // the four IDX files, in idxNames order
}

type unpackedFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	CRC32C uint32 `json:"crc32c"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// readUnpackedOr returns the data of the cache files at paths, which have just
// passed their checksums: from the unpacked copy when it matches them, else
// from read, keeping an unpacked copy for next time. source is Data.Source
// as read sets it.
func (l *Loader) readUnpackedOr(paths []string, source string, read func() (*Data, error)) (*Data, error) {
	sources := make(map[string]string, len(paths))
	for _, p := range paths {
		sources[filepath.Base(p)] = l.Dataset.SHA256[filepath.Base(p)]
	}
	d, err := readUnpacked(l.CacheDir, sources)
	if d != nil {
		d.Source = source
		return d, nil
	}
	if err != nil {
		l.logf("%s: ignoring the unpacked copy (%v); unpacking %s again", l.Dataset.Title, err, l.CacheDir)
	}
	if d, err = read(); err != nil {
		return nil, err
	}
	writeUnpacked(l.CacheDir, d, sources) // best effort: a read-only cache still works, only slower
	return d, nil
}

// readUnpacked reads the unpacked copy in dir if its record names exactly the
// given sources. It returns nil, nil when there is no copy or it was made from
// other files, and an error when the copy is damaged.
func readUnpacked(dir string, sources map[string]string) (*Data, error) {
	f, err := os.Open(filepath.Join(dir, unpackedRecord))
	if err != nil {
		return nil, nil
	}
	rec, err := io.ReadAll(io.LimitReader(f, unpackedRecordCap))
	f.Close()
	if err != nil {
		return nil, err
	}
	var man unpackedManifest
	if err := json.Unmarshal(rec, &man); err != nil || man.Format != unpackedFormat || len(man.Files) != len(idxNames) {
		return nil, fmt.Errorf("%s is not a valid record", filepath.Join(dir, unpackedRecord))
	}
	if !maps.Equal(man.Sources, sources) {
		return nil, nil // unpacked from other files (say, mnist.npz before the IDX files were fetched)
	}
	var parts [4]struct {
		dims []int
		data []byte
	}
	for i, name := range idxNames {
		if man.Files[i].Name != name {
			return nil, fmt.Errorf("%s lists %q where %s belongs", filepath.Join(dir, unpackedRecord), man.Files[i].Name, name)
		}
		magic := uint32(idx.ImagesMagic)
		if i%2 == 1 {
			magic = idx.LabelsMagic
		}
		parts[i].dims, parts[i].data, err = readUnpackedIDX(filepath.Join(dir, name), magic, man.Files[i])
		if err != nil {
			return nil, err
		}
	}
	d := &Data{}
	for i, s := range []*Subset{&d.Train, &d.Test} {
		im, lb := parts[2*i], parts[2*i+1]
		s.Images = Images{N: im.dims[0], Rows: im.dims[1], Cols: im.dims[2], Pix: im.data}
		s.Labels = Labels(lb.data)
		if err := s.check(filepath.Join(dir, idxNames[2*i])); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// readUnpackedIDX reads one file of the unpacked copy. The file must have the
// size its record gives before anything is allocated for it, so the memory
// used is never more than the file on disk.
func readUnpackedIDX(path string, magic uint32, want unpackedFile) ([]int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() != want.Bytes {
		return nil, nil, fmt.Errorf("%s has %d bytes, its record says %d", path, st.Size(), want.Bytes)
	}
	if want.Bytes > 1<<30 {
		return nil, nil, fmt.Errorf("%s has %d bytes, far more than MNIST has", path, want.Bytes)
	}
	buf := make([]byte, want.Bytes)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if crc := crc32.Checksum(buf, castagnoli); crc != want.CRC32C {
		return nil, nil, fmt.Errorf("%s: CRC-32C %08x, its record says %08x", path, crc, want.CRC32C)
	}
	r := bytes.NewReader(buf)
	dims, size, err := idx.DecodeHeader(r, magic)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	header := len(buf) - r.Len()
	if size != len(buf)-header {
		return nil, nil, fmt.Errorf("%s: header announces %d bytes, the file holds %d", path, size, len(buf)-header)
	}
	return dims, buf[header:], nil // no second copy: the data shares buf
}

// writeUnpacked writes d into dir as the four IDX files and then the record
// naming sources, each file atomically (safefile.WriteAtomic).
// Errors are ignored: without a copy the next load just unpacks again.
func writeUnpacked(dir string, d *Data, sources map[string]string) {
	man := unpackedManifest{Format: unpackedFormat, Sources: sources}
	for i, name := range idxNames {
		s := d.Train
		if i >= 2 {
			s = d.Test
		}
		header, data := idx.Header(idx.LabelsMagic, len(s.Labels)), []byte(s.Labels)
		if i%2 == 0 {
			header, data = idx.Header(idx.ImagesMagic, s.Images.N, s.Images.Rows, s.Images.Cols), s.Images.Pix
		}
		crc := crc32.Update(crc32.Checksum(header, castagnoli), castagnoli, data)
		write := func(w io.Writer) error {
			if _, err := w.Write(header); err != nil {
				return err
			}
			_, err := w.Write(data)
			return err
		}
		if safefile.WriteAtomic(filepath.Join(dir, name), write) != nil {
			return
		}
		man.Files = append(man.Files, unpackedFile{Name: name, Bytes: int64(len(header) + len(data)), CRC32C: crc})
	}
	rec, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return
	}
	_ = safefile.WriteBytes(filepath.Join(dir, unpackedRecord), append(rec, '\n'))
}
