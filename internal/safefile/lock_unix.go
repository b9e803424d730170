//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package safefile

import (
	"errors"
	"os"
	"syscall"
)

// LocksWork says that flock(2) really locks here: concurrent saves of one
// checkpoint queue for their swap, readers never see one half done, and a
// save's temporary folder is known to be in progress while its lock is held.
const LocksWork = true

// Flags for opening the files of a checkpoint: a lock file, journal or
// checkpoint file that is a link is not followed (the open fails), and opening a
// FIFO does not wait for a writer (the file is then refused as not regular).
const (
	OpenNoFollow = syscall.O_NOFOLLOW
	OpenNonBlock = syscall.O_NONBLOCK
)

// Flock locks the open file or folder f, shared or exclusive. With wait false it
// fails at once with ErrLocked when another holder has a conflicting lock.
// The lock lasts until f is closed, and the kernel drops it when its process
// dies, which is how a killed save's leftovers are told from a running one's.
func Flock(f *os.File, exclusive, wait bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrLocked
		}
		return err
	}
}
