// The hash below was recorded with Go's amd64 code generation at GOAMD64 v1
// or v2, which never fuses a multiply and an add; arm64, or amd64 at v3, fuse
// some and round differently, so there the test would compare nothing useful.

//go:build amd64 && !amd64.v3

package mnistlib

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// goldenOldFields is the SHA-256 of the images below as the augmentation made
// them before Elastic, Shear, Blur and LowRes existed (commit b2aae09): the
// fields a checkpoint or a notebook already uses must keep giving the very
// same images, bit for bit, so that trained checkpoints stay reproducible.
const goldenOldFields = "86b05f9bf5081cb1ba960661af4b667ff572ae4d88d82ffd7025a8cd97b7231c"

func TestAugmentGoldenOldFields(t *testing.T) {
	images := [][]float32{
		drawnDigit(t, Stroke{{140, 40}, {140, 240}}),
		drawnDigit(t, Stroke{{140, 40}, {220, 140}, {140, 240}, {60, 140}, {140, 40}}),
		drawnDigit(t, Stroke{{60, 60}, {220, 60}, {120, 250}}, Stroke{{90, 150}, {190, 150}}),
		edgeBar(),
		make([]float32, InputSize), // blank
	}
	h := sha256.New()
	for _, a := range []Augmentation{
		{},
		testAugment,
		{Shift: 1, Rotate: 15, Scale: 0.1, Thickness: 1.5}, // notebook 10's before issue 21 (the bench's "light")
		{Shift: 6, Rotate: 45, Scale: 0.5, Thickness: 2},
		{Thickness: 0.3}, {Rotate: 7}, {Scale: 0.2}, {Shift: 3.5},
	} {
		for i, img := range images {
			for row := range 40 {
				for _, v := range a.Apply(img, augmentRNG(int64(i+1), row%3, row)) {
					binary.Write(h, binary.LittleEndian, math.Float32bits(v))
				}
			}
		}
	}
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != goldenOldFields {
		t.Errorf("today's fields no longer give the same images: hash %s, want %s", got, goldenOldFields)
	}
}
