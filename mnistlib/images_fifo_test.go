//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package mnistlib

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// withinSeconds runs read and fails the test if it has not returned within
// a few seconds: a plain open of a FIFO waits for a writer for ever.
func withinSeconds(t *testing.T, what string, read func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- read() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still blocked after 5 s", what)
		return nil
	}
}

// Pictures are opened as regular files only, like a checkpoint's: a FIFO, a
// device or a socket is refused at once, with an error naming the file and
// what it is; a link to a regular picture is still read.
func TestReadDigitNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock.png")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	picture := writePNG(t, dir, "paper.png", paperDigit(60, 80))
	for _, link := range [][2]string{{"pipe.png", "to-pipe.png"}, {"paper.png", "to-paper.png"}} {
		if err := os.Symlink(link[0], filepath.Join(dir, link[1])); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		path string
		want []string // nil: read
	}{
		{fifo, []string{"pipe.png is a FIFO (named pipe), not a regular file", "save the picture as a BMP, PNG or JPEG file"}},
		{filepath.Join(dir, "to-pipe.png"), []string{"to-pipe.png is a FIFO (named pipe), not a regular file"}},
		{sock, []string{"sock.png is a socket, not a regular file"}},
		{"/dev/null", []string{"null is a device, not a regular file"}},
		{filepath.Join(dir, "to-paper.png"), nil},
		{picture, nil},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			err := withinSeconds(t, "ReadDigit", func() error { _, err := ReadDigit(c.path); return err })
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertErrorMentions(t, err, append(c.want, c.path)...)
		})
	}
}

// A FIFO named like a picture in a folder of digits is refused the same way,
// naming it, instead of hanging ReadDigitFolder.
func TestReadDigitFolderFIFO(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, dir, "1-pen-1.png", paperDigit(60, 80))
	if err := syscall.Mkfifo(filepath.Join(dir, "7-pen-1.png"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := withinSeconds(t, "ReadDigitFolder", func() error { _, err := ReadDigitFolder(dir); return err })
	assertErrorMentions(t, err, filepath.Join(dir, "7-pen-1.png"), "is a FIFO (named pipe)")
}
