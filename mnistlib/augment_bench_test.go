package mnistlib

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkAugment is the cost of augmenting one image: each distortion
// alone, notebook 10's augmentation, and all of them together
// (go test -bench Augment -run x ./mnistlib).
func BenchmarkAugment(b *testing.B) {
	img := drawnDigit(b, Stroke{{60, 60}, {220, 60}, {120, 250}}, Stroke{{90, 150}, {190, 150}})
	for _, c := range []struct {
		name string
		a    Augmentation
	}{
		{"light", Augmentation{Shift: 1, Rotate: 15, Scale: 0.1, Thickness: 1.5}},
		{"notebook10", RobustAugmentation},
		{"Shift", Augmentation{Shift: 1}},
		{"Thickness1.5", Augmentation{Thickness: 1.5}},
		{"Thickness3", Augmentation{Thickness: 3}},
		{"Elastic", Augmentation{Elastic: 34}},
		{"Shear", Augmentation{Shear: 15}},
		{"Blur", Augmentation{Blur: 0.8}},
		{"LowRes", Augmentation{LowRes: 12}},
		{"all", strongAugment},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				c.a.Apply(img, augmentRNG(1, 0, i))
			}
		})
	}
}

// BenchmarkAugmentElasticField compares the elastic field as Apply draws it
// (noise on nodes sigma/2 apart) with the paper's, noise at every pixel.
func BenchmarkAugmentElasticField(b *testing.B) {
	b.Run("nodes", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			elasticField(34, 4, uint64(i))
		}
	})
	b.Run("paper", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			paperField(34, 4, rand.New(rand.NewPCG(uint64(i), 9)))
		}
	})
}
