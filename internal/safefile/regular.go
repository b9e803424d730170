package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrHostile marks a file that is not the plain file the workbook made.
var ErrHostile = errors.New("not a regular file")

// OpenPrivate opens one of the files kept beside a checkpoint (its lock file,
// its journal) without following a link, so that nothing is created or read
// where a link points, and without blocking on a FIFO; it must be a regular
// file.
func OpenPrivate(path string, flag int) (*os.File, error) {
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s: %w; remove it (mnistlib makes its own)", path, FileKind(info.Mode()), ErrHostile)
	}
	f, err := os.OpenFile(path, flag|OpenNoFollow|OpenNonBlock, 0o644)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s changed into something that is not a plain file: %w; remove it", path, ErrHostile)
	}
	return f, nil
}

// FileKind names what a file that is not a regular file is, for an error.
func FileKind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode&fs.ModeSymlink != 0:
		return "a link"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file (" + mode.String() + ")"
}

// ErrLocked is what Flock returns when it would have to wait and was told not to.
var ErrLocked = errors.New("locked by another save")

// ErrNotRegular marks a file refused because it is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// NotRegular is the error for path, which is a FIFO, a folder…: it names the
// file (by its base name) and says what it is.
func NotRegular(path string, mode fs.FileMode) error {
	return fmt.Errorf("%s is %s, %w", filepath.Base(path), FileKind(mode), ErrNotRegular)
}

// OpenRegular opens path to read it, following links, only if it is a regular
// file: a FIFO, a device, a socket or a folder is refused before it is opened,
// the open itself does not block (O_NONBLOCK where the system has it, so a FIFO
// put in place meanwhile cannot hang it), and the opened file is checked again.
// It returns the open file and what it is; a refusal wraps ErrNotRegular.
// Checkpoints' files and pictures (mnistlib's ReadDigit) are opened with it.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, NotRegular(path, info.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|OpenNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	if info, err = f.Stat(); err == nil && !info.Mode().IsRegular() {
		err = NotRegular(path, info.Mode())
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}
