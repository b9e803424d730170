package mnistlib

// The library's own source, for the notebooks to show: the by-hand
// arithmetic is plain Go loops, and ShowCode (show.go) puts them on the page.
// The files are embedded in the binary as they were compiled into it, so what
// the reader sees is the code that computed the numbers beside it; a function
// is cut out of its file with go/parser, its doc comment included.

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"html"
	"strings"
)

//go:embed byhand.go
var sourceFiles embed.FS

// sourceNames are the embedded files, in the order they are searched.
var sourceNames = []string{"byhand.go"}

// Source is one function of the library as it is written in its file.
type Source struct {
	Name        string // "denseByHand", or "ConvStep.at" for a method
	File        string // "byhand.go", in mnistlib/
	First, Last int    // its lines in the file, the doc comment included
	Text        string // the doc comment and the function, as in the file
}

// FuncSource returns the source of the library function called name: a
// function ("SoftmaxByHand", "denseByHand") or a method as Type.Method
// ("ConvStep.at"). Only the by-hand arithmetic's file, byhand.go, is kept in
// the binary; a name not found there is an error.
func FuncSource(name string) (Source, error) {
	for _, file := range sourceNames {
		src, err := sourceFiles.ReadFile(file)
		if err != nil {
			return Source{}, fmt.Errorf("source of %s: %w", name, err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return Source{}, fmt.Errorf("source of %s: %w", name, err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || funcName(fn) != name {
				continue
			}
			start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
			if fn.Doc != nil {
				start = fset.Position(fn.Doc.Pos())
			}
			return Source{Name: name, File: file, First: start.Line, Last: end.Line,
				Text: string(src[start.Offset:end.Offset])}, nil
		}
	}
	return Source{}, fmt.Errorf("source of %s: no function or method of that name in %s", name, strings.Join(sourceNames, ", "))
}

// funcName is a function's name, Type.Method for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// codeHTML is the named functions' source as HTML: for each, where it is,
// then its code in a <pre><code> block, coloured by codeColour.
func codeHTML(names ...string) (string, error) {
	if len(names) == 0 {
		return "", fmt.Errorf("source: no function named")
	}
	var b strings.Builder
	for _, name := range names {
		s, err := FuncSource(name)
		if err != nil {
			return "", err
		}
		where := fmt.Sprintf(tr("mnistlib/%s, lines %d to %d"), s.File, s.First, s.Last)
		fmt.Fprintf(&b, `<div style="font-size:0.9em;color:#57606a">%s</div>`, html.EscapeString(where))
		b.WriteString(`<pre style="background-color:#f6f8fa;color:#24292f;padding:8px 12px;border-radius:4px;tab-size:4;overflow-x:auto">`)
		b.WriteString(`<code class="language-go">` + highlightGo(s.Text) + "</code></pre>\n")
	}
	return b.String(), nil
}

// codeColour is the colour of each kind of token that has one (GitHub's
// light theme); the rest of the code stays the text's colour.
func codeColour(tok token.Token) string {
	switch {
	case tok == token.COMMENT:
		return "color:#6e7781;font-style:italic"
	case tok.IsKeyword():
		return "color:#cf222e"
	case tok == token.STRING || tok == token.CHAR:
		return "color:#0a3069"
	case tok == token.INT || tok == token.FLOAT || tok == token.IMAG:
		return "color:#0550ae"
	}
	return ""
}

// highlightGo is Go source as HTML, each keyword, comment, string and number
// in a <span> of its colour; everything else, spaces and tabs included, as
// it is.
func highlightGo(src string) string {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, scanner.ScanComments)
	var b strings.Builder
	done := 0 // src[:done] is written
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		style := codeColour(tok)
		if style == "" {
			continue
		}
		text := lit
		if tok.IsKeyword() {
			text = tok.String()
		}
		start := file.Offset(pos)
		b.WriteString(html.EscapeString(src[done:start]))
		fmt.Fprintf(&b, `<span style="%s">%s</span>`, style, html.EscapeString(src[start:start+len(text)]))
		done = start + len(text)
	}
	b.WriteString(html.EscapeString(src[done:]))
	return b.String()
}
