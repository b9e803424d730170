// Package idx reads LeCun's IDX files, the original MNIST format, raw or
// gzipped, with memory bounded whatever a header claims.
//
// Its files:
//
//   - idx.go: Read, DecodeHeader and Header, and the caps on what a header
//     may make it allocate.
//   - doc.go: this map.
package idx
