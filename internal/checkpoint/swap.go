package checkpoint

// How Save replaces a checkpoint: written aside, then swapped in, under a lock.
//
// Save never deletes what it did not make: it refuses a target that is a file, a link or a
// folder that is not a checkpoint, and the folders it makes beside the checkpoint have
// private names, ".<name>.tmp-<hex>" and ".<name>.old-<hex>". Save is atomic: it writes a
// temporary folder, then swaps it in with renames, so an interrupted Save never damages the
// last good checkpoint. Before its first rename it writes a journal, ".<name>.swap", naming
// its backup and its new folder: if it is interrupted between its two renames (the
// checkpoint missing, both folders there), Load reads the backup and the next Save puts it
// back. A backup no journal vouches for is never read (a checkpoint the user deleted stays
// deleted), and the next Save removes it.
//
// Saves and loads of one checkpoint take turns through a lock file beside it,
// ".<name>.lock" (kept: removing a lock file races with its next user): a Save holds it
// exclusively for its swap and for clearing what killed saves left, readers hold it shared
// while they read. So concurrent saves both succeed, the last one to swap wins, and a reader
// sees a whole checkpoint. Each Save also locks its own temporary folder while writing it,
// which tells a running save's folder from a killed one's. The lock file and the journal are
// opened without following links. See internal/safefile's lock_unix.go and, for platforms without
// the lock, lock_other.go.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gonb-mnist/workbook/internal/safefile"
)

// staleAfter is how old a temporary folder must be before a Save removes it
// where no lock tells whether its save still runs (safefile.LocksWork false).
const staleAfter = time.Hour

// PrivatePrefix is the start of the names of the folders a Save of dir makes beside it:
// ".<name>.tmp-" (being written) and ".<name>.old-" (the checkpoint being replaced).
func PrivatePrefix(dir, kind string) string {
	return "." + filepath.Base(dir) + "." + kind + "-"
}

// LockPath is the lock file that Saves and readers of dir take turns through.
func LockPath(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
}

// JournalPath is the journal a Save writes before its swap (see swapIn).
func JournalPath(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".swap")
}

// Lock opens dir's lock file and locks it (waiting): shared to read, exclusive
// to swap. Closing the file unlocks it.
func Lock(dir string, exclusive bool) (*os.File, error) {
	f, err := safefile.OpenPrivate(LockPath(dir), os.O_RDWR|os.O_CREATE)
	if err != nil && !exclusive && !errors.Is(err, safefile.ErrHostile) {
		f, err = safefile.OpenPrivate(LockPath(dir), os.O_RDONLY) // A reader needs no write access to lock (flock).
	}
	if err != nil {
		return nil, err
	}
	if err := safefile.Flock(f, exclusive, true); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// NewTempFolder makes a Save's temporary folder beside dir and locks it, so a concurrent
// Save's clean-up leaves it alone. Making and locking happen under the shared checkpoint
// lock: the clean-up runs under the exclusive one, so it never sees the folder unlocked.
func NewTempFolder(dir string) (tmp string, lock *os.File, err error) {
	shared, err := Lock(dir, false)
	if err != nil {
		return "", nil, err
	}
	defer shared.Close()
	if tmp, err = safefile.MkdirPrivate(filepath.Dir(dir), PrivatePrefix(dir, "tmp")); err != nil {
		return "", nil, err
	}
	if lock, err = os.Open(tmp); err == nil {
		if err = safefile.Flock(lock, true, false); err != nil {
			lock.Close()
		}
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", nil, err
	}
	return tmp, lock, nil
}

// swapIn replaces the checkpoint dir with the complete folder tmp: a journal naming
// both folders, dir → a private backup, tmp → dir, then the journal and the backup go.
// It holds the exclusive lock throughout, so concurrent Saves swap one at a time (the
// last wins) and readers never catch dir missing.
func swapIn(dir, tmp string) error {
	lock, err := Lock(dir, true)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := finishSwap(dir); err != nil { // a killed Save's, first
		return err
	}
	if err := CheckTarget(dir); err != nil { // Something may have appeared while we wrote.
		return err
	}
	// Every backup left now is one no journal vouches for: it goes, so that if this
	// Save is killed between its renames, its own backup is the only one left.
	parent, oldPrefix := filepath.Dir(dir), PrivatePrefix(dir, "old")
	if err := removePrivate(parent, oldPrefix, func(string) bool { return true }); err != nil {
		return err
	}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		err = os.Rename(tmp, dir) // nothing to replace: one rename, no journal
		_ = safefile.SyncDir(parent)
		return err
	}
	old := safefile.PrivateName(parent, oldPrefix)
	if err := writeJournal(dir, old, tmp); err != nil {
		return err
	}
	SwapStep("journal")
	if err := os.Rename(dir, old); err != nil {
		_ = os.Remove(JournalPath(dir))
		return err
	}
	SwapStep("backup")
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir) // Put the last good checkpoint back.
		_ = os.Remove(JournalPath(dir))
		return err
	}
	_ = safefile.SyncDir(parent)
	SwapStep("swapped")
	// The new checkpoint is in place: the journal and the backup are superseded, and
	// every temporary folder nobody holds belongs to a killed Save.
	_ = os.Remove(JournalPath(dir))
	_ = removePrivate(parent, oldPrefix, func(string) bool { return true })
	_ = removePrivate(parent, PrivatePrefix(dir, "tmp"), unheld)
	return nil
}

