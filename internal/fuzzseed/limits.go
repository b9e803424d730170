package fuzzseed

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Allocated is the number of bytes the process has allocated so far. Each
// fuzzing worker runs one input at a time, so its growth over a call is that
// call's.
func Allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// Within runs fn, failing the test if it panics or takes longer than limit (a
// hang), and returns fn's error.
func Within(t testing.TB, limit time.Duration, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("PANIC: %v", r)
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		if err != nil && strings.HasPrefix(err.Error(), "PANIC: ") {
			t.Fatal(err)
		}
		return err
	case <-time.After(limit):
		t.Fatalf("still running after %v: a hang", limit)
		return errors.New("hang")
	}
}
