package mnistlib

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// reportPeak prints this process's peak resident memory since exec (VmHWM) as
// "PEAK <KiB>", for the parent of a child started by peakInChild. The parent's
// own wait4 maxrss would also count pages the child shares with it until exec.
func reportPeak() {
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Println("PEAK", strings.Fields(line)[1])
		}
	}
}

// peakInChild runs the test named test in a child process of this test binary
// with env added, and returns what it printed and its peak memory in MiB (the
// child calls reportPeak). It skips where /proc/self/status has no VmHWM.
func peakInChild(t *testing.T, test string, env ...string) (out string, peakMiB int) {
	t.Helper()
	if status, err := os.ReadFile("/proc/self/status"); err != nil || !strings.Contains(string(status), "VmHWM:") {
		t.Skip("no VmHWM in /proc/self/status to measure peak memory with")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	b, err := cmd.CombinedOutput()
	out = string(b)
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	_, report, _ := strings.Cut(out, "PEAK ")
	var kib int
	if _, err := fmt.Sscanf(report, "%d", &kib); err != nil {
		t.Fatalf("the child did not report its peak memory: %v\n%s", err, out)
	}
	return out, kib >> 10
}
