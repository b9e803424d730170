package mnistlib

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// LayerSummary is one row of Keras' model.summary().
type LayerSummary struct {
	Name        string // e.g. "dense_1"
	Type        string // e.g. "Dense"
	OutputShape []int  // without the batch axis; nil when unknown (FromGraph)
	Params      int    // trainable weights, counted in the built model's variables
}

// LayerSummaries lists the model's layers in order (the input is not a layer),
// building the model if needed. A FromGraph model lists its top-level scopes.
func (m *Model) LayerSummaries() ([]LayerSummary, error) {
	if err := m.build(); err != nil {
		return nil, err
	}
	if m.graphFn != nil {
		return m.scopeSummaries(), nil
	}
	rows := make([]LayerSummary, len(m.layers))
	for i, l := range m.layers {
		rows[i] = LayerSummary{Name: m.names[i], Type: l.kerasClass(),
			OutputShape: m.outputs[i], Params: m.paramsUnder("/" + m.names[i] + "/")}
	}
	return rows, nil
}

// scopeSummaries groups the variables of a graph function by their first scope.
func (m *Model) scopeSummaries() []LayerSummary {
	var rows []LayerSummary
	seen := map[string]bool{}
	for v := range m.store.IterVariables() {
		name, _, _ := strings.Cut(strings.TrimPrefix(v.Path(), "/"), "/")
		if v.Trainable && !seen[name] {
			seen[name] = true
			rows = append(rows, LayerSummary{Name: name, Type: "scope", Params: m.paramsUnder("/" + name + "/")})
		}
	}
	return rows
}

// Summary prints a Keras-like table of the layers, their output shapes and
// parameter counts to m.Out, like Keras' model.summary().
func (m *Model) Summary() error {
	s, err := m.SummaryString()
	if err == nil && m.Out != nil {
		_, err = io.WriteString(m.Out, s)
	}
	return err
}

// SummaryString is the table Summary prints.
func (m *Model) SummaryString() (string, error) {
	rows, err := m.LayerSummaries()
	if err != nil {
		return "", fmt.Errorf("summary: %w", err)
	}
	var b strings.Builder
	line := func(ch string) { b.WriteString(strings.Repeat(ch, 68) + "\n") }
	fmt.Fprintln(&b, `Model: "sequential"`)
	line("_")
	fmt.Fprintf(&b, " %-30s %-25s %-9s\n", "Layer (type)", "Output Shape", "Param #")
	line("=")
	total := 0
	for i, l := range rows {
		if i > 0 {
			b.WriteString("\n")
		}
		shape := "?"
		if l.OutputShape != nil {
			dims := []string{"None"}
			for _, d := range l.OutputShape {
				dims = append(dims, strconv.Itoa(d))
			}
			shape = "(" + strings.Join(dims, ", ") + ")"
		}
		fmt.Fprintf(&b, " %-30s %-25s %-9d\n", l.Name+" ("+l.Type+")", shape, l.Params)
		total += l.Params
	}
	line("=")
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: 0\n", thousands(total), thousands(total))
	line("_")
	return b.String(), nil
}

// thousands formats n with comma separators: 203530 → "203,530".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
