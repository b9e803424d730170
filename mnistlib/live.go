package mnistlib

// What the controls that live in the page (the drawing pad, Explore's slider)
// need of the notebook: whether JupyterLab shows it, and saying why a control
// stopped. Their line to the page is internal/live.

import (
	"fmt"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
)

// inJupyterLab says whether a browser may show this cell: a GoNB kernel that
// a Jupyter server started for an open notebook. Where it is false, a control
// must not even try to connect: trying would make GoNB add its connection
// script to the saved notebook.
func inJupyterLab() bool {
	return gonbui.IsNotebook && os.Getenv(EnvJupyterSession) != ""
}

// liveClosed says, below a control's last state, why it stopped: format
// names the control ("drawing pad closed: %s").
func liveClosed(format, why string) {
	fmt.Fprintf(Messages, tr(format)+"\n", tr(why))
	gonbui.Sync()
}
