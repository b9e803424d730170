package mnistlib

import (
	"io"
	"os"
	"path/filepath"
)

// writeFileAtomic writes the file at path through a temporary file beside it,
// ".<name>.<16 hex digits>.part", synced to disk and then renamed into place: a
// reader, or the next run after a crash, finds the whole file or none, never a
// half-written or empty one under its name. write fills the file; when it or
// anything after fails, the temporary file goes and path is left as it was.
// Both the data cache (fetch.go) and a checkpoint's files are written this way.
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	tmp := privateName(filepath.Dir(path), "."+filepath.Base(path)+".") + ".part"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // a no-op once renamed
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writeBytesAtomic is writeFileAtomic for data already in memory.
func writeBytesAtomic(path string, data []byte) error {
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
