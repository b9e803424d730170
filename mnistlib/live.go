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
	"os"
	"os/signal"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
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

// EnvJupyterSession is set by a Jupyter server for a kernel it starts for an
// open notebook; nbconvert and other headless runners leave it unset.
const EnvJupyterSession = "JPY_SESSION_NAME"

// inJupyterLab says whether a browser may show this cell: a GoNB kernel that
// a Jupyter server started for an open notebook. Where it is false, a control
// must not even try to connect: trying would make GoNB add its connection
// script to the saved notebook.
func inJupyterLab() bool {
	return gonbui.IsNotebook && os.Getenv(EnvJupyterSession) != ""
}

// interruptContext ends when the cell is interrupted. GoNB interrupts a cell
// with SIGINT (and kills it 5 s later): a control catches it to leave its last
// state in the cell. SIGTERM (the kernel shutting down) still ends the program
// at once.
func interruptContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
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
