// Package live is the line between a control that lives in the notebook's
// page (the drawing pad, Explore's slider) and its script there: GoNB's comms,
// the interrupt that ends the control, and the pings that tell when the
// notebook was closed.
//
// Such a control is a cell's program that keeps running while its notebook is
// open in JupyterLab, talking to a script in the page. It ends when the kernel
// is interrupted (■), leaving its last state in the cell, or when the page
// stops answering its pings (the notebook was closed). Where no browser runs
// the notebook (nbconvert, the main job, the tests) it shows one still state
// and ends at once.
//
// Its files:
//
//   - live.go: Run, Line (a control's comms address and its pings) and
//     KeepAlive.
//   - doc.go: this map.
package live
