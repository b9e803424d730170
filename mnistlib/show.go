package mnistlib

// Showing in the notebook: where the charts, pictures and images become a
// cell's outputs. They are rendered elsewhere (chart.go, picture.go,
// probchart.go, gallery.go) as SVG and PNG that know nothing of the notebook;
// here they are handed to GoNB. A display with an ID is redrawn in place by a
// later call with the same ID (GoNB replaces it): the charts that grow while
// a model trains, the live controls' pictures. Outside a notebook nothing is
// shown. (Fit's progress bar, progress.go, updates its own HTML display.)

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// ShowImage is the tutorial's show_image: one digit, enlarged, shown inline
// in the notebook.
func ShowImage(d Digit) error { return Show(d.Image(6)) }

// Show displays an image inline in a GoNB notebook (as PNG). Outside a
// notebook it does nothing; use SavePNG there.
func Show(img image.Image) error {
	if !inNotebook() {
		return nil
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return fmt.Errorf("show: %w", err)
	}
	display("", map[protocol.MIMEType]any{protocol.MIMEImagePNG: b.Bytes()}, nil)
	return nil
}

// ShowHTML displays HTML inline in a GoNB notebook; outside one it does nothing.
func ShowHTML(html string) {
	if inNotebook() {
		showHTMLAs("", html)
	}
}

// ShowCode displays the Go source of the named functions of the library
// (FuncSource: "denseByHand", "SoftmaxByHand", "ConvStep.at"), each with
// its doc comment and the file and lines it comes from, coloured, as HTML:
// the code that computes the by-hand numbers, as compiled. A name not found
// is an error, in a notebook or not; outside one nothing is shown.
func ShowCode(names ...string) error {
	code, err := codeHTML(names...)
	if err != nil {
		return fmt.Errorf("show code: %w", err)
	}
	ShowHTML(code)
	return nil
}

// ShowChart displays the chart inline in a GoNB notebook, as SVG with a PNG
// beside it: JupyterLab and its HTML export show the SVG, viewers that drop
// SVG the PNG. Never as raw HTML, which a sanitized export would escape into
// text. Outside a notebook it does nothing.
func ShowChart(c LineChart) { showChartAs("", c) }

// ShowPicture displays a picture inline in a GoNB notebook, as SVG with a PNG
// copy and a line of text. Outside a notebook it does nothing.
func ShowPicture(p Picture) { showPictureAs("", p) }

// ShowProbabilities displays the chart inline in a GoNB notebook, as SVG with
// a PNG copy (see ShowChart). Outside a notebook it does nothing.
func ShowProbabilities(c ProbabilityChart) { showProbabilitiesAs("", c) }

// showChartAs shows the chart in the display with the given ID, replacing
// what that display showed; "" makes a new display.
func showChartAs(id string, c LineChart) {
	if !inNotebook() {
		return
	}
	w, h := c.size()
	showDrawingAs(id, c.SVG(), c.PNG, c.text(), w, h)
}

// showPictureAs shows the picture in the display with the given ID.
func showPictureAs(id string, p Picture) {
	if !inNotebook() {
		return
	}
	w, h := p.Size()
	showDrawingAs(id, PictureSVG(p), func() ([]byte, error) { return PicturePNG(p) }, p.Text(), w, h)
}

// showProbabilitiesAs shows the chart in the display with the given ID.
func showProbabilitiesAs(id string, c ProbabilityChart) {
	if !inNotebook() {
		return
	}
	w, h := c.size()
	showDrawingAs(id, c.SVG(), c.PNG, c.text(), w, h)
}

// showDrawingAs shows a drawing w×h CSS pixels as SVG, with its PNG copy
// (drawn at 2×, so shown at 1×: the width and height tell the viewer) for
// viewers that drop SVG, and a line of text. A PNG that fails is left out.
func showDrawingAs(id, svg string, renderPNG func() ([]byte, error), text string, w, h int) {
	data := map[protocol.MIMEType]any{protocol.MIMEImageSVG: svg, protocol.MIMETextPlain: text}
	if b, err := renderPNG(); err == nil {
		data[protocol.MIMEImagePNG] = b
	}
	display(id, data, map[string]any{
		string(protocol.MIMEImagePNG): map[string]int{"width": w, "height": h}, // gob knows map[string]int
	})
}

// showImageAs shows an image (PNG) with a line of text in the display with
// the given ID; an image that does not encode is not shown.
func showImageAs(id string, img image.Image, alt string) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return
	}
	display(id, map[protocol.MIMEType]any{protocol.MIMEImagePNG: b.Bytes(), protocol.MIMETextPlain: alt}, nil)
}

// showHTMLAs shows HTML in the display with the given ID.
func showHTMLAs(id, html string) {
	display(id, map[protocol.MIMEType]any{protocol.MIMETextHTML: html}, nil)
}

// showTextAs shows a line of text in the display with the given ID.
func showTextAs(id, text string) {
	display(id, map[protocol.MIMEType]any{protocol.MIMETextPlain: text}, nil)
}

// display publishes one output and waits until GoNB has sent it on: GoNB reads
// a cell's displays and its printed text from separate pipes, so without the
// wait a line printed after a picture can land above it. A non-empty id
// names the display, and a later call with the same id replaces it in place.
func display(id string, data map[protocol.MIMEType]any, metadata map[string]any) {
	gonbui.SendData(&protocol.DisplayData{DisplayID: id, Data: data, Metadata: metadata})
	gonbui.Sync()
}

// inNotebook says whether a GoNB notebook shows this program's output.
func inNotebook() bool { return gonbui.IsNotebook }

// newDisplayID names a display that later calls redraw in place, or a live
// control and its displays: prefix_ and an ID unique in the page.
func newDisplayID(prefix string) string { return prefix + "_" + gonbui.UniqueId() }
