package mnistlib

import (
	"fmt"
	"strconv"
	"strings"
)

// Layer describes one layer of a model, as listed by Keras' model.summary().
type Layer struct {
	Name        string // e.g. "dense_1"
	Type        string // e.g. "Dense"
	OutputShape []int  // without the batch axis
	Params      int
}

// Layers lists the model's layers in order (the input is not a layer).
func (m *Model) Layers() []Layer {
	cfg := m.Config
	var ls []Layer
	count := map[string]int{}
	add := func(kind, typ string, params int, shape ...int) {
		name := kind
		if n := count[kind]; n > 0 {
			name = fmt.Sprintf("%s_%d", kind, n)
		}
		count[kind]++
		ls = append(ls, Layer{Name: name, Type: typ, OutputShape: shape, Params: params})
	}
	width := InputSize
	if cfg.Kind == KindCNN {
		size, channels := ImageSize, 1
		for _, f := range cfg.Filters {
			add("conv2d", "Conv2D", cfg.KernelSize*cfg.KernelSize*channels*f+f, size, size, f)
			size, channels = size/2, f
			add("max_pooling2d", "MaxPooling2D", 0, size, size, channels)
		}
		width = size * size * channels
		add("flatten", "Flatten", 0, width)
	}
	hidden := cfg.HiddenLayers
	if cfg.Kind == KindCNN {
		hidden = 1
	}
	for range hidden {
		add("dense", "Dense", width*cfg.Units+cfg.Units, cfg.Units)
		width = cfg.Units
		if cfg.Dropout > 0 {
			add("dropout", "Dropout", 0, width)
		}
	}
	add("dense", "Dense", width*NumClasses+NumClasses, NumClasses)
	return ls
}

// Summary returns a Keras-like table of the layers, their output shapes and parameter counts.
func (m *Model) Summary() string {
	var b strings.Builder
	line := func(ch string) { b.WriteString(strings.Repeat(ch, 68) + "\n") }
	fmt.Fprintf(&b, "Model: %q\n", m.Config.Kind)
	line("_")
	fmt.Fprintf(&b, " %-30s %-25s %-9s\n", "Layer (type)", "Output Shape", "Param #")
	line("=")
	total := 0
	for i, l := range m.Layers() {
		if i > 0 {
			b.WriteString("\n")
		}
		dims := []string{"None"}
		for _, d := range l.OutputShape {
			dims = append(dims, strconv.Itoa(d))
		}
		shape := "(" + strings.Join(dims, ", ") + ")"
		fmt.Fprintf(&b, " %-30s %-25s %-9d\n", l.Name+" ("+l.Type+")", shape, l.Params)
		total += l.Params
	}
	line("=")
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: 0\n", thousands(total), thousands(total))
	line("_")
	return b.String()
}

// thousands formats n with comma separators: 203530 → "203,530".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
