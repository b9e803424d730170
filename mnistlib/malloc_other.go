//go:build !(linux && cgo)

package mnistlib

// keepFreedMemory tunes glibc's malloc (malloc_glibc.go); elsewhere the
// platform's allocator is left as it is.
func keepFreedMemory() {}
