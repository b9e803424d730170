package mnistlib

// The drawing pad of notebook 10: a canvas in JupyterLab where the learner
// draws a digit, and below it, after every stroke, the 28×28 input the models
// receive (DigitFromImage's preparation) and each model's ten probabilities.
//
// How it talks to the browser: the cell's program shows the pad as HTML with
// a script (pad.js) and listens, through GoNB's comms (the line of live.go),
// for the messages the script sends; it answers by redrawing two outputs of
// its own cell (show.go: GoNB replaces a display that has an ID). The program stays alive while
// the pad is open, and ends when the kernel is interrupted or when the pad
// stops answering its pings (the notebook was closed). Its last drawing is
// left in the cell as pictures, without the script.
//
// Where no browser runs the notebook (nbconvert, the main job, the tests) no
// script runs and no message ever comes: the pad then shows a still picture of
// a digit drawn by the program instead, with a note, and ends. A kernel that a
// Jupyter server started for an open notebook has $JPY_SESSION_NAME; one that
// nbconvert started has not, and there the pad does not even try: trying
// would make GoNB add its connection script to the saved notebook.

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image"
	"image/draw"
	"math"
	"strings"
	"text/template"
	"time"

	"github.com/gonb-mnist/workbook/internal/live"
)

// DrawingPad is a canvas to draw digits on that shows what each of its models answers.
type DrawingPad struct {
	Models []PadModel
	// Size is the canvas's side in pixels (default 280, ten times MNIST's
	// 28) and Pen the pen's width (default 18).
	Size int
	Pen  float64
}

// PadModel is one model of the pad, with the name its chart shows.
type PadModel struct {
	Name  string
	Model *Model
}

// Limits on what a message may hold, so a bad one cannot make the program
// allocate without bound.
const (
	padMaxMessage = 1 << 20
	padMaxPoints  = 20000
	padMaxSide    = 2000
)

// Run shows the pad and serves it until the kernel is interrupted or the
// notebook is closed; without a browser it shows the still picture and returns.
func (p *DrawingPad) Run() error {
	if err := p.check(); err != nil {
		return err
	}
	still := func() error {
		return p.showStill(tr("The drawing pad needs this notebook open in JupyterLab (it runs in the browser). " +
			"Here is what it shows for a digit drawn by the program:"))
	}
	// An interrupt leaves the last drawing in place of the pad.
	return live.Run(inJupyterLab(), still, p.runLive)
}

// check refuses a pad without models.
func (p *DrawingPad) check() error {
	if len(p.Models) == 0 {
		return errors.New("pad: no models: give it at least one PadModel")
	}
	for i, m := range p.Models {
		if m.Model == nil {
			return fmt.Errorf("pad: model %d (%q) is nil", i+1, m.Name)
		}
		if err := m.Model.build(); err != nil {
			return fmt.Errorf("pad: model %q: %w", m.Name, err)
		}
	}
	return nil
}

func (p *DrawingPad) size() int    { return min(max(orDefault(p.Size, 280), 28), padMaxSide) }
func (p *DrawingPad) pen() float64 { return math.Max(orDefaultFloat(p.Pen, 18), 1) }

func orDefaultFloat(v, def float64) float64 {
	if !(v > 0) {
		return def
	}
	return v
}

// ---- messages ----

// padMessage is what pad.js sends, as JSON text.
type padMessage struct {
	Seq     int         `json:"seq"`
	Kind    string      `json:"kind"` // "hello", "strokes", "clear" or "pong"
	Width   int         `json:"width"`
	Height  int         `json:"height"`
	Pen     float64     `json:"pen"`
	Strokes [][]float64 `json:"strokes"` // per stroke x0, y0, x1, y1, ... in canvas pixels
	N       int         `json:"n"`       // a pong's ping number
}

