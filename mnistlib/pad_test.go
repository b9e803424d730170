package mnistlib

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonb-mnist/workbook/internal/live"
)

func TestParsePadMessage(t *testing.T) {
	points := func(n int) []float64 {
		s := make([]float64, 2*n)
		for i := range s {
			s[i] = float64(i % 280)
		}
		return s
	}
	msg := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		return string(b)
	}
	strokes := func(s ...[]float64) map[string]any {
		return map[string]any{"seq": 3, "kind": "strokes", "width": 280, "height": 280, "pen": 18, "strokes": s}
	}
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	for _, tc := range []struct {
		name, msg, err string // err: "" for a valid message, else part of the error
	}{
		{"hello", `{"seq":1,"kind":"hello"}`, ""},
		{"clear", `{"seq":4,"kind":"clear"}`, ""},
		{"pong", `{"kind":"pong","n":7}`, ""},
		{"strokes", msg(strokes([]float64{10, 20, 30, 40}, []float64{5, 5})), ""},
		{"no strokes", msg(strokes()), ""},
		{"not JSON", `strokes 1 2 3`, "not JSON"},
		{"unknown kind", `{"kind":"paint"}`, `unknown message kind "paint"`},
		{"odd coordinates", msg(strokes([]float64{1, 2, 3})), "stroke 1 has 3 coordinates"},
		{"empty stroke", msg(strokes([]float64{})), "stroke 1 has 0 coordinates"},
		{"canvas too large", msg(with(strokes(), "width", 5000)), "a canvas of 5000×280"},
		{"canvas too small", msg(with(strokes(), "height", 0)), "a canvas of 280×0"},
		{"no pen", msg(with(strokes(), "pen", 0)), "a pen 0 pixels wide"},
		{"too many points", msg(strokes(points(padMaxPoints/2), points(padMaxPoints/2+1))), "more than 20000 points"},
		{"too long", `{"kind":"hello","x":"` + strings.Repeat("a", padMaxMessage) + `"}`, "at most 1048576"},
	} {
		_, err := parsePadMessage(tc.msg)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		}
	}
	// Coordinates off the canvas are brought back onto it.
	m, err := parsePadMessage(msg(strokes([]float64{-50, 10, 400, 300})))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.strokes(); len(got) != 1 || got[0][0] != [2]float64{0, 10} || got[0][1] != [2]float64{280, 280} {
		t.Errorf("strokes %v", got)
	}
}

