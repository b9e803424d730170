package mnistlib

// Explore: a slider in the page that redraws a picture in place, to pick a
// test digit (or a unit, a filter) and watch what the network makes of it.
//
// The slider is GoNB's own widget (gonbui/widgets); its positions come to the
// cell's program through GoNB's comms, and the program redraws the picture
// under it (GoNB replaces a display that has an ID). Like the drawing pad
// (live.go), the program stays alive while the notebook is open, and ends when
// the kernel is interrupted or when the page stops answering its pings (a
// small script beside the slider answers them); the last picture stays in the
// cell, and the slider, which would do nothing any more, goes.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/gonb-mnist/workbook/internal/live"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// Explore shows a slider (label, from lo to hi, starting at value) above the picture draw(value);
// moving the slider redraws the picture in place. Where no browser runs the notebook (nbconvert,
// `make notebooks`, the tests) it shows draw(value) once, with a line saying the slider needs JupyterLab, and returns.
//
// The label shows the value whose picture is shown ("test digit: 17"). When
// the slider moves faster than pictures are drawn, only where it stopped is
// drawn. An error (or a panic) in draw shows as text in place of the picture;
// the slider stays. In JupyterLab, Explore returns when the kernel is
// interrupted (■) or about 20 s after the notebook is closed, leaving the last
// picture.
func Explore(label string, lo, hi, value int, draw func(i int) (Picture, error)) error {
	switch {
	case draw == nil:
		return errors.New("explore: no draw function")
	case lo > hi:
		return fmt.Errorf("explore: the slider goes from %d to %d: the first must not be above the second", lo, hi)
	case value < lo || value > hi:
		return fmt.Errorf("explore: the starting value %d is outside the slider's %d to %d", value, lo, hi)
	}
	still := func() error {
		p, err := draw(value)
		if err != nil {
			return fmt.Errorf("explore: %s: %w", exploreLabel(label, value), err)
		}
		if p == nil {
			return fmt.Errorf("explore: %s: draw returned no picture", exploreLabel(label, value))
		}
		fmt.Fprintf(Messages, tr("%s (the slider, %d to %d, needs this notebook open in JupyterLab)")+"\n",
			exploreLabel(label, value), lo, hi)
		ShowPicture(p)
		return nil
	}
	// An interrupt leaves the last picture, without the slider.
	return live.Run(inJupyterLab(), still, func(ctx context.Context) error { return exploreLive(ctx, label, lo, hi, value, draw) })
}

