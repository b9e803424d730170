// Package npz reads the uint8 NumPy arrays of a .npz file (a zip of .npy
// files), Keras' mnist.npz, checking every header against caps before
// anything large is allocated.
//
// Its files:
//
//   - npz.go: ReadArrays, and the caps on what the headers may declare.
//   - doc.go: this map.
package npz
