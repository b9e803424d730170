// Package fuzzseed keeps the hostile inputs of the fuzz targets (the cases the
// hostile tests build: truncated files, huge declared sizes, wrong magic
// numbers, lying headers) as corpus files in the target's
// testdata/fuzz/<target>/, where `go test` runs them and `go test -fuzz`
// starts from them. The targets build them in code; the files are checked
// against that code, and rewritten from it with WORKBOOK_WRITE_FUZZ_CORPUS=1.
// It also holds the limits every target checks a call against.
//
// Its files:
//
//   - corpus.go: Seed and Corpus, the files in Go's corpus format.
//   - limits.go: Within (no panic, no hang) and Allocated (memory per call).
//   - doc.go: this map.
package fuzzseed
