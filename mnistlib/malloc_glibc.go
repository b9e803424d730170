//go:build linux && cgo

package mnistlib

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void keep_freed_memory(void) {
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
}
#else
static void keep_freed_memory(void) {} // musl and others: their allocator as it is
#endif
*/
import "C"

// keepFreedMemory stops glibc's malloc from handing the large buffers XLA's
// CPU runtime allocates and frees at every training step back to the kernel
// and faulting them in again at the next: allocations up to 32 MiB (glibc's
// largest threshold) come from the heap rather than their own mmap, and up
// to 256 MiB of freed memory stays in it. Memory stays bounded by the largest
// step. bench/RESULTS.md ("Where XLA's CPU time went") has the measurement:
// the kernel's share of the CNN's training fell from 35% to 8%, its epoch
// from 3.6–3.8 s to 2.8–2.9.
func keepFreedMemory() { C.keep_freed_memory() }