// testPad is a pad with two small untrained models: enough to check what it
// shows, not what the models know.
func testPad(t testing.TB) *DrawingPad {
	cnn, mlp := TutorialCNN(true), TutorialMLP()
	cnn.Out, mlp.Out = nil, nil
	p := &DrawingPad{Models: []PadModel{{"CNN", cnn}, {"MLP", mlp}}}
	if err := p.check(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPadAnswer(t *testing.T) {
	p := testPad(t)
	a, ok, err := p.answer(DrawStrokes(280, 280, 18, []Stroke{{{140, 40}, {140, 240}}}))
	if err != nil || !ok {
		t.Fatalf("answer: ok %v, %v", ok, err)
	}
	// The input is prepared as ReadDigit does: a vertical bar, 20 pixels tall, in the middle.
	box, _ := inkBox(a.Input.Image(1))
	if box.Dy() != 20 || box.Min.X < 11 || box.Max.X > 17 {
		t.Errorf("the input's ink box is %v, want 20 pixels tall in the middle", box)
	}
	if len(a.Panels) != 2 || a.Panels[0].Name != "CNN" || a.Panels[1].Name != "MLP" {
		t.Fatalf("panels %+v", a.Panels)
	}
	for _, panel := range a.Panels {
		sum := 0.0
		for _, v := range panel.Probs {
			sum += float64(v)
		}
		if len(panel.Probs) != NumClasses || math.Abs(sum-1) > 1e-4 {
			t.Errorf("%s: %d probabilities summing to %g", panel.Name, len(panel.Probs), sum)
		}
		if !regexp.MustCompile(`^` + panel.Name + `: (\d \(\d+%\)|unsure, \d \(\d+%\) or \d)$`).MatchString(panel.Title()) {
			t.Errorf("title %q", panel.Title()) // untrained models: mostly unsure
		}
	}
	if _, ok, err := p.answer(DrawStrokes(280, 280, 18, nil)); ok || err != nil {
		t.Errorf("a blank drawing: ok %v, %v; want no answer and no error", ok, err)
	}
}

// fakePad plays the pad's script: it sends messages and answers pings.
type fakePad struct {
	in     chan string
	mu     sync.Mutex
	shown  []string // "answer CNN: …" or "cleared", in order
	pings  int
	answer bool // whether pings get a pong
}

func newFakeSession(t *testing.T, p *DrawingPad, answer bool) (*padSession, *fakePad) {
	f := &fakePad{in: make(chan string, 16), answer: answer}
	s := &padSession{
		pad: p, in: f.in,
		alive: live.KeepAlive{LostAfter: 150 * time.Millisecond, Ping: func(n int) {
			f.mu.Lock()
			f.pings++
			f.mu.Unlock()
			if f.answer {
				f.in <- `{"kind":"pong","n":` + string(rune('0'+n%10)) + `}`
			}
		}},
		show: func(a *padAnswer) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if a == nil {
				f.shown = append(f.shown, "cleared")
				return
			}
			if a.TooLittle != "" {
				f.shown = append(f.shown, "note "+a.TooLittle)
				return
			}
			f.shown = append(f.shown, "answer "+a.Panels[0].Title())
		},
		helloWait: 300 * time.Millisecond, pingEvery: 20 * time.Millisecond,
	}
	return s, f
}

func (f *fakePad) record() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.shown...), f.pings
}

func strokesMessage(seq int, s ...[]float64) string {
	b, _ := json.Marshal(map[string]any{"seq": seq, "kind": "strokes", "width": 280, "height": 280, "pen": 18, "strokes": s})
	return string(b)
}

