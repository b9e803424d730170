//go:build linux || darwin || freebsd || dragonfly

package safefile

import "syscall"

// FreeSpace is the room left for an unprivileged user on the file system that
// holds dir, and whether it could be found out.
func FreeSpace(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	free := uint64(st.Bavail) * uint64(st.Bsize)
	return int64(min(free, 1<<62)), true
}