// parsePadMessage decodes and checks one message.
func parsePadMessage(s string) (padMessage, error) {
	var m padMessage
	if len(s) > padMaxMessage {
		return m, fmt.Errorf("pad: a message of %d bytes (at most %d)", len(s), padMaxMessage)
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, fmt.Errorf("pad: a message that is not JSON: %w", err)
	}
	switch m.Kind {
	case "hello", "clear", "pong":
		return m, nil
	case "strokes":
	default:
		return m, fmt.Errorf("pad: unknown message kind %q", m.Kind)
	}
	if m.Width < 8 || m.Height < 8 || m.Width > padMaxSide || m.Height > padMaxSide {
		return m, fmt.Errorf("pad: a canvas of %d×%d pixels (8 to %d a side)", m.Width, m.Height, padMaxSide)
	}
	if !(m.Pen > 0 && m.Pen <= float64(max(m.Width, m.Height))) {
		return m, fmt.Errorf("pad: a pen %g pixels wide", m.Pen)
	}
	points := 0
	for i, s := range m.Strokes {
		if len(s)%2 != 0 || len(s) == 0 {
			return m, fmt.Errorf("pad: stroke %d has %d coordinates (x, y pairs)", i+1, len(s))
		}
		if points += len(s) / 2; points > padMaxPoints {
			return m, fmt.Errorf("pad: more than %d points", padMaxPoints)
		}
	}
	return m, nil
}

// strokes converts the message's flat coordinates, kept within the canvas.
func (m padMessage) strokes() []Stroke {
	clamp := func(v float64, hi int) float64 { return math.Max(0, math.Min(float64(hi), v)) }
	out := make([]Stroke, 0, len(m.Strokes))
	for _, s := range m.Strokes {
		st := make(Stroke, 0, len(s)/2)
		for i := 0; i+1 < len(s); i += 2 {
			st = append(st, [2]float64{clamp(s[i], m.Width), clamp(s[i+1], m.Height)})
		}
		out = append(out, st)
	}
	return out
}

// padAnswer is what the pad shows for one drawing.
type padAnswer struct {
	Drawing *image.Gray // what was drawn, white on black
	Input   Digit       // the models' 28×28 input
	Panels  []ProbabilityPanel
	// TooLittle, for a drawing that DigitFromImage refuses as holding too
	// little ink (a dot, a hairline), says so; it has no Input and no Panels.
	TooLittle string
}

// answer prepares a drawing as ReadDigit would and asks every model. A blank
// drawing gives ok false; so does one with too little ink to read, whose
// answer then says so (TooLittle).
func (p *DrawingPad) answer(drawing *image.Gray) (a padAnswer, ok bool, err error) {
	d, err := DigitFromImage(drawing)
	if errors.Is(err, errTooLittleInk) {
		return padAnswer{Drawing: drawing, TooLittle: tr("too little ink to read: draw the digit larger, or with a thicker pen")}, false, nil
	}
	if err != nil {
		return padAnswer{Drawing: drawing}, false, nil // nothing drawn (yet): nothing to answer
	}
	one := Images{N: 1, Rows: d.Rows, Cols: d.Cols, Pix: d.Pix}
	a = padAnswer{Drawing: drawing, Input: d}
	for _, m := range p.Models {
		// each model gets the digit as it takes it: a row of 784 or a 28×28×1 grid
		x := normalizedPixels(one, inputDims(m.Model.Kind(), 1)...)
		probs, err := m.Model.Predict(x)
		if err != nil {
			return a, false, fmt.Errorf("pad: %s: %w", m.Name, err)
		}
		a.Panels = append(a.Panels, ProbabilityPanel{Name: m.Name, Probs: probs[0]})
	}
	return a, true, nil
}

// ---- the live pad ----

// padSession is the conversation with one pad's script: messages come in on
// in, pings go out through alive, and what to show goes to show (nil: the pad
// was cleared). Run wires it to GoNB; the tests, to channels.
type padSession struct {
	pad        *DrawingPad
	in         <-chan string
	show       func(a *padAnswer)
	alive      live.KeepAlive
	helloWait  time.Duration
	pingEvery  time.Duration
	lastSeq    int
	last       *padAnswer
	badMessage error // the first message refused or not answered, for the closing note
}