// exploreLabel is the label with the value shown, in the workbook's
// language: "test digit: 17".
func exploreLabel(label string, v int) string {
	if label == "" {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf(tr("%s: %d"), tr(label), v)
}

// drawSafely calls draw, turning a panic or a missing picture into an error:
// a slider must survive a value its draw function cannot handle.
func drawSafely(draw func(int) (Picture, error), v int, show func(Picture)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	p, err := draw(v)
	if err != nil {
		return err
	}
	if p == nil {
		return errors.New("draw returned no picture")
	}
	show(p)
	return nil
}

// latest returns the newest of v and the values waiting in more: the slider
// may move many steps while one picture is drawn, and only where it stopped
// is worth drawing.
func latest(v int, more <-chan int) int {
	for {
		select {
		case w, ok := <-more:
			if !ok {
				return v
			}
			v = w
		default:
			return v
		}
	}
}

// explorePong is the page's answer to ping N, with where the slider is.
type explorePong struct {
	N     int  `json:"n"`
	Value *int `json:"value"` // nil before the slider is in the page
}

// exploreSession is the conversation with the page: the slider's positions
// come in on values, the script's answers to pings on pongs, and show draws
// and shows the picture for a value. Explore wires it to GoNB; the tests, to
// channels.
type exploreSession struct {
	lo, hi    int
	values    <-chan int
	pongs     <-chan string
	show      func(v int)
	alive     live.KeepAlive
	pingEvery time.Duration
	shown     int // the value whose picture is shown
}

// serve answers the slider until ctx ends (an interrupt) or the pings go
// unanswered, and says why it stopped.
func (s *exploreSession) serve(ctx context.Context) string {
	ticker := time.NewTicker(s.pingEvery)
	defer ticker.Stop()
	s.alive.Heard()
	for {
		select {
		case <-ctx.Done():
			return live.WhyInterrupted
		case v, ok := <-s.values:
			if !ok {
				s.values = nil
				continue
			}
			s.alive.Heard()
			s.moveTo(latest(v, s.values))
		case raw := <-s.pongs:
			s.alive.Heard()
			// GoNB hands each message to the program in a goroutine of its
			// own, so two positions may arrive in the wrong order; the pong
			// says where the slider really is, and puts that right.
			var p explorePong
			if len(raw) < 1024 && json.Unmarshal([]byte(raw), &p) == nil && p.Value != nil {
				s.moveTo(latest(*p.Value, s.values))
			}
		case <-ticker.C:
			if s.alive.Tick() {
				return "the page stopped answering (the notebook was closed)"
			}
		}
	}
}

// moveTo shows the picture for v (kept within the slider's range), unless it
// is already shown.
func (s *exploreSession) moveTo(v int) {
	v = max(s.lo, min(s.hi, v))
	if v == s.shown {
		return
	}
	s.shown = v
	s.show(v)
}

// exploreLive shows the slider and the picture, and serves them.
func exploreLive(ctx context.Context, label string, lo, hi, value int, draw func(int) (Picture, error)) error {
	line := live.NewLine("explore", newDisplayID("mnist_explore"))
	pongAddress := line.Address + "/pong"
	pongs := line.Listen(pongAddress)
	labelID, controlID, pictureID, slotID := line.ID+"_label", line.ID+"_control", line.ID+"_picture", line.ID+"_slot"
	show := func(v int) {
		err := drawSafely(draw, v, func(p Picture) {
			showTextAs(labelID, exploreLabel(label, v))
			showPictureAs(pictureID, p)
		})
		if err != nil {
			showTextAs(labelID, exploreLabel(label, v))
			showTextAs(pictureID, fmt.Sprintf(tr("(no picture for %s: %v)"), exploreLabel(label, v), err))
		}
	}
	showTextAs(labelID, exploreLabel(label, value))
	showHTMLAs(controlID, exploreHTML(line.ID, slotID, line.PingAddress(), pongAddress, lo, hi))
	show(value)

	// GoNB's slider, put into the row above. Done returns once the page has
	// sent the slider's first position: it never does without a browser, so
	// it runs aside while the program waits. Its positions are listened to
	// before it exists (what its Listen method does, without missing any),
	// keeping only the newest while a picture is drawn.
	slider := widgets.Slider(lo, hi, value).AppendTo(slotID)
	values := comms.Listen[int](slider.Address()).LatestOnly()
	ready := make(chan struct{})
	go func() {
		slider.Done()
		close(ready)
	}()
	hello := time.NewTimer(live.HelloWait)
	defer hello.Stop()
	why := ""
	select {
	case <-ready:
	case <-ctx.Done():
		why = live.WhyInterrupted
	case <-hello.C:
		showTextAs(controlID, fmt.Sprintf(tr("(the slider, %d to %d, got no answer from the browser: it needs this notebook open in JupyterLab)"), lo, hi))
		return nil
	}
	if why == "" {
		s := &exploreSession{
			lo: lo, hi: hi, values: values.C, pongs: pongs, show: show, shown: value,
			alive: line.KeepAlive(), pingEvery: live.PingEvery,
		}
		why = s.serve(ctx)
	}
	// The slider and its script must not stay in the notebook: the label and
	// the last picture do.
	showTextAs(controlID, "")
	liveClosed("slider closed: %s", why)
	return nil
}

// exploreHTML is the row the slider goes into (between its two ends) and the
// script that answers the program's pings with the slider's position.
func exploreHTML(id, slotID, pingAddress, pongAddress string, lo, hi int) string {
	js := strings.NewReplacer("$ID", id, "$PING", pingAddress, "$PONG", pongAddress,
		"$NOT_CONNECTED", jsString(tr("Not connected: run this cell in JupyterLab to use the slider."))).Replace(exploreJS)
	return fmt.Sprintf(`<div id="%s" class="mnist-explore" style="display:flex;gap:8px;align-items:center">`+
		`<span>%d</span><span id="%s" class="mnist-explore-slider"></span><span>%d</span>`+
		`<span class="mnist-explore-status" style="color:#888"></span></div><script>%s</script>`,
		html.EscapeString(id), lo, html.EscapeString(slotID), hi, js)
}

// exploreJS answers pings while the notebook is open (a closed notebook
// leaves the page; JupyterLab may detach a scrolled-away cell for a while,
// so the notebook's element is kept from the start). It also keeps
// JupyterLab's keyboard shortcuts off the slider (data-lm-suppress-shortcuts
// on the focused element itself), so that the arrow keys move it: in command
// mode JupyterLab takes them to move between cells and headings.
const exploreJS = `(() => {
  const root = document.getElementById("$ID");
  if (!root) return;
  const quiet = () => root.querySelectorAll("input").forEach((e) => e.setAttribute("data-lm-suppress-shortcuts", "true"));
  new MutationObserver(quiet).observe(root, { childList: true, subtree: true });
  quiet();
  const comm = globalThis.gonb_comm;
  if (!comm) { // a saved notebook reopened: no program listens any more
    root.querySelector(".mnist-explore-status").textContent = $NOT_CONNECTED;
    return;
  }
  const notebook = root.closest(".jp-Notebook") || root;
  comm.subscribe("$PING", (_, n) => {
    if (!notebook.isConnected) return;
    const slider = root.querySelector('input[type="range"]');
    comm.send("$PONG", JSON.stringify({ n: Number(n), value: slider ? Number(slider.value) : null }));
  });
})();`
