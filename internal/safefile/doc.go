// Package safefile holds the file handling that must not go wrong for the
// workbook's own files (checkpoints, the data cache): files written whole or
// not at all, files opened only when they are the plain files expected, locks
// that order writers, and the free space left on a disk. It knows nothing of
// models or MNIST.
//
// Its files:
//
//   - atomic.go: WriteAtomic and WriteBytes, a file written aside, synced and
//     renamed into place; the private names of such files and folders
//     (PrivateName, IsPrivate, MkdirPrivate); SyncDir.
//   - regular.go: OpenRegular (links followed) and OpenPrivate (no link
//     followed), which open a file only if it is a regular one, never waiting
//     on a FIFO; FileKind and NotRegular, what a file that is not regular is,
//     for an error.
//   - lock_unix.go, lock_other.go: Flock, the lock that orders concurrent
//     writers (flock where it exists, none elsewhere: LocksWork).
//   - diskspace_statfs.go, diskspace_other.go: FreeSpace, where the system
//     tells it.
//   - doc.go: this map.
package safefile
