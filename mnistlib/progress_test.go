package mnistlib

import (
	"bytes"
	"strings"
	"testing"
)

func TestTextProgress(t *testing.T) {
	var b bytes.Buffer
	p := TextProgress(&b)
	p(2, 10, 1, 4) // drawn: the first call
	p(2, 10, 2, 4) // skipped: within 100 ms of the last
	p(2, 10, 4, 4) // drawn and cleared: the epoch is done
	out := b.String()
	for _, want := range []string{"\rEpoch 2/10 [=======>", "] 1/4", "[==============================] 4/4", "\r\033[K"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q: %q", want, out)
		}
	}
	if strings.Contains(out, "2/4") {
		t.Errorf("redrew within 100 ms: %q", out)
	}
}
