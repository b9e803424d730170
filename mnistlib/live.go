package mnistlib

// What the controls that live in the page (the drawing pad, Explore's slider)
// share: whether a browser can be there at all, the interrupt that ends them,
// and the pings that tell when the notebook was closed.
//
// Such a control is a cell's program that keeps running while its notebook is
// open in JupyterLab, talking to a script in the page through GoNB's comms.
// It ends when the kernel is interrupted (■), leaving its last state in the
// cell, or when the page stops answering its pings (the notebook was closed).
// Where no browser runs the notebook (nbconvert, the main job, the tests) it
// shows one still state and ends at once.

import (
	"context"
	"errors"
	"fmt"
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
	liveHelloWait = 60 * time.Second
	livePingEvery = 3 * time.Second
	liveLostAfter = 20 * time.Second
)

// inJupyterLab says whether a browser may show this cell: a GoNB kernel that
// a Jupyter server started for an open notebook. Where it is false, a control
// must not even try to connect: trying would make GoNB add its connection
// script to the saved notebook.
func inJupyterLab() bool {
	return gonbui.IsNotebook && os.Getenv(EnvJupyterSession) != ""
}

// runControl runs a control: where no browser may show it, still shows its
// still state and returns; otherwise inPage serves the control in the page
// until ctx ends, when the cell is interrupted. GoNB interrupts a cell with
// SIGINT (and kills it 5 s later): the control catches it to leave its last
// state in the cell. SIGTERM (the kernel shutting down) still ends the
// program at once.
func runControl(still func() error, inPage func(ctx context.Context) error) error {
	if !inJupyterLab() {
		return still()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return inPage(ctx)
}

// liveLine is a control's line to its script in the page, through GoNB's
// comms.
type liveLine struct {
	id      string // unique in the page: the control's element, and the prefix of its displays' IDs
	address string // the control's comms address; the script's messages come to it or below it
}

// newLiveLine names a control of a kind ("pad", "explore"): its ID and its
// address, /mnistlib/KIND/ID.
func newLiveLine(kind string) liveLine {
	id := newDisplayID("mnist_" + kind)
	return liveLine{id: id, address: "/mnistlib/" + kind + "/" + id}
}

// listen returns what the script sends to address. The first listen makes
// GoNB install its connection in the page; Sync returns once GoNB has handled
// the subscription, connection included (it waits up to 3 s for the
// browser), so that a script shown after it finds gonb_comm.
func (l liveLine) listen(address string) <-chan string {
	in := comms.Listen[string](address)
	gonbui.Sync()
	return in.C
}

// pingAddress is where the pings go; the script answers them.
func (l liveLine) pingAddress() string { return l.address + "/ping" }

// keepAlive pings the script at pingAddress.
func (l liveLine) keepAlive() keepAlive {
	return keepAlive{ping: func(n int) { comms.Send(l.pingAddress(), n) }, lostAfter: liveLostAfter}
}

// liveClosed says, below a control's last state, why it stopped: format
// names the control ("drawing pad closed: %s").
func liveClosed(format, why string) {
	fmt.Fprintf(Messages, tr(format)+"\n", tr(why))
	gonbui.Sync()
}

// errNoBrowser says that no script answered: no browser shows the notebook.
var errNoBrowser = errors.New("no answer from the browser")

// whyInterrupted is what a control says when the kernel was interrupted.
const whyInterrupted = "the kernel was interrupted"

// keepAlive asks the page now and then whether it is still open, and tells
// when it has not answered for lostAfter.
type keepAlive struct {
	ping      func(n int) // sends ping n; n counts from 1 (gonb_comm drops a 0)
	lostAfter time.Duration
	lastHeard time.Time
	n         int
}

// heard notes a message from the page.
func (k *keepAlive) heard() { k.lastHeard = time.Now() }

// tick, called every ping period, sends the next ping, or says that the page
// is lost (nothing heard for lostAfter).
func (k *keepAlive) tick() (lost bool) {
	if time.Since(k.lastHeard) > k.lostAfter {
		return true
	}
	k.n++
	k.ping(k.n)
	return false
}
