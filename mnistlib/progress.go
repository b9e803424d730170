package mnistlib

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// Progress is told about every training step of Fit: epoch and step count
// from 1. A nil Progress shows nothing.
type Progress func(epoch, epochs, step, steps int)

// DefaultProgress is what New gives a model: an HTML bar that updates in
// place in a GoNB notebook, a text bar on a terminal, and nothing when the
// output goes to a file or a pipe (CI logs stay clean).
func DefaultProgress() Progress {
	switch {
	case gonbui.IsNotebook:
		return NotebookProgress()
	case isTerminal(os.Stderr):
		return TextProgress(os.Stderr)
	}
	return nil
}

// NotebookProgress draws one bar per Fit call below the cell, updated in
// place (at most 10 times a second).
func NotebookProgress() Progress {
	id := "progress_" + gonbui.UniqueID()
	last := time.Time{}
	return func(epoch, epochs, step, steps int) {
		done := epoch == epochs && step == steps
		if !done && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		if done { // end as plain text, which every viewer and HTML export keeps as is
			gonbui.SendData(&protocol.DisplayData{DisplayID: id,
				Data: map[protocol.MIMEType]any{protocol.MIMETextPlain: progressLine(epoch, epochs, step, steps)}})
			return
		}
		html := fmt.Sprintf(`<div style="font-family:monospace">Epoch %d/%d <progress value="%d" max="%d" style="width:24em"></progress> %d/%d</div>`,
			epoch, epochs, step, steps, step, steps)
		gonbui.UpdateHTML(id, html) // the first update creates the display
	}
}

// TextProgress draws "Epoch 3/10 [=======>      ] 120/240" on w, redrawn on
// one line with a carriage return.
func TextProgress(w io.Writer) Progress {
	last := time.Time{}
	return func(epoch, epochs, step, steps int) {
		if step != steps && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprint(w, "\r"+progressLine(epoch, epochs, step, steps))
		if step == steps {
			fmt.Fprint(w, "\r\033[K") // clear it: the epoch's log line follows
		}
	}
}

// progressLine is "Epoch 3/10 [=======>      ] 120/240".
func progressLine(epoch, epochs, step, steps int) string {
	const width = 30
	filled := width * step / steps
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	if filled < width {
		bar = bar[:filled] + ">" + bar[filled+1:]
	}
	return fmt.Sprintf("Epoch %d/%d [%s] %d/%d", epoch, epochs, bar, step, steps)
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
