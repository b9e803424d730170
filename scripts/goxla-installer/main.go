// Command goxla-installer installs XLA's CPU PJRT plugin with go-xla v0.4.5's
// own installer (the plugin version go-xla was tested with, downloaded from
// GitHub's gomlx/pjrt-cpu-binaries) into a folder of our choosing. The set-up
// uses it where PyPI has no wheel (scripts/pjrt-install.sh).
//
//	go run . -dir DIR     installs DIR/pjrt_c_api_cpu_<version>_plugin.so and the link
//	                      (on Windows, the copy) pjrt_c_api_cpu_plugin.{so,dll} that go-xla loads
//	go run . -platforms   prints the platforms go-xla has a CPU plugin for
//
// It is a module of its own so that its dependencies (a file lock, a
// terminal spinner) stay out of the workbook's go.mod.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/gomlx/go-xla/installer"
)

func main() {
	dir := flag.String("dir", "", "folder to install the plugin into")
	platforms := flag.Bool("platforms", false, "print the platforms go-xla's installer has a CPU plugin for, and exit")
	flag.Parse()
	if *platforms {
		fmt.Println(strings.Join(installer.CPUSupportedPlatforms, " "))
		return
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "goxla-installer: -dir is required")
		os.Exit(2)
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	if !slices.Contains(installer.CPUSupportedPlatforms, platform) {
		fmt.Fprintf(os.Stderr, "goxla-installer: go-xla has no CPU plugin for %s (only %s)\n",
			platform, strings.Join(installer.CPUSupportedPlatforms, ", "))
		os.Exit(3)
	}
	// useCache=false: the download goes to a temporary file ($TMPDIR), not
	// to a cache in the user's home.
	if err := installer.CPUAutoInstall(*dir, false, installer.Quiet); err != nil {
		fmt.Fprintf(os.Stderr, "goxla-installer: %v\n", err)
		os.Exit(1)
	}
	found, _ := filepath.Glob(filepath.Join(*dir, "pjrt_c_api_cpu_*"))
	fmt.Printf("goxla-installer: installed XLA's CPU plugin for %s: %s\n", platform, strings.Join(found, " "))
}