// SwapStep is called after each step of a swap that replaces a checkpoint; tests
// make it panic to leave what a Save killed at that step leaves.
var SwapStep = func(step string) {}

// writeJournal records, durably and before the swap's first rename, the backup dir
// is about to be renamed to and the folder that will replace it: their base names,
// each followed by a newline (InterruptedSwap reads them back by their lengths, so a
// name with a newline in it is read right too).
func writeJournal(dir, old, tmp string) error {
	path := JournalPath(dir)
	f, err := safefile.OpenPrivate(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s\n%s\n", filepath.Base(old), filepath.Base(tmp))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = safefile.SyncDir(filepath.Dir(dir))
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// InterruptedSwap is the backup of dir that a Save interrupted between its two renames
// left, or "": its journal names a backup and a new folder of dir that are both still
// there (a private name each), and dir is missing. A backup of a swap that completed
// (its new folder became dir) is never returned, so a deleted checkpoint stays deleted.
func InterruptedSwap(dir string) string {
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	data, err := readInside(filepath.Dir(dir), filepath.Base(JournalPath(dir)), 4096)
	if err != nil {
		return ""
	}
	// The two names are cut at the lengths their prefixes give, not at newlines,
	// which a folder's name may hold too.
	oldPrefix, tmpPrefix := PrivatePrefix(dir, "old"), PrivatePrefix(dir, "tmp")
	n := len(oldPrefix) + 16
	if len(data) != n+1+len(tmpPrefix)+16+1 {
		return ""
	}
	oldName, tmpName := string(data[:n]), string(data[n+1:len(data)-1])
	if data[n] != '\n' || data[len(data)-1] != '\n' || !safefile.IsPrivate(oldName, oldPrefix) || !safefile.IsPrivate(tmpName, tmpPrefix) {
		return ""
	}
	old, tmp := filepath.Join(filepath.Dir(dir), oldName), filepath.Join(filepath.Dir(dir), tmpName)
	if !isFolder(old) || !isFolder(tmp) {
		return ""
	}
	return old
}

// isFolder reports whether path is a folder (not a link to one).
func isFolder(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && info.IsDir()
}

// finishSwap completes what a Save killed during its swap left, under the exclusive
// lock: the backup it made goes back in place; any journal goes.
func finishSwap(dir string) error {
	if old := InterruptedSwap(dir); old != "" {
		if err := os.Rename(old, dir); err != nil {
			return fmt.Errorf("putting back the checkpoint an interrupted save left in %s: %w", old, err)
		}
	}
	if err := os.Remove(JournalPath(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// removePrivate removes the folders in parent named prefix+<hex> (see isPrivate) that
// remove accepts, and nothing else.
func removePrivate(parent, prefix string, remove func(path string) bool) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || !safefile.IsPrivate(e.Name(), prefix) {
			continue
		}
		if path := filepath.Join(parent, e.Name()); remove(path) {
			if err := os.RemoveAll(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// unheld reports whether the temporary folder at path belongs to a Save that no longer
// runs: nobody holds its lock (the kernel dropped it when that Save's process died), or,
// without locks, it is older than staleAfter. The caller holds the exclusive checkpoint
// lock, so no Save is between making its folder and locking it.
func unheld(path string) bool {
	if !safefile.LocksWork {
		info, err := os.Stat(path)
		return err == nil && time.Since(info.ModTime()) > staleAfter
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	// Closing drops the lock before the removal; that is safe because a folder is locked
	// only by the Save that made it, and no Save makes one while we hold the checkpoint lock.
	defer f.Close()
	return safefile.Flock(f, true, false) == nil
}
