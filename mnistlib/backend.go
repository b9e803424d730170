package mnistlib

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"  // registers "go", the pure-Go backend
	_ "github.com/gomlx/go-xla/compute/xla" // registers "xla"; finds its plugin at run time
)

// The backend every model of a process shares: chosen once, on first use.
var (
	backendMu     sync.Mutex
	backendInUse  compute.Backend
	backendReason string
)

// Backend returns the compute backend, starting it on first use:
//
//   - $GOMLX_BACKEND when set ("go", "xla:cpu", "xla:cuda", …), as in GoMLX;
//   - else XLA on the CPU when its PJRT plugin loads ($PJRT_PLUGIN_LIBRARY_PATH,
//     which the project's set-up fills);
//   - else "go", GoMLX's pure-Go backend, which needs nothing installed.
//
// PrintBackend (once per notebook) says which one runs and why.
func Backend() (compute.Backend, error) {
	backendMu.Lock()
	defer backendMu.Unlock()
	if backendInUse != nil {
		return backendInUse, nil
	}
	b, reason, err := chooseBackend()
	if err != nil {
		return nil, err
	}
	backendInUse, backendReason = b, reason
	return b, nil
}

// PrintBackend starts the backend and prints which one runs and why:
// "backend: xla (XLA's CPU plugin found in ...)".
func PrintBackend() {
	if _, err := Backend(); err != nil {
		fmt.Fprintln(Messages, tr("backend:"), err)
		return
	}
	fmt.Fprintln(Messages, tr("backend:"), BackendDescription())
}

// SetBackend chooses the backend by its GoMLX configuration string ("go",
// "xla:cpu", "xla:cuda"), for models built from now on.
func SetBackend(config string) error {
	b, err := newBackend(config)
	if err != nil {
		return err
	}
	backendMu.Lock()
	defer backendMu.Unlock()
	backendInUse, backendReason = b, "chosen by SetBackend"
	fmt.Fprintf(Messages, tr("backend: %s (%s)")+"\n", b.Name(), tr(backendReason))
	return nil
}

// BackendDescription says which backend runs and why, once one is chosen.
func BackendDescription() string {
	backendMu.Lock()
	defer backendMu.Unlock()
	if backendInUse == nil {
		return tr("none yet")
	}
	return fmt.Sprintf(tr("%s (%s)"), backendInUse.Name(), tr(backendReason))
}

func chooseBackend() (compute.Backend, string, error) {
	if config, ok := os.LookupEnv(compute.ConfigEnvVar); ok && config != "" {
		b, err := newBackend(config)
		return b, "from $" + compute.ConfigEnvVar, err
	}
	b, xlaErr := newBackend("xla:cpu")
	if xlaErr == nil {
		return b, "XLA's CPU plugin found in $PJRT_PLUGIN_LIBRARY_PATH", nil
	}
	b, err := newBackend("go")
	reason := "pure Go; XLA's CPU plugin was not found: run `make setup` or set PJRT_PLUGIN_LIBRARY_PATH"
	return b, reason, err
}

// newBackend wraps compute.NewWithConfig, which panics on unknown names.
func newBackend(config string) (b compute.Backend, err error) {
	name, _, _ := strings.Cut(config, ":")
	if !slices.Contains(compute.List(), name) {
		return nil, fmt.Errorf("unknown backend %q: choose one of %s", config, strings.Join(slices.Sorted(slices.Values(compute.List())), ", "))
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting backend %q: %v", config, r)
		}
	}()
	b, err = compute.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("starting backend %q: %w", config, err)
	}
	if name == "xla" {
		keepFreedMemory()
	}
	return b, nil
}
