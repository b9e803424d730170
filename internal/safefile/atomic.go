package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteAtomic writes the file at path through a temporary file beside it,
// ".<name>.<16 hex digits>.part", synced to disk and then renamed into place: a
// reader, or the next run after a crash, finds the whole file or none, never a
// half-written or empty one under its name. write fills the file; when it or
// anything after fails, the temporary file goes and path is left as it was.
func WriteAtomic(path string, write func(w io.Writer) error) error {
	tmp := PrivateName(filepath.Dir(path), "."+filepath.Base(path)+".") + ".part"
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

// WriteBytes is WriteAtomic for data already in memory.
func WriteBytes(path string, data []byte) error {
	return WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// PrivateName is a fresh name prefix+<16 hex digits> in parent.
func PrivateName(parent, prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	return filepath.Join(parent, prefix+hex.EncodeToString(b[:]))
}

// IsPrivate reports whether name is prefix followed by the 16 hex digits
// PrivateName adds: a checkpoint named "mlp.tmp-x" has the prefix
// ".mlp.tmp-x.tmp-", which also starts with ".mlp.tmp-", but never ends in
// exactly 16 hex digits after ".mlp.tmp-".
func IsPrivate(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || len(rest) != 16 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil && strings.ToLower(rest) == rest
}

// MkdirPrivate makes a new folder prefix+<16 hex digits> in parent, like
// os.MkdirTemp with a suffix IsPrivate can recognize.
func MkdirPrivate(parent, prefix string) (string, error) {
	for {
		path := PrivateName(parent, prefix)
		err := os.Mkdir(path, 0o755)
		if !errors.Is(err, fs.ErrExist) {
			return path, err
		}
	}
}

// SyncDir makes what was created, renamed or removed in dir durable, as a
// file's Sync does for its contents.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