func TestPadSessionNoBrowser(t *testing.T) {
	s, _ := newFakeSession(t, testPad(t), false)
	start := time.Now()
	_, err := s.serve(context.Background())
	if !errors.Is(err, live.ErrNoBrowser) {
		t.Fatalf("serve without a browser: %v, want live.ErrNoBrowser", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
		t.Errorf("gave up after %v, want after the hello wait (300 ms)", d)
	}
}

func TestPadSessionConversation(t *testing.T) {
	s, f := newFakeSession(t, testPad(t), true)
	f.in <- `{"seq":1,"kind":"hello"}`
	f.in <- strokesMessage(3, []float64{140, 40, 140, 240})
	f.in <- strokesMessage(2, []float64{40, 140, 240, 140}) // overtaken by seq 3: dropped
	f.in <- `{"seq":4,"kind":"clear"}`
	f.in <- `not a message`
	f.in <- strokesMessage(5, []float64{140, 40, 220, 140, 140, 240, 60, 140, 140, 40})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if shown, pings := f.record(); len(shown) >= 3 && pings >= 3 {
				cancel() // the learner interrupts the kernel
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	why, err := s.serve(ctx)
	if err != nil || why != "the kernel was interrupted" {
		t.Fatalf("serve: %q, %v", why, err)
	}
	shown, _ := f.record()
	if len(shown) != 3 || !strings.HasPrefix(shown[0], "answer CNN: ") || shown[1] != "cleared" || !strings.HasPrefix(shown[2], "answer CNN: ") {
		t.Errorf("shown %q, want an answer, a clear, an answer", shown)
	}
	if s.last == nil || s.lastSeq != 5 {
		t.Errorf("last answer %v, last seq %d", s.last, s.lastSeq)
	}
	if s.badMessage == nil || !strings.Contains(s.badMessage.Error(), "not JSON") {
		t.Errorf("the bad message was not noted: %v", s.badMessage)
	}
}

// Pings that nobody answers (the notebook was closed) end the session.
func TestPadSessionLost(t *testing.T) {
	s, f := newFakeSession(t, testPad(t), false)
	f.in <- `{"seq":1,"kind":"hello"}`
	done := make(chan string)
	go func() {
		why, _ := s.serve(context.Background())
		done <- why
	}()
	select {
	case why := <-done:
		if !strings.Contains(why, "stopped answering") {
			t.Errorf("stopped because %q", why)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the session went on without answers to its pings")
	}
	if _, pings := f.record(); pings < 2 {
		t.Errorf("%d pings sent before giving up", pings)
	}
}

func TestPadHTML(t *testing.T) {
	p := testPad(t)
	html, err := p.html("mnist_pad_x", "/mnistlib/pad/mnist_pad_x", "/mnistlib/pad/mnist_pad_x/ping")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<div id="mnist_pad_x" class="mnist-pad"`, `<canvas width="280" height="280"`, `touch-action:none`,
		`class="mnist-pad-clear"`, `document.getElementById("mnist_pad_x")`, `pingAddress = "/mnistlib/pad/mnist_pad_x/ping", pen = 18`,
		`comm.send(address, JSON.stringify(msg))`, "<script>", "</script>"} {
		if !strings.Contains(html, want) {
			t.Errorf("the pad's HTML lacks %q", want)
		}
	}
}

// Without a browser (here, outside a notebook) Run shows the still picture
// and returns at once.
func TestPadRunWithoutBrowser(t *testing.T) {
	var out bytes.Buffer
	old := Messages
	Messages = &out
	defer func() { Messages = old }()
	p := testPad(t) // built: the time below is the pad's own
	start := time.Now()
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %v without a browser", d)
	}
	for _, want := range []string{"needs this notebook open in JupyterLab", "sample drawing of a 2: CNN: ", ", MLP: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := (&DrawingPad{}).Run(); err == nil || !strings.Contains(err.Error(), "no models") {
		t.Errorf("a pad without models: %v", err)
	}
}

func TestProbabilityChart(t *testing.T) {
	probs := []float32{0.01, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.01, 0.01}
	c := ProbabilityChart{Panels: []ProbabilityPanel{{"CNN", probs}, {"MLP", probs}}}
	svg := c.SVG()
	for _, want := range []string{`aria-label="CNN: 1 (90%)"`, `aria-label="MLP: 1 (90%)"`, `width="560" height="200"`, palette[1]} {
		if !strings.Contains(svg, want) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
	png, err := c.PNG()
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("PNG: %v", err)
	}
}

// A panel whose likeliest digit is under Unsure says so and names the runner-up.
func TestProbabilityPanelTitle(t *testing.T) {
	for _, c := range []struct {
		probs []float32
		want  string
	}{
		{[]float32{0.01, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.01, 0.01}, "CNN: 1 (90%)"},
		{[]float32{0, 0, 0, 0, 0.6, 0, 0, 0, 0, 0.4}, "CNN: 4 (60%)"},
		{[]float32{0, 0, 0, 0, 0.35, 0, 0, 0.2, 0, 0.45}, "CNN: unsure, 9 (45%) or 4"},
		{[]float32{0.55, 0.45, 0, 0, 0, 0, 0, 0, 0, 0}, "CNN: unsure, 0 (55%) or 1"},
		{[]float32{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, "CNN: unsure, 0 (10%) or 1"},
		{nil, "CNN"},
	} {
		if got := (ProbabilityPanel{"CNN", c.probs}).Title(); got != c.want {
			t.Errorf("Title of %v = %q, want %q", c.probs, got, c.want)
		}
	}
}

func TestLeastSure(t *testing.T) {
	sure, torn, split := []float32{0.9, 0.1}, []float32{0.45, 0.55}, []float32{0.5, 0.5}
	for _, c := range []struct {
		probs [][]float32
		want  int
	}{
		{[][]float32{sure, torn, sure}, 1},
		{[][]float32{torn, split, sure}, 1},
		{[][]float32{sure}, 0},
		{nil, -1},
	} {
		if got := LeastSure(c.probs); got != c.want {
			t.Errorf("LeastSure(%v) = %d, want %d", c.probs, got, c.want)
		}
	}
}
