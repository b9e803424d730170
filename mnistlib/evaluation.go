package mnistlib

// Looking at a model's answers: the confusion matrix and its mistakes.

import (
	"fmt"
	"strings"
)

// ConfusionMatrix counts, for each true class (row), how often each class
// was predicted (column).
func ConfusionMatrix(predicted []int, labels Labels) [NumClasses][NumClasses]int {
	var cm [NumClasses][NumClasses]int
	for i, p := range predicted {
		if p >= 0 && p < NumClasses && int(labels[i]) < NumClasses {
			cm[labels[i]][p]++
		}
	}
	return cm
}

// ConfusionHTML renders a confusion matrix as an HTML table, the diagonal
// in green and mistakes shaded red by how many there are.
func ConfusionHTML(cm [NumClasses][NumClasses]int, classNames []string) string {
	var b strings.Builder
	b.WriteString(`<table style="border-collapse:collapse;font-family:monospace;text-align:right">`)
	fmt.Fprintf(&b, `<caption>%s</caption><tr><th></th>`, tr("confusion matrix: rows = true digit, columns = predicted"))
	for j := range NumClasses {
		fmt.Fprintf(&b, `<th style="padding:2px 6px">%s</th>`, className(classNames, j))
	}
	b.WriteString("</tr>")
	worst := 1
	for i := range NumClasses {
		for j := range NumClasses {
			if i != j {
				worst = max(worst, cm[i][j])
			}
		}
	}
	for i := range NumClasses {
		fmt.Fprintf(&b, `<tr><th style="padding:2px 6px">%s</th>`, className(classNames, i))
		for j := range NumClasses {
			bg := "#fff"
			if i == j {
				bg = "#d4edda"
			} else if cm[i][j] > 0 {
				bg = fmt.Sprintf("rgba(214,39,40,%.2f)", 0.1+0.7*float64(cm[i][j])/float64(worst))
			}
			fmt.Fprintf(&b, `<td style="padding:2px 6px;border:1px solid #ddd;background:%s">%d</td>`, bg, cm[i][j])
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// className is names[i] in the workbook's language, or the class number
// when names has none for it.
func className(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return tr(names[i])
	}
	return fmt.Sprint(i)
}

// Mistakes returns the indices where predicted differs from labels.
func Mistakes(predicted []int, labels Labels) []int {
	var idx []int
	for i, p := range predicted {
		if p != int(labels[i]) {
			idx = append(idx, i)
		}
	}
	return idx
}
