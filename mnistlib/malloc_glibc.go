//go:build linux && cgo

package mnistlib

// #include <malloc.h>
import "C"

// keepFreedMemory stops glibc's malloc from handing the large buffers XLA's
// CPU runtime allocates and frees at every training step back to the kernel
// and faulting them in again at the next: allocations up to 32 MiB (glibc's
// largest threshold) come from the heap rather than their own mmap, and up
// to 64 MiB of freed memory stays in it. Memory stays bounded by the largest
// step; bench/RESULTS.md has the measurement (the CNN's epoch: 3.5–5.0 s
// without, 2.8–3.0 s with).
func keepFreedMemory() {
	C.mallopt(C.M_MMAP_THRESHOLD, 32<<20)
	C.mallopt(C.M_TRIM_THRESHOLD, 256<<20)
	C.mallopt(C.M_TOP_PAD, 64<<20)
}
