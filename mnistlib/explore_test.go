package mnistlib

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonb-mnist/workbook/internal/canvas"
	"github.com/gonb-mnist/workbook/internal/live"
)

// numberPicture is a small picture that says which value it was drawn for.
type numberPicture int

func (p numberPicture) Size() (w, h int) { return 60, 30 }
func (p numberPicture) Text() string     { return fmt.Sprintf("picture %d", int(p)) }
func (p numberPicture) draw(cv canvas.Canvas) {
	cv.Begin(60, 30)
	cv.Box(1, 1, 58, 28, "#eee", "#888")
	cv.Text(30, 20, 14, canvas.Middle, fmt.Sprint(int(p)))
}

// Without a browser (here, outside a notebook) Explore draws the starting
// value once, says that the slider needs JupyterLab, and returns at once.
func TestExploreWithoutBrowser(t *testing.T) {
	var out bytes.Buffer
	old := Messages
	Messages = &out
	defer func() { Messages = old }()
	var drawn []int
	start := time.Now()
	err := Explore("test digit", 0, 99, 17, func(i int) (Picture, error) {
		drawn = append(drawn, i)
		return numberPicture(i), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Explore took %v without a browser", d)
	}
	if len(drawn) != 1 || drawn[0] != 17 {
		t.Errorf("drew %v, want [17]", drawn)
	}
	if want := "test digit: 17 (the slider, 0 to 99, needs this notebook open in JupyterLab)\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}

	// A draw error is the cell's error here (the main job must see it), naming the value.
	err = Explore("filter", 0, 15, 3, func(i int) (Picture, error) { return nil, errors.New("no such filter") })
	if err == nil || !strings.Contains(err.Error(), "filter: 3: no such filter") {
		t.Errorf("a failing draw: %v", err)
	}
	err = Explore("filter", 0, 15, 3, func(i int) (Picture, error) { return nil, nil })
	if err == nil || !strings.Contains(err.Error(), "no picture") {
		t.Errorf("a draw without a picture: %v", err)
	}
	for _, tc := range []struct {
		lo, hi, value int
		want          string
	}{
		{5, 4, 5, "from 5 to 4"},
		{0, 9, 10, "starting value 10 is outside"},
		{0, 9, -1, "starting value -1 is outside"},
	} {
		err := Explore("x", tc.lo, tc.hi, tc.value, func(i int) (Picture, error) { return numberPicture(i), nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Explore(%d, %d, %d): %v, want %q", tc.lo, tc.hi, tc.value, err, tc.want)
		}
	}
	if err := Explore("x", 0, 9, 0, nil); err == nil {
		t.Error("Explore without a draw function returned no error")
	}
}

func TestLatest(t *testing.T) {
	ch := make(chan int, 8)
	if got := latest(3, ch); got != 3 {
		t.Errorf("nothing waiting: %d, want 3", got)
	}
	for _, v := range []int{4, 9, 2} {
		ch <- v
	}
	if got := latest(3, ch); got != 2 || len(ch) != 0 {
		t.Errorf("three waiting: %d (%d left), want the last, 2", got, len(ch))
	}
	close(ch)
	if got := latest(5, ch); got != 5 {
		t.Errorf("a closed channel: %d, want 5", got)
	}
}

// A draw that fails or panics becomes an error, and nothing is shown.
func TestDrawSafely(t *testing.T) {
	shown := 0
	show := func(Picture) { shown++ }
	if err := drawSafely(func(i int) (Picture, error) { return numberPicture(i), nil }, 1, show); err != nil || shown != 1 {
		t.Errorf("a good draw: %v, shown %d times", err, shown)
	}
	for name, draw := range map[string]func(int) (Picture, error){
		"error":      func(int) (Picture, error) { return nil, errors.New("boom") },
		"panic":      func(i int) (Picture, error) { var a []int; return numberPicture(a[i]), nil },
		"no picture": func(int) (Picture, error) { return nil, nil },
	} {
		if err := drawSafely(draw, 5, show); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if shown != 1 {
		t.Errorf("shown %d times, want once", shown)
	}
}

// fakeSlider plays the page: slider positions, and pongs when asked.
type fakeSlider struct {
	values chan int
	pongs  chan string
	gate   chan struct{} // the first picture is drawn once it is closed
	mu     sync.Mutex
	drawn  []int
	pings  int
	at     int  // where the slider is, for the pongs
	answer bool // whether pings get a pong
}

func newExploreSession(answer bool, value int) (*exploreSession, *fakeSlider) {
	f := &fakeSlider{values: make(chan int, 64), pongs: make(chan string, 16), gate: make(chan struct{}), answer: answer, at: value}
	s := &exploreSession{
		lo: 0, hi: 99, values: f.values, pongs: f.pongs, shown: value, pingEvery: 20 * time.Millisecond,
		show: func(v int) {
			f.mu.Lock()
			f.drawn = append(f.drawn, v)
			first := len(f.drawn) == 1
			f.mu.Unlock()
			if first {
				<-f.gate
			}
		},
		alive: live.KeepAlive{LostAfter: 150 * time.Millisecond, Ping: func(n int) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.pings++
			if f.answer {
				f.pongs <- fmt.Sprintf(`{"n":%d,"value":%d}`, n, f.at)
			}
		}},
	}
	return s, f
}

// move puts the slider at v, which the page sends.
func (f *fakeSlider) move(v int) {
	f.mu.Lock()
	f.at = v
	f.mu.Unlock()
	f.values <- v
}

func (f *fakeSlider) record() ([]int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.drawn...), f.pings
}

// The slider dragged from 0 to 40 while the first picture is drawn: only the
// first and the last positions are drawn; a move to the value shown draws
// nothing; a position off the slider is brought back onto it.
func TestExploreSessionCoalesces(t *testing.T) {
	s, f := newExploreSession(true, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string)
	go func() { done <- s.serve(ctx) }()
	f.move(1)
	waitFor(t, func() bool { d, _ := f.record(); return len(d) == 1 })
	for v := 2; v <= 40; v++ {
		f.move(v)
	}
	close(f.gate) // the first picture is done
	waitFor(t, func() bool { d, _ := f.record(); return len(d) >= 2 })
	f.move(40)  // already shown
	f.move(500) // off the slider: 99
	waitFor(t, func() bool { d, _ := f.record(); return len(d) >= 3 })
	time.Sleep(100 * time.Millisecond) // pongs saying 500 draw nothing new
	cancel()
	if why := <-done; why != live.WhyInterrupted {
		t.Errorf("stopped because %q", why)
	}
	if drawn, pings := f.record(); fmt.Sprint(drawn) != "[1 40 99]" || pings < 2 {
		t.Errorf("drew %v after %d pings, want [1 40 99]", drawn, pings)
	}
}

// Two positions that arrive in the wrong order are put right by the next pong,
// which says where the slider is.
func TestExploreSessionPongCorrects(t *testing.T) {
	s, f := newExploreSession(true, 0)
	close(f.gate)
	f.move(12)
	f.move(11)
	f.mu.Lock()
	f.at = 12 // 11 came first, and was overtaken by 12 on its way
	f.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.serve(ctx)
	waitFor(t, func() bool { d, _ := f.record(); return len(d) > 0 && d[len(d)-1] == 12 })
}

// Pings that nobody answers (the notebook was closed) end the session.
func TestExploreSessionLost(t *testing.T) {
	s, f := newExploreSession(false, 0)
	done := make(chan string)
	go func() { done <- s.serve(context.Background()) }()
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

func TestExploreHTML(t *testing.T) {
	h := exploreHTML("mnist_explore_x", "mnist_explore_x_slot", "/p/ping", "/p/pong", 0, 99)
	for _, want := range []string{`<div id="mnist_explore_x" class="mnist-explore"`, `<span>0</span><span id="mnist_explore_x_slot"`,
		`<span>99</span>`, `document.getElementById("mnist_explore_x")`, `comm.subscribe("/p/ping"`, `comm.send("/p/pong"`, `"data-lm-suppress-shortcuts"`,
		"<script>", "</script>"} {
		if !strings.Contains(h, want) {
			t.Errorf("the slider's HTML lacks %q", want)
		}
	}
	if strings.Contains(h, "$") {
		t.Errorf("a placeholder is left in the script:\n%s", h)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
