package live

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
)

// How long a control waits for the browser's first message, how often it
// asks whether the page is still open, and after how long without an answer
// it takes the page for closed. The first wait is long: JupyterLab runs a
// cell's script only once the cell is in the page, which it may not be while
// Run All fills the cells above with pictures (a CI run saw the pad's hello
// come after 10 s), and a person may scroll there later still.
const (
	HelloWait = 60 * time.Second
	PingEvery = 3 * time.Second
	LostAfter = 20 * time.Second
)

// Line is a control's line to its script in the page, through GoNB's
// comms.
type Line struct {
	ID      string // unique in the page: the control's element, and the prefix of its displays' IDs
	Address string // the control's comms address; the script's messages come to it or below it
}

// NewLine names a control of a kind ("pad", "explore"): its ID and its
// address, /mnistlib/KIND/ID.
func NewLine(kind, id string) Line {
	return Line{ID: id, Address: "/mnistlib/" + kind + "/" + id}
}

// Listen returns what the script sends to address. The first Listen makes
// GoNB install its connection in the page; Sync returns once GoNB has handled
// the subscription, connection included (it waits up to 3 s for the
// browser), so that a script shown after it finds gonb_comm.
func (l Line) Listen(address string) <-chan string {
	in := comms.Listen[string](address)
	gonbui.Sync()
	return in.C
}

// PingAddress is where the pings go; the script answers them.
func (l Line) PingAddress() string { return l.Address + "/ping" }

// KeepAlive pings the script at PingAddress.
func (l Line) KeepAlive() KeepAlive {
	return KeepAlive{Ping: func(n int) { comms.Send(l.PingAddress(), n) }, LostAfter: LostAfter}
}

// ErrNoBrowser says that no script answered: no browser shows the notebook.
var ErrNoBrowser = errors.New("no answer from the browser")

// WhyInterrupted is what a control says when the kernel was interrupted.
const WhyInterrupted = "the kernel was interrupted"

// KeepAlive asks the page now and then whether it is still open, and tells
// when it has not answered for LostAfter.
type KeepAlive struct {
	Ping      func(n int) // sends ping n; n counts from 1 (gonb_comm drops a 0)
	LostAfter time.Duration
	lastHeard time.Time
	n         int
}

// Heard notes a message from the page.
func (k *KeepAlive) Heard() { k.lastHeard = time.Now() }

// Tick, called every ping period, sends the next ping, or says that the page
// is lost (nothing heard for LostAfter).
func (k *KeepAlive) Tick() (lost bool) {
	if time.Since(k.lastHeard) > k.LostAfter {
		return true
	}
	k.n++
	k.Ping(k.n)
	return false
}

// Run runs a control: where no browser may show it (inLab false), still shows its
// still state and returns; otherwise inPage serves the control in the page
// until ctx ends, when the cell is interrupted. GoNB interrupts a cell with
// SIGINT (and kills it 5 s later): the control catches it to leave its last
// state in the cell. SIGTERM (the kernel shutting down) still ends the
// program at once.
func Run(inLab bool, still func() error, inPage func(ctx context.Context) error) error {
	if !inLab {
		return still()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return inPage(ctx)
}
