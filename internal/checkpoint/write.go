package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gonb-mnist/workbook/internal/safefile"
)

// Write makes dir the checkpoint of the two files given, replacing the one
// there: they are written into a private folder beside dir, synced, and
// swapped in (swap.go), so an interrupted Write never damages the last good
// checkpoint. The caller has checked dir with CheckTarget.
func Write(dir string, manJSON, weights []byte) (err error) {
	if err = os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, tmpLock, err := NewTempFolder(dir)
	if err != nil {
		return err
	}
	defer tmpLock.Close() // After the swap or the clean-up below: the folder is ours until then.
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	for _, f := range []struct {
		name string
		data []byte
	}{{WeightsFile, weights}, {ManifestFile, manJSON}} {
		if err = WriteFile(filepath.Join(tmp, f.name), f.data); err != nil {
			return err
		}
	}
	if err = safefile.SyncDir(tmp); err != nil {
		return err
	}
	err = swapIn(dir, tmp)
	return err
}

// WriteFile writes one file into a Write's temporary folder, whole and synced
// to disk before the swap; tests replace it to fail as a full disk would.
var WriteFile = safefile.WriteBytes

// MaxNameBytes is the longest name a checkpoint's folder may have: Save keeps a
// private folder ".<name>.tmp-<16 hex digits>" beside it (and its backup
// ".<name>.old-<16 hex digits>"), 22 bytes longer, and a file name has at most
// 255 bytes (NAME_MAX) on the file systems the workbook runs on. The lock file
// and the journal, ".<name>.lock" and ".<name>.swap", are shorter; the files
// written inside the temporary folder have short names of their own.
const MaxNameBytes = 255 - len(".") - len(".tmp-") - 16

// CheckName says why name is too long for a checkpoint's folder, or nil.
func CheckName(name string) error {
	if len(name) <= MaxNameBytes {
		return nil
	}
	return fmt.Errorf(`name of %d bytes: at most %d, because Save keeps a private folder ".NAME.tmp-<16 hex digits>" beside it; choose a shorter name`,
		len(name), MaxNameBytes)
}

// CheckTarget refuses a dir that Save must not replace: a file, a link (its swap would
// replace the link, not the folder it leads to), or a folder with files but no model.json
// (the user's, not a checkpoint); and a name too long to save beside (CheckName). An
// absent or empty folder is fine.
func CheckTarget(dir string) error {
	if err := CheckName(filepath.Base(dir)); err != nil {
		return fmt.Errorf("cannot save a checkpoint to %s: its folder %w", dir, err)
	}
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot save a checkpoint to %s: %w", dir, err)
	case info.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		return fmt.Errorf("%s is a link (to %s); not replacing it: save to the folder it leads to, or remove the link", dir, target)
	case !info.IsDir():
		return fmt.Errorf("%s is a file, not a checkpoint folder; not replacing it: move the file or save to another folder", dir)
	}
	// This runs before the save takes the lock: a concurrent save may swap the
	// folder away meanwhile, which is no reason to refuse (ours swaps in next).
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot save a checkpoint to %s: %w", dir, err)
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err != nil {
			if _, gone := os.Lstat(dir); errors.Is(gone, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("%s is a folder with files but not a checkpoint (no %s); not replacing it: move its files or save to another folder", dir, ManifestFile)
		}
	}
	return nil
}
