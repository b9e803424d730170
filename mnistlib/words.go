package mnistlib

// Words the notebooks print about their results, in the edition's language
// (tr), so that a comparison reads the same way in every notebook.

import "fmt"

// Versus says where a stands against b, by the sign of a − b: "0.0123 higher
// than the baseline", "0.0040 lower than the MLP's", "the same as the MLP's".
// what names b as the sentence needs it.
func Versus(a, b float64, what string) string {
	switch d := a - b; {
	case d > 0:
		return fmt.Sprintf(tr("%.4f higher than %s"), d, what)
	case d < 0:
		return fmt.Sprintf(tr("%.4f lower than %s"), -d, what)
	}
	return fmt.Sprintf(tr("the same as %s"), what)
}
