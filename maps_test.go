// Package workbook_test keeps the repository's maps true: the README and the
// pages of docs/, which tell a person where things are, and the package
// comment of each package (mnistlib/doc.go, internal/*/doc.go), which names
// every file of the package. A renamed file, a moved page or a new file nobody placed on the
// map fails here, with a message that names the page and the fix.
//
//	go test . -run 'TestReadme|TestDocMap'
package workbook_test

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// pages are the maps for a person: the README and every page of docs/.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(docs)
	return append([]string{"README.md"}, docs...)
}

// checkedExt are the endings of a name in backticks that make it a file of
// the repository even without a folder (`fit.go`, `RESULTS.md`).
var checkedExt = []string{".go", ".md", ".py", ".sh", ".mjs", ".js", ".ipynb", ".json", ".txt"}

// notRepoFiles are names with such an ending that the pages use for files
// that are not in the repository, and what they are.
var notRepoFiles = map[string]string{
	"model.json": "a checkpoint's manifest, in build/checkpoints/NAME/",
}

// placeholders are the words the pages write in a path for "any such name".
var placeholders = []string{"NAME", "NOTEBOOK", "DIR", "OLD", "NEW"}

// ignoredPrefixes are the folders that are not in the repository but made by
// the set-up or the jobs: build products and installed tools, and whatever
// .gitignore names by its path. A page may name paths under them freely.
func ignoredPrefixes(t *testing.T) []string {
	t.Helper()
	prefixes := []string{"build/", ".tools/", ".git/"}
	f, err := os.Open(".gitignore")
	if err != nil {
		return prefixes
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.ContainsAny(line, "*?[!") {
			continue
		}
		line = strings.TrimPrefix(line, "/")
		prefixes = append(prefixes, strings.TrimSuffix(line, "/")+"/")
	}
	return prefixes
}

