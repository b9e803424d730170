package mnistlib

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The functions the notebooks show are found whole, their doc comment
// included, exactly as byhand.go has them at the lines given; a name that is
// not a function of the file is an error.
func TestFuncSource(t *testing.T) {
	file, err := os.ReadFile("byhand.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(file), "\n")
	for _, c := range []struct {
		name, first string // first: the line the function's text starts with
	}{
		{"denseByHand", "// denseByHand is DenseByHand from the layer's weights alone"},
		{"SoftmaxByHand", "// SoftmaxByHand turns scores into probabilities"},
		{"convByHand", "// convByHand is ConvByHand from the layer's weights alone"},
		{"ConvStep.at", "// at is the kernel on the patch around (row, col)"},
	} {
		s, err := FuncSource(c.name)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		want := strings.Join(lines[s.First-1:s.Last], "\n")
		if s.File != "byhand.go" || s.Text != want || !strings.HasPrefix(s.Text, c.first) || !strings.HasSuffix(s.Text, "\n}") {
			t.Errorf("%s: %s lines %d to %d:\n%s\nwant the function from %q, as the file has it:\n%s", c.name, s.File, s.First, s.Last, s.Text, c.first, want)
		}
		if !strings.Contains(s.Text, "for ") {
			t.Errorf("%s: no loop in\n%s", c.name, s.Text)
		}
	}
	for _, name := range []string{"", "nope", "denseByhand", "UnitStep", "ConvStep", "ConvStep.nope", "Model.ParamFormulas.x", "at"} {
		if s, err := FuncSource(name); err == nil || !strings.Contains(err.Error(), "no function or method") {
			t.Errorf("FuncSource(%q) = %s lines %d to %d, %v; want an error", name, s.File, s.First, s.Last, err)
		}
	}
	if err := ShowCode("denseByHand", "nope"); err == nil || !strings.Contains(err.Error(), `show code: source of nope`) {
		t.Errorf("ShowCode with an unknown name: %v", err)
	}
	if err := ShowCode(); err == nil {
		t.Error("ShowCode with no name: no error")
	}
}

// Every name a notebook hands to ShowCode is a function of the library.
func TestFuncSourceNotebooks(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "notebooks", "*.ipynb"))
	call := regexp.MustCompile(`ShowCode\(((?:\\"[^"\\]*\\"(?:, )?)+)\)`)
	n := 0
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(raw), -1) {
			for _, name := range strings.Split(strings.ReplaceAll(m[1], `\"`, ""), ", ") {
				if _, err := FuncSource(name); err != nil {
					t.Errorf("%s: %v", path, err)
				}
				n++
			}
		}
	}
	if n < 3 {
		t.Errorf("the notebooks show %d functions' code; 04 and 08 show the by-hand loops", n)
	}
}

// The HTML is the code, coloured: without its tags and escapes it is the
// text of the file, < and & included.
func TestCodeHTML(t *testing.T) {
	page, err := codeHTML("denseByHand", "ConvStep.at")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile(`(?s)<code class="language-go">(.*?)</code>`).FindAllStringSubmatch(page, -1)
	if len(blocks) != 2 {
		t.Fatalf("%d code blocks, want 2:\n%s", len(blocks), page)
	}
	for i, name := range []string{"denseByHand", "ConvStep.at"} {
		s, _ := FuncSource(name)
		text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(blocks[i][1], ""))
		if text != s.Text {
			t.Errorf("%s: the HTML reads\n%s\nwant\n%s", name, text, s.Text)
		}
	}
	for _, want := range []string{
		`<span style="color:#cf222e">func</span> denseByHand(`,
		`<span style="color:#cf222e">for</span> _, u := <span style="color:#cf222e">range</span> units {`,
		`y &gt;= <span style="color:#0550ae">0</span> &amp;&amp; x &gt;= `,
		`<span style="color:#0a3069">&#34;relu&#34;</span>`,
		`<span style="color:#6e7781;font-style:italic">// denseByHand is DenseByHand`,
		`mnistlib/byhand.go, lines `,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML lacks %q:\n%s", want, page)
		}
	}
}
