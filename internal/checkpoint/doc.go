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
//     files only, the manifest checked before anything is built, what it may
//     make the program hold bounded by its model (StateBytes), weights.bin
//     hashed before it is held.
//   - write.go: Write, the two files written aside and swapped in, and
//     CheckTarget and CheckName, what a Save must not replace and how long a
//     checkpoint's name may be.
//   - swap.go: the swap with its journal, under the lock that orders saves and
//     loads.
//   - doc.go: this map.
package checkpoint
