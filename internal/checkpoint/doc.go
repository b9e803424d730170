// Package checkpoint is a checkpoint as files: the folder mnistlib's Save
// writes and Load reads, written so that no interruption damages the last good
// one, and read so that no crafted folder can crash, hang or exhaust the
// program. It knows the model only as the JSON that describes it; building the
// model and putting the values in it is mnistlib's.
//
// Its files:
//
//   - format.go: what a checkpoint folder holds: model.json (Manifest: the
//     model's description, its history, the list of variables, the checksum)
//     and weights.bin.
//   - read.go: Read, reading a checkpoint anybody may have edited: regular
//     files only, sizes bounded, the manifest checked before anything is
//     built.
//   - write.go: Write, the two files written aside and swapped in, and
//     CheckTarget, what a Save must not replace.
//   - swap.go: the swap with its journal, under the lock that orders saves and
//     loads.
//   - doc.go: this map.
package checkpoint