// serve waits for the script's hello, then answers its messages until ctx
// ends (an interrupt) or the pings go unanswered. It says why it stopped.
func (s *padSession) serve(ctx context.Context) (string, error) {
	hello := time.NewTimer(s.helloWait)
	defer hello.Stop()
	for waiting := true; waiting; {
		select {
		case <-ctx.Done():
			return live.WhyInterrupted, nil
		case <-hello.C:
			return "", live.ErrNoBrowser
		case raw := <-s.in:
			if m, err := parsePadMessage(raw); err == nil {
				waiting = false
				s.handle(m) // usually the hello; strokes may overtake it
			}
		}
	}
	ticker := time.NewTicker(s.pingEvery)
	defer ticker.Stop()
	s.alive.Heard()
	for {
		select {
		case <-ctx.Done():
			return live.WhyInterrupted, nil
		case raw := <-s.in:
			m, err := parsePadMessage(raw)
			if err != nil {
				if s.badMessage == nil {
					s.badMessage = err
				}
				continue
			}
			s.alive.Heard()
			s.handle(m)
		case <-ticker.C:
			if s.alive.Tick() {
				return "the pad stopped answering (the notebook was closed)", nil
			}
		}
	}
}

// handle acts on one message: strokes are drawn, prepared and answered; a
// clear clears. Messages older than one already handled are dropped (GoNB may
// deliver them out of order).
func (s *padSession) handle(m padMessage) {
	if m.Kind != "strokes" && m.Kind != "clear" {
		return
	}
	if m.Seq <= s.lastSeq {
		return
	}
	s.lastSeq = m.Seq
	if m.Kind == "clear" {
		s.last = nil
		s.show(nil)
		return
	}
	a, ok, err := s.pad.answer(DrawStrokes(m.Width, m.Height, m.Pen, m.strokes()))
	switch {
	case err != nil:
		if s.badMessage == nil {
			s.badMessage = err
		}
	case !ok && a.TooLittle != "":
		s.last = nil
		s.show(&a)
	case !ok:
		s.last = nil
		s.show(nil)
	default:
		s.last = &a
		s.show(&a)
	}
}

// runLive shows the pad, serves it, and leaves the last drawing as pictures.
func (p *DrawingPad) runLive(ctx context.Context) error {
	line := live.NewLine("pad", newDisplayID("mnist_pad"))
	in := line.Listen(line.Address)
	padID, inputID, chartID := line.ID+"_pad", line.ID+"_input", line.ID+"_chart"
	html, err := p.html(line.ID, line.Address, line.PingAddress())
	if err != nil {
		return err
	}
	showHTMLAs(padID, html)
	waiting := tr("(the model's input and the probabilities appear here once you draw)")
	showTextAs(inputID, waiting)
	showTextAs(chartID, " ")
	s := &padSession{
		pad: p, in: in,
		show: func(a *padAnswer) {
			if a == nil || a.TooLittle != "" {
				note := waiting
				if a != nil {
					note = a.TooLittle
				}
				showTextAs(inputID, note)
				showTextAs(chartID, " ")
				return
			}
			showImageAs(inputID, a.Input.Image(6), tr("the model's input: 28×28 pixels"))
			showProbabilitiesAs(chartID, ProbabilityChart{Panels: a.Panels})
		},
		alive:     line.KeepAlive(),
		helloWait: live.HelloWait, pingEvery: live.PingEvery,
	}
	why, err := s.serve(ctx)
	if errors.Is(err, live.ErrNoBrowser) {
		showHTMLAs(padID, "")
		showTextAs(inputID, "")
		showTextAs(chartID, "")
		return p.showStill(tr("The drawing pad got no answer from the browser (it needs JupyterLab). " +
			"Here is what it shows for a digit drawn by the program:"))
	}
	// The pad's script must not stay in the notebook: the last drawing, beside
	// the models' input, replaces it; the chart of their answers stays below.
	if s.last != nil {
		showImageAs(padID, p.drawingAndInput(*s.last), tr("your last drawing and the model's input"))
	} else {
		showTextAs(padID, tr("(the pad was empty when it closed)"))
	}
	showTextAs(inputID, "")
	liveClosed("drawing pad closed: %s", why)
	if s.badMessage != nil {
		fmt.Fprintf(Messages, "(a message from the pad was refused: %v)\n", s.badMessage)
	}
	return nil
}

//go:embed pad.js
var padJS string

