//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package safefile

import "os"

// LocksWork is false where this package has no file lock (Windows, Plan 9,
// wasm, Solaris…): flock does nothing, so two programs saving one checkpoint
// at the same moment may still collide, a reader may catch a save between its
// renames (it then reads the backup), and a save's leftover temporary folders
// are removed only once they are old (see staleAfter).
const LocksWork = false

// No O_NOFOLLOW or O_NONBLOCK here: the files of a checkpoint are checked with
// Lstat before they are opened, and with Stat after.
const (
	OpenNoFollow = 0
	OpenNonBlock = 0
)

func Flock(*os.File, bool, bool) error { return nil }
