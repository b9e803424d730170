//go:build !(linux || darwin || freebsd || dragonfly)

package safefile

// FreeSpace is not known here (Windows, the other BSDs, Plan 9…): Fit trains
// without checking the room first, and a save that fails for lack of it returns
// the trained model with the error (SaveError).
func FreeSpace(string) (int64, bool) { return 0, false }