var padScript = template.Must(template.New("pad.js").Parse(padJS))

// html is the pad: a canvas, a clear button, a status line and the script.
func (p *DrawingPad) html(id, address, pingAddress string) (string, error) {
	var js bytes.Buffer
	err := padScript.Execute(&js, map[string]any{"ID": id, "Address": address, "PingAddress": pingAddress, "Pen": p.pen(),
		"NotConnected": jsString(tr("Not connected: run this cell in JupyterLab to draw.")),
		"DrawHere":     jsString(tr("Draw a digit in the black square."))})
	if err != nil {
		return "", fmt.Errorf("pad: %w", err)
	}
	side := p.size()
	return fmt.Sprintf(`<div id="%s" class="mnist-pad" style="display:flex;gap:12px;align-items:flex-end">`+
		`<canvas width="%d" height="%d" style="width:%dpx;height:%dpx;touch-action:none;cursor:crosshair;border:1px solid #888;background:#000"></canvas>`+
		`<div><button class="mnist-pad-clear" type="button">%s</button><p class="mnist-pad-status" style="margin:6px 0 0 0">%s</p></div>`+
		`</div><script>%s</script>`,
		id, side, side, side, side, html.EscapeString(tr("clear")), html.EscapeString(tr("Starting…")), js.String()), nil
}

// jsString is s as a JavaScript string literal, quotes included.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// ---- the still picture ----

// sampleStrokes is a 2, the way the program draws one on a 280×280 pad.
var sampleStrokes = []Stroke{{
	{78, 92}, {92, 66}, {118, 50}, {150, 46}, {180, 56}, {198, 80}, {198, 108}, {184, 136},
	{156, 166}, {120, 198}, {86, 228}, {74, 238}, {110, 236}, {160, 234}, {210, 236},
}}

// showStill shows, for a digit drawn by the program, what the live pad would:
// the drawing with the models' input, and the probabilities.
func (p *DrawingPad) showStill(note string) error {
	drawing := DrawStrokes(p.size(), p.size(), p.pen(), scaleStrokes(sampleStrokes, float64(p.size())/280))
	a, ok, err := p.answer(drawing)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("pad: the sample drawing is blank")
	}
	fmt.Fprintln(Messages, note)
	if err := Show(p.drawingAndInput(a)); err != nil {
		return err
	}
	ShowProbabilities(ProbabilityChart{Panels: a.Panels})
	var answers []string
	for _, panel := range a.Panels {
		answers = append(answers, panel.Title())
	}
	fmt.Fprintf(Messages, tr("sample drawing of a 2: %s")+"\n", strings.Join(answers, ", "))
	return nil
}

// scaleStrokes multiplies every coordinate by f.
func scaleStrokes(strokes []Stroke, f float64) []Stroke {
	out := make([]Stroke, len(strokes))
	for i, s := range strokes {
		for _, pt := range s {
			out[i] = append(out[i], [2]float64{pt[0] * f, pt[1] * f})
		}
	}
	return out
}

// drawingAndInput puts the drawing (shrunk to 168 pixels) beside the models'
// 28×28 input (each pixel 6×6), on white.
func (p *DrawingPad) drawingAndInput(a padAnswer) image.Image {
	const side, gap = 168, 16
	img := image.NewGray(image.Rect(0, 0, 2*side+3*gap, side+2*gap))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	small := shrink(a.Drawing, side)
	draw.Draw(img, small.Rect.Add(image.Pt(gap, gap)), small, image.Point{}, draw.Src)
	in := a.Input.Image(side / a.Input.Cols)
	draw.Draw(img, in.Rect.Add(image.Pt(2*gap+side, gap)), in, image.Point{}, draw.Src)
	return img
}

// shrink scales a square picture to side×side, averaging.
func shrink(g *image.Gray, side int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, side, side))
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := range side {
		for x := range side {
			x0, x1 := x*w/side, max((x+1)*w/side, x*w/side+1)
			y0, y1 := y*h/side, max((y+1)*h/side, y*h/side+1)
			sum, n := 0, 0
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					sum += int(g.Pix[(yy)*g.Stride+xx])
					n++
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out
}
