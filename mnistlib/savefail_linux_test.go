package mnistlib

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gonb-mnist/workbook/internal/safefile"
)

// smallDisk mounts a 1 MiB tmpfs for the test, or skips where that is not
// permitted (not root, or no CAP_SYS_ADMIN in a container).
func smallDisk(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v): the simulated full disk of TestFitKeepsModelWhenSaveFails stands in", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fill writes a file into dir until the disk is full, leaving about keep bytes.
func fill(t *testing.T, dir string, keep int64) {
	f, err := os.Create(filepath.Join(dir, "ballast"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if free, _ := safefile.FreeSpace(dir); free <= keep {
			return
		}
		if _, err := f.Write(block); errors.Is(err, syscall.ENOSPC) {
			return
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// On a real full disk: Fit refuses before training when the checkpoint cannot
// fit, and when the disk fills while it trains, it returns the trained model
// with the error, and the last good checkpoint stays.
func TestFitOnFullDisk(t *testing.T) {
	x, y := syntheticData(100, 4)
	t.Run("full before training", func(t *testing.T) {
		disk := smallDisk(t)
		fit := saveFailure(t, disk)
		fill(t, disk, 0)
		m := unbuiltModel(1)
		_, err := m.Fit(x, y, fit)
		assertErrorMentions(t, err, "fit: cannot save a checkpoint to "+filepath.Join(disk, "mlp"), "it needs", "is free there")
		if len(m.History.Loss) > 0 {
			t.Error("Fit trained before finding out")
		}
	})
	t.Run("fills while training", func(t *testing.T) {
		disk := smallDisk(t)
		fit := saveFailure(t, disk)
		m := unbuiltModel(1)
		once := false
		m.Progress = func(int, int, int, int) {
			if !once {
				once = true
				fill(t, disk, 0)
			}
		}
		h, err := m.Fit(x, y, fit)
		if err := os.Remove(filepath.Join(disk, "ballast")); err != nil {
			t.Fatal(err)
		}
		checkSurvivors(t, m, h, err, filepath.Join(disk, "mlp"), "no space left on device")
	})
}