func ignored(p string, prefixes []string) bool {
	for _, pre := range prefixes {
		if p+"/" == pre || strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// repoFiles lists every file and folder of the repository (ignored folders
// left out), as slash-separated paths from its root.
func repoFiles(t *testing.T, prefixes []string) []string {
	t.Helper()
	var all []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		p = filepath.ToSlash(p)
		if p == "." {
			return nil
		}
		if d.IsDir() && (ignored(p+"/", prefixes) || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		all = append(all, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// withoutFences blanks the fenced code blocks of a markdown text, keeping
// its lines where they were, so that offsets still give line numbers.
func withoutFences(text string) string {
	lines := strings.Split(text, "\n")
	in := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			in = !in
			lines[i] = ""
			continue
		}
		if in {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

func lineOf(text string, offset int) int { return strings.Count(text[:offset], "\n") + 1 }

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	link     = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	heading  = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)
)

// pathLike is a word of a code span that names a path of the repository, as
// the check should see it, or "" when the word is something else: a
// command, an option, a URL, a variable, a Go identifier, an absolute path.
func pathLike(word string, top map[string]bool) string {
	word = strings.TrimPrefix(word, "./")
	if word == "" || strings.ContainsAny(word, "$<>…*=@:()|{}#'\"?~,;[]\\") ||
		strings.HasPrefix(word, "/") || strings.HasPrefix(word, "-") || strings.HasPrefix(word, ".../") {
		return ""
	}
	for _, part := range strings.Split(strings.TrimSuffix(word, "/"), "/") {
		stem, _, _ := strings.Cut(part, ".")
		if slices.Contains(placeholders, stem) || part == "" || part == ".." {
			return ""
		}
	}
	if !strings.Contains(word, "/") && strings.LastIndex(word, ".") == 0 {
		return "" // an ending alone: every `.go` file
	}
	first, _, hasSlash := strings.Cut(word, "/")
	if hasSlash && top[first] {
		return word
	}
	for _, ext := range checkedExt {
		if strings.HasSuffix(word, ext) {
			return word
		}
	}
	return ""
}

// TestReadmePaths checks that every repository path README.md and docs/*.md
// name exists: in a code span (`scripts/test.sh`, `fit.go`) or as a link
// ([docs/setup.md](docs/setup.md)), and that a link to a heading finds it.
// A word in a code span counts as a path when it starts with a top-level
// folder or file of the repository and has a '/', or when it ends in one of
// checkedExt (then it may be a file name alone, found anywhere in the
// repository, or a path from the page's folder). URLs, absolute paths,
// commands' options, placeholders (NAME, DIR…) and what is under build/,
// .tools/ or another git-ignored folder are not checked.
func TestReadmePaths(t *testing.T) {
	prefixes := ignoredPrefixes(t)
	all := repoFiles(t, prefixes)
	top := map[string]bool{}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		top[e.Name()] = true
	}
	for _, pre := range prefixes { // build/ and .tools/ may not exist yet
		first, _, _ := strings.Cut(pre, "/")
		top[first] = true
	}
	exists := func(p string) bool {
		_, err := os.Stat(filepath.FromSlash(p))
		return err == nil
	}
	foundAnywhere := func(name string) bool {
		name = strings.TrimSuffix(name, "/")
		for _, p := range all {
			if p == name || strings.HasSuffix(p, "/"+name) {
				return true
			}
		}
		return false
	}
	slugs := map[string]map[string]bool{} // page -> its headings' anchors
	anchorsOf := func(page string) map[string]bool {
		if s, ok := slugs[page]; ok {
			return s
		}
		b, err := os.ReadFile(filepath.FromSlash(page))
		s := map[string]bool{}
		if err == nil {
			seen := map[string]int{}
			for _, m := range heading.FindAllStringSubmatch(withoutFences(string(b)), -1) {
				slug := githubSlug(m[1])
				if n := seen[slug]; n > 0 {
					s[slug+"-"+itoa(n)] = true
				} else {
					s[slug] = true
				}
				seen[slug]++
			}
		}
		slugs[page] = s
		return s
	}

	for _, page := range pages(t) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		text := withoutFences(string(b))
		dir := path.Dir(filepath.ToSlash(page))

		for _, m := range link.FindAllStringSubmatchIndex(text, -1) {
			target := text[m[2]:m[3]]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			at := lineOf(text, m[0])
			file, anchor, _ := strings.Cut(target, "#")
			resolved := filepath.ToSlash(page)
			if file != "" {
				resolved = path.Clean(path.Join(dir, file))
				if strings.HasPrefix(resolved, "../") {
					t.Errorf("%s:%d links to %q, outside the repository: link to a file inside it, or give a URL", page, at, target)
					continue
				}
				if ignored(resolved, prefixes) {
					continue
				}
				if !exists(resolved) {
					t.Errorf("%s:%d links to %q, but %s does not exist: point the link at the file's new place (links are relative to the page's folder, %s/), or drop it", page, at, target, resolved, dir)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(resolved, ".md") && !anchorsOf(resolved)[anchor] {
				t.Errorf("%s:%d links to %q, but %s has no heading with the anchor #%s: link to one of its headings (%s), or rename the heading back",
					page, at, target, resolved, anchor, strings.Join(sortedKeys(anchorsOf(resolved)), ", "))
			}
		}

		for _, m := range codeSpan.FindAllStringSubmatchIndex(text, -1) {
			at := lineOf(text, m[0])
			for _, word := range strings.Fields(text[m[2]:m[3]]) {
				p := pathLike(word, top)
				if p == "" || ignored(p, prefixes) {
					continue
				}
				if _, ok := notRepoFiles[p]; ok {
					continue
				}
				first, _, hasSlash := strings.Cut(p, "/")
				switch {
				case hasSlash && top[first]:
					if !exists(p) {
						t.Errorf("%s:%d names `%s`, which does not exist: write the path the file has now (paths in backticks are from the repository's root), or drop the mention", page, at, p)
					}
				case exists(p) || exists(path.Join(dir, p)) || foundAnywhere(p):
				default:
					t.Errorf("%s:%d names `%s`, which is no file of the repository: write the name the file has now, or, if it names something outside the repository, add it to notRepoFiles in maps_test.go with what it is", page, at, p)
				}
			}
		}
	}
}

// githubSlug is the anchor GitHub gives a heading: lower case, spaces to
// hyphens, punctuation other than '-' and '_' dropped.
func githubSlug(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, "#"+k)
	}
	sort.Strings(keys)
	return keys
}

// TestReadmeCommands checks the README's two set-up commands: `make notebooks`
// and `make test` are in its shell blocks, every `make TARGET` a page shows
// is a target of the Makefile, and CI (.ci/run) runs the README's test
// command.
func TestReadmeCommands(t *testing.T) {
	mk, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([A-Za-z0-9_-][A-Za-z0-9_.-]*):`).FindAllStringSubmatch(string(mk), -1) {
		targets[m[1]] = true
	}
	makeLine := regexp.MustCompile(`(?m)^\s*(?:[A-Z_]+=\S+\s+)*make\s+([A-Za-z0-9_.-]+)`)
	readmeCommands := map[string]bool{}
	for _, page := range pages(t) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		in := false
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				in = !in
				continue
			}
			if !in {
				continue
			}
			m := makeLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if page == "README.md" {
				readmeCommands[m[1]] = true
			}
			if !targets[m[1]] {
				t.Errorf("%s:%d shows `make %s`, which is no target of the Makefile: write a target it has (%s), or add the target", page, i+1, m[1], strings.Join(sortedNames(targets), ", "))
			}
		}
	}
	for _, want := range []string{"notebooks", "test"} {
		if !readmeCommands[want] {
			t.Errorf("README.md shows no `make %s` in a shell block: the set-up's two commands, `make notebooks` (the main job) and `make test` (the tests), belong at its top", want)
		}
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\s*make test\s*$`).Match(ci) {
		t.Errorf(".ci/run does not run `make test`, the README's test command: make it run that, or change the README to say what CI runs")
	}
}

func sortedNames(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// namedFile is a file name in a package comment: "fit.go", "pad.js",
// "cmd/mkoutside/main.go".
var namedFile = regexp.MustCompile(`[A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:go|js)\b`)

// TestDocMap checks that the package comment of mnistlib (mnistlib/doc.go)
// is a true map of the library: every file of the package that is not a
// test (its .go files, and the scripts it embeds, .js) is named in it
// exactly once, and every file it names exists. A package under mnistlib/
// other than a command (package main, which says what it does in main.go)
// needs a doc.go of its own, checked the same way; testdata/ is skipped.
func TestDocMap(t *testing.T) {
	for _, root := range []string{"mnistlib", "internal"} {
		walkPackages(t, root)
	}
}

// walkPackages checks the map of every package under root.
func walkPackages(t *testing.T, root string) {
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); dir != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		checkDocMap(t, dir)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkDocMap(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string // what the map must name
	pkg := ""
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, "_test.go") {
			continue
		}
		switch filepath.Ext(name) {
		case ".go":
			if pkg == "" {
				f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.PackageClauseOnly)
				if err != nil {
					t.Fatal(err)
				}
				pkg = f.Name.Name
			}
			files = append(files, name)
		case ".js":
			files = append(files, name)
		}
	}
	if pkg == "" || pkg == "main" {
		return
	}
	doc := filepath.Join(dir, "doc.go")
	f, err := parser.ParseFile(token.NewFileSet(), doc, nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Errorf("package %s (%s) has no doc.go to map its files: add %s, with a package comment that names each of its files (%s) with what it holds", pkg, dir, doc, strings.Join(files, ", "))
		return
	}
	if f.Doc == nil {
		t.Errorf("%s has no package comment: write one, just above `package %s`, that names each file of %s (%s) with what it holds", doc, pkg, dir, strings.Join(files, ", "))
		return
	}
	comment := f.Doc.Text()
	count := map[string]int{}
	for _, name := range namedFile.FindAllString(comment, -1) {
		name = strings.TrimRight(name, ".")
		p := filepath.Join(dir, filepath.FromSlash(name))
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s names %s, which does not exist (%s): take it out of the package comment, or write the name the file has now", doc, name, p)
			continue
		}
		count[filepath.ToSlash(name)]++
	}
	for _, name := range files {
		switch n := count[name]; {
		case n == 0:
			t.Errorf("%s does not name %s: add it to the package comment, in the group where it belongs, with a few words on what it holds", doc, filepath.Join(dir, name))
		case n > 1:
			t.Errorf("%s names %s %d times: name each file once, where it is described (say \"the file above\" or name its types elsewhere)", doc, name, n)
		}
	}
}
