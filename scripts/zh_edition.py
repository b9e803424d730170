#!/usr/bin/env python3
"""The Chinese edition of the workbook, made from the English one.

    scripts/zh_edition.py           writes notebooks/zh/*.ipynb (make zh)
    scripts/zh_edition.py --check   the drift test (make test): changes nothing

The English notebooks, notebooks/*.ipynb, are the source. translations/zh/NAME.json
holds, for each markdown cell of notebooks/NAME.ipynb (by cell id), its Chinese
text ("zh") and the first 16 hex digits of the SHA-256 of the English text it
translates ("en"). notebooks/zh/NAME.ipynb is the English notebook with each
markdown cell's source replaced by its translation: code cells, ids and
metadata unchanged, outputs cleared, written as nbconvert writes a notebook
(1-space indent, non-ASCII kept, each cell's keys in the English file's order).
notebooks/zh/images is a relative link to ../images, so that code reading
images/... works from either folder.

What a code cell prints is Chinese too: an entry for a code cell holds
"strings": each Go string literal of the cell to change, by its value
(escapes read: a newline where the source says \\n), with its Chinese. Only
those literals change (comments may differ too); a format keeps the verb of
each argument (a translation may reorder them: %[2]s). A
literal of the Chinese edition that still reads as English prose (a word of
three letters or more that translations/zh/glossary.json does not keep as a
name) is an error, and so is a Chinese text that uses a term the glossary
rejects (过滤器 where the tutorial says 卷积核).

A markdown cell without a translation, a translation of an older English text
(its hash differs: the cell changed since), a translation for a cell the
notebook no longer has, a translation file without its notebook: each is an
error naming the notebook and the cell, and nothing is written. There is no
English fallback. A translation must also link to what the English text links
to, so that links between notebooks stay inside their edition.

A file this script cannot read (not UTF-8, not JSON, a cell without its id,
a translation whose "cells" is not a list...) is one line too, "path: place:
what is wrong (what to do)", and exit status 1, never a traceback: each file
is read and its shape checked in one place (read, parse, check_notebook,
check_translation, check_glossary) before anything else looks at it.

--check also fails when a code cell of notebooks/zh/ differs from the English
edition's other than inside string literals and comments, or when a file of notebooks/zh/ is not what this script writes now
(edited by hand, or not regenerated after a change). --root DIR works on
another copy of the repository (the tests use one).
"""
import argparse
import copy
import hashlib
import json
import os
import re
import sys

LANG = "zh"
LINKED = ["images"]  # folders of notebooks/ the code cells read by relative path
CATALOGUE = os.path.join("mnistlib", "language.go")  # the library's Chinese labels, held to the glossary too


def en_hash(source):
    """The first 16 hex digits of the SHA-256 of a cell's source."""
    text = "".join(source) if isinstance(source, list) else source
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def first_line(source):
    text = "".join(source) if isinstance(source, list) else source
    return next((l.strip() for l in text.splitlines() if l.strip()), "")


def targets(text):
    """The targets of a markdown text's links and images, in order."""
    return re.findall(r"\]\(([^)\s]+)[^)]*\)", text)


def dumps(nb):
    """A notebook as nbconvert --clear-output writes it (keys in the order the
    English file has them)."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


# Malformed input. Every file this script reads is read and its shape checked
# here, before anything else looks at it: a file it cannot use is one line,
# "path: place: what is wrong (what to do)", never a traceback.

class Malformed(Exception):
    """A file the edition cannot be made from; str() is the one-line message."""


def malformed(rel, place, what):
    if len(place) > 80:  # 65 levels deep
        place = place[:77] + "..."
    return Malformed(f"{rel}: {place}: {what}")


TOP = "top level"
MAX_DEPTH = 64  # the notebooks nest 4 levels; deeper is too deep to copy and write
ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")  # a cell id, as nbformat 4.5 has it
EN_FIX = "mend it (git diff shows what changed) or open and save it in Jupyter"
ZH_FIX = "run `make zh`: it writes the file anew"


def child(place, key):
    """The place of an object's key or a list's item (an int)."""
    if isinstance(key, int):
        return f"{place}[{key}]"
    key = key if re.fullmatch(r"\w+", key) else json.dumps(key, ensure_ascii=False)
    return key if place == TOP else f"{place}.{key}"


def kind(value):
    """A JSON value's type, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}[type(value)]


def need(value, types, rel, place, fix):
    """value, when it is one of types (dict, list, str); Malformed otherwise."""
    types = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, types):
        wanted = " or ".join(kind(t()) for t in types)
        raise malformed(rel, place, f"is {kind(value)}, not {wanted} ({fix})")
    return value


def need_key(obj, key, types, rel, place, fix):
    """obj[key], when obj has the key and its value is one of types."""
    if key not in obj:
        raise malformed(rel, place, f'has no "{key}" ({fix})')
    return need(obj[key], types, rel, child(place, key), fix)


def need_strings(value, rel, place, fix):
    """A list of non-empty strings."""
    for i, s in enumerate(need(value, list, rel, place, fix)):
        if not need(s, str, rel, child(place, i), fix):
            raise malformed(rel, child(place, i), f"is empty ({fix})")
    return value


def check_values(value, rel):
    """Malformed where the value nests more than MAX_DEPTH levels, or holds a
    string that is not Unicode text (a lone surrogate, as \\ud800 gives)."""
    stack = [(value, TOP, 0)]
    while stack:
        v, place, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise malformed(rel, place, f"nests more than {MAX_DEPTH} lists or objects deep (the workbook's files nest 4)")
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, x in items:
            stack.append((k, place, depth))  # a key is a string to check too
            stack.append((x, child(place, k), depth + 1))
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError as e:
                raise malformed(rel, place, f"has {v[e.start]!r}, half of a UTF-16 pair, which is not text "
                                "(write the character itself)")


def read(path, rel=None, optional=True, fix=None):
    """The text of a file, or None when there is none (an error when not
    optional); Malformed when it cannot be read or is not UTF-8. fix, where
    given, is what to do instead of mending the file by hand."""
    rel = rel or path
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        if optional:
            return None
        raise malformed(rel, "the file", "does not exist (a broken link?)")
    except IsADirectoryError:
        raise malformed(rel, "the file", "is a folder, not a file (remove it, or put the file in its place)")
    except OSError as e:
        raise malformed(rel, "the file", f"cannot be read: {e.strerror} (check the file, or the link it is)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise malformed(rel, f"line {line}, byte {e.start}",
                        f"is not UTF-8 ({e.reason}: {data[e.start:e.end]!r}) ({fix or 'save the file as UTF-8'})")


class DuplicateKey(ValueError):
    pass


def unique_keys(pairs):
    """An object's keys and values as a dict, when no key comes twice."""
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise DuplicateKey(k)
        obj[k] = v
    return obj


def parse(text, rel, fix=None):
    """The JSON value of a file's text; Malformed when it is not JSON."""
    if text.startswith("\ufeff"):
        raise malformed(rel, "line 1, column 1", f"starts with a byte order mark ({fix or 'save the file as UTF-8 without one'})")
    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as e:
        raise malformed(rel, f"line {e.lineno}, column {e.colno}", f"is not JSON: {e.msg} ({fix or 'mend the JSON there'})")
    except DuplicateKey as e:
        raise malformed(rel, f"key {json.dumps(e.args[0], ensure_ascii=False)}", f"comes twice in one object ({fix or 'keep one'})")
    except RecursionError:
        raise malformed(rel, "the file", "nests lists or objects too deep to read (" + (fix or "the workbook's files nest 4") + ")")
    except ValueError as e:  # a number of thousands of digits
        raise malformed(rel, "the file", f"cannot be read as JSON: {str(e).split(';')[0]} ({fix or 'mend the JSON'})")


def load_json(path, rel, fix=None):
    return parse(read(path, rel, optional=False, fix=fix), rel, fix)


def check_notebook(nb, rel, fix):
    """Malformed unless nb is a notebook as this script reads it: an object
    whose "cells" are objects, each with its own "id", a "cell_type" and a
    "source" (a string or a list of strings)."""
    check_values(nb, rel)
    need(nb, dict, rel, TOP, fix)
    seen = {}
    for i, c in enumerate(need_key(nb, "cells", list, rel, TOP, fix)):
        place = child("cells", i)
        need(c, dict, rel, place, fix)
        cid = need_key(c, "id", str, rel, place, fix)
        if not ID.fullmatch(cid):
            raise malformed(rel, child(place, "id"), f"{cid!r} is not a cell id: 1 to 64 letters, digits, - or _ ({fix})")
        if cid in seen:
            raise malformed(rel, child(place, "id"), f"{cid} is the id of cells[{seen[cid]}] too ({fix})")
        seen[cid] = i
        place = f"{place} (id {cid})"
        cell_type = need_key(c, "cell_type", str, rel, place, fix)
        if cell_type not in ("markdown", "code", "raw"):
            raise malformed(rel, child(place, "cell_type"), f"{cell_type!r} is not markdown, code or raw ({fix})")
        source = need_key(c, "source", (str, list), rel, place, fix)
        for k, line in enumerate(source if isinstance(source, list) else []):
            need(line, str, rel, child(child(place, "source"), k), fix)
    return nb


def load_notebook(path, rel, fix):
    return check_notebook(load_json(path, rel), rel, fix)


MARKDOWN_ENTRY = {"id", "en", "zh"}
CODE_ENTRY = {"id", "strings"}


def keys_of(keys):
    return ", ".join(json.dumps(k, ensure_ascii=False) for k in sorted(keys))


def check_translation(tr, rel):
    """Malformed unless tr is a translation file: {"notebook": NAME.ipynb,
    "cells": [...]}, each entry {"id", "en", "zh"} (a markdown cell's) or
    {"id", "strings"} (a code cell's), every value a string."""
    entry_fix = ('a markdown cell\'s entry is {"id", "en", "zh"}, a code cell\'s {"id", "strings"}, '
                 "each value a string")
    check_values(tr, rel)
    need(tr, dict, rel, TOP, 'a translation file is an object: {"notebook": "NAME.ipynb", "cells": [...]}')
    need_key(tr, "notebook", str, rel, TOP, "the name of the notebook it translates, NAME.ipynb")
    for i, e in enumerate(need_key(tr, "cells", list, rel, TOP, "a list of the cells' translations")):
        place = child("cells", i)
        need(e, dict, rel, place, entry_fix)
        eid = need_key(e, "id", str, rel, place, "the id of the cell it translates")
        if not ID.fullmatch(eid):
            raise malformed(rel, child(place, "id"), f"{eid!r} is not a cell id (give the id of the cell it translates)")
        place = f"{place} (id {eid})"
        keys = CODE_ENTRY if "strings" in e else MARKDOWN_ENTRY
        if keys - set(e):
            raise malformed(rel, place, f"has no {keys_of(keys - set(e))} ({entry_fix})")
        if set(e) - keys:
            raise malformed(rel, place, f"has {keys_of(set(e) - keys)} too ({entry_fix})")
        if keys == CODE_ENTRY:
            for en, zh in need(e["strings"], dict, rel, child(place, "strings"), "the Chinese of each English literal, by its value").items():
                need(zh, str, rel, child(child(place, "strings"), en), "the Chinese of the English literal")
            continue
        if not re.fullmatch(r"[0-9a-f]{16}", need(e["en"], str, rel, child(place, "en"), entry_fix)):
            raise malformed(rel, child(place, "en"), f"{e['en']!r} is not 16 hex digits (the first 16 of the SHA-256 "
                            "of the English text it translates)")
        need(e["zh"], str, rel, child(place, "zh"), entry_fix)
    return tr


def check_glossary(g, rel):
    """Malformed unless g is the glossary: {"terms": [{"zh", "reject"...}],
    "names": [...]}, its texts strings, none of them empty."""
    fix = 'the glossary is {"terms": [{"en", "zh", "also", "reject"}...], "names": [...]}, its texts non-empty strings'
    check_values(g, rel)
    need(g, dict, rel, TOP, fix)
    for i, t in enumerate(need_key(g, "terms", list, rel, TOP, fix)):
        place = child("terms", i)
        need(t, dict, rel, place, fix)
        if not need_key(t, "zh", str, rel, place, fix):
            raise malformed(rel, child(place, "zh"), f"is empty ({fix})")
        if "en" in t:
            need(t["en"], str, rel, child(place, "en"), fix)
        for key in ("also", "reject"):
            if key in t:
                need_strings(t[key], rel, child(place, key), fix)
    need_strings(need_key(g, "names", list, rel, TOP, fix), rel, "names", fix)
    return g


def same(path, text):
    """Whether the file holds exactly this text (False where it cannot be read)."""
    try:
        with open(path, "rb") as f:
            return f.read() == text.encode("utf-8")
    except OSError:
        return False


def lines(text):
    """Notebook source as a list of lines, as nbformat splits it."""
    return text.splitlines(keepends=True)


def opaque(line):
    """GoNB's own lines (%% magics, ! shell commands) are not Go: left as they are."""
    return line.lstrip().startswith(("%", "!"))


def go_literals(src):
    """The (start, end) spans of the text inside each Go string literal of a
    cell's source, "..." or `...`, skipping comments, runes and GoNB's own
    lines (a shell line ending in a backslash continues on the next)."""
    spans, i, n, line_start, cont = [], 0, len(src), True, False
    while i < n:
        if line_start:
            line_start = False
            end = src.find("\n", i)
            end = n if end < 0 else end
            line = src[i:end]
            if cont or opaque(line):
                cont = line.rstrip().endswith("\\")
                i = end
                continue
        ch = src[i]
        if ch == "\n":
            line_start = True
            i += 1
        elif src.startswith("//", i):
            i = src.find("\n", i) if "\n" in src[i:] else n
        elif src.startswith("/*", i):
            i = src.find("*/", i + 2) + 2 if "*/" in src[i + 2:] else n
        elif ch in "\"'":
            j = i + 1
            while j < n and src[j] != ch and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            if ch == '"':
                spans.append((i + 1, j))
            i = j + 1
        elif ch == "`":
            j = src.find("`", i + 1)
            j = n if j < 0 else j
            spans.append((i + 1, j))
            line_start = False
            i = j + 1
        else:
            i += 1
    return spans


GO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"', "'": "'"}


def go_value(src, a, b):
    """The value of the literal whose text is src[a:b]: a raw `...` as it
    stands, a "..." with its escapes (\\n, \\", \\u00e9...) read."""
    text = src[a:b]
    if src[a - 1] == "`":
        return text
    def unescape(m):
        e = m.group(1)
        if e[0] in "xuU":
            n = int(e[1:], 16)
            return chr(n) if n <= 0x10FFFF else m.group(0)  # Go refuses one above: left as it stands
        if e[0] in "01234567":
            return chr(int(e, 8))
        return GO_ESCAPES.get(e, "\\" + e)
    return re.sub(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", unescape, text)


def quoted(value):
    """A literal's value as a message quotes it, on one line (as Go spells it)."""
    return json.dumps(value, ensure_ascii=False)


def go_text(value, raw):
    """How a literal with this value is spelled between its quotes."""
    if raw:
        return value
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def masked(src):
    """A cell's code with the text of its string literals and its comments
    taken out: what must be the same in both editions."""
    out, last = [], 0
    for a, b in go_literals(src):
        out.append(src[last:a])
        last = b
    out.append(src[last:])
    return re.sub(r"[ \t]*(//[^\n]*|/\*.*?\*/)", "", "".join(out), flags=re.S)


VERB = re.compile(r"%[-+# 0]*(\[\d{1,2}\])?(\*|\d+)?(\.(\*|\d+)?)?(\[\d{1,2}\])?([a-zA-Z%])")  # %[99]d at most


def arg_verbs(text):
    """The verb each argument of a Printf format gets (d, s, f…), in argument order."""
    verbs, nxt = {}, 0
    for m in VERB.finditer(text):
        if m.group(6) == "%":
            continue
        ix = m.group(1) or m.group(5)
        if ix:
            nxt = int(ix[1:-1]) - 1
        verbs[nxt] = m.group(6)  # its letter: widths are layout, which Chinese may change
        nxt += 1
    return [verbs.get(k) for k in range(max(verbs, default=-1) + 1)]


def translate_code(nb_name, rel, cell, entry):
    """The cell's source with its string literals translated, and errors."""
    src = "".join(cell["source"])
    strings = entry.get("strings")
    if not isinstance(strings, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in strings.items()):
        return src, [f"{nb_name}, code cell {cell['id']}: \"strings\" in {rel} must map each English literal to its Chinese"]
    errors, used, out, last = [], set(), [], 0
    for a, b in go_literals(src):
        value, raw = go_value(src, a, b), src[a - 1] == "`"
        out.append(src[last:a])
        out.append(go_text(strings[value], raw) if value in strings else src[a:b])
        last = b
        if value in strings:
            used.add(value)
            if raw and "`" in strings[value]:
                errors.append(f"{nb_name}, code cell {cell['id']}: the Chinese of `{quoted(value)[1:-1]}` in {rel} has a backquote")
    out.append(src[last:])
    for en, zh in strings.items():
        if en not in used:
            errors.append(f"{nb_name}, code cell {cell['id']}: {rel} translates the string {quoted(en)}, which the cell no "
                          "longer has: translate its new text (or remove the entry)")
        elif arg_verbs(en) != arg_verbs(zh):
            errors.append(f"{nb_name}, code cell {cell['id']}: the Chinese of {quoted(en)} in {rel} gives its arguments "
                          f"{arg_verbs(zh)}, the English {arg_verbs(en)}")
    return "".join(out), errors


def load_glossary(path):
    """The glossary's rejected variants ({variant: term}) and kept names, or an error."""
    try:
        g = check_glossary(load_json(path, f"translations/{LANG}/glossary.json"), f"translations/{LANG}/glossary.json")
    except Malformed as e:
        return {}, set(), str(e)
    reject = {v: t["zh"] for t in g["terms"] for v in t.get("reject", [])}
    return reject, set(g["names"]), None


def glossary_errors(where, text, reject):
    """An error for each rejected variant of a term in a Chinese text."""
    return [f"{where}: uses {v!r}, where the glossary (translations/{LANG}/glossary.json) says {t!r}"
            for v, t in reject.items() if v in text]


def english_words(text, names):
    """The English words of a string literal that reads as prose: a literal
    that is one name (mlp, dense, images/9.bmp) has none; code-like words
    (val_accuracy, s/epoch, --dataset) and kept names are left out."""
    text = re.sub(r"\\.", " ", VERB.sub(" ", text))
    text = re.sub(r"<[^>]*>", " ", text)
    if re.fullmatch(r"[\w./-]*", text):
        return []
    words = []
    for tok in text.split():
        if re.search(r"[_$/=\[\]'`]|\w\.\w", tok) or tok.startswith("-") or re.sub(r"\W", "", tok) in names:
            continue
        for w in re.findall(r"[A-Za-z]{3,}", tok):
            if w not in names and w.lower() not in names:
                words.append(w)
    return words


def language_errors(name, zh, reject, names):
    """Errors for a Chinese notebook that prints English prose or uses a
    rejected term."""
    nb_name = name + ".ipynb"
    errors = []
    for c in zh["cells"]:
        text = "".join(c["source"])
        if c["cell_type"] == "markdown":
            errors += glossary_errors(f"{nb_name}, markdown cell {c['id']}", text, reject)
            continue
        for a, b in go_literals(text):
            lit = go_value(text, a, b)
            errors += glossary_errors(f"{nb_name}, code cell {c['id']}", lit, reject)
            if english_words(lit, names):
                errors.append(f"{nb_name}, code cell {c['id']}: the Chinese edition prints English: {quoted(lit)} "
                              f"({', '.join(english_words(lit, names))}): give its Chinese in "
                              f"translations/{LANG}/{name}.json (\"strings\" of the cell), or keep the word as a "
                              f"name in translations/{LANG}/glossary.json")
    return errors


def translate(name, english, tr_path):
    """Returns (the Chinese notebook, errors) for notebooks/NAME.ipynb."""
    nb_name = name + ".ipynb"
    markdown = [c for c in english["cells"] if c["cell_type"] == "markdown"]
    rel = os.path.join("translations", LANG, name + ".json")
    if not os.path.exists(tr_path):
        ids = ", ".join(c["id"] for c in markdown)
        return None, [f"{nb_name}: no translation file {rel}: markdown cells {ids} have no Chinese text"]
    try:
        tr = check_translation(load_json(tr_path, rel), rel)
    except Malformed as e:
        return None, [str(e)]
    entries = tr["cells"]
    errors = []
    if tr.get("notebook") != nb_name:
        errors.append(f"{nb_name}: {rel} says it translates {tr.get('notebook')!r}")
    by_id = {}
    for e in entries:
        if e.get("id") in by_id:
            errors.append(f"{nb_name}, cell {e.get('id')}: translated twice in {rel}")
        by_id[e.get("id")] = e
    cells = {c["id"]: c for c in english["cells"]}
    for i, e in by_id.items():
        if i not in cells:
            errors.append(f"{nb_name}, cell {i}: {rel} translates a cell the notebook no longer has: "
                          "remove it (or find the cell's new id)")
        elif cells[i]["cell_type"] == "code" and set(by_id[i]) != {"id", "strings"}:
            errors.append(f"{nb_name}, cell {i}: {rel} translates a code cell: give only its \"strings\"")
        elif cells[i]["cell_type"] not in ("markdown", "code"):
            errors.append(f"{nb_name}, cell {i}: {rel} translates a {cells[i]['cell_type']} cell")
    zh = copy.deepcopy(english)
    for c in zh["cells"]:
        if c["cell_type"] == "code":
            c["outputs"] = []
            c["execution_count"] = None
            if c["id"] in by_id:
                src, errs = translate_code(nb_name, rel, c, by_id[c["id"]])
                errors += errs
                c["source"] = lines(src)
            continue
        if c["cell_type"] != "markdown":
            continue
        e = by_id.get(c["id"])
        if e is None:
            errors.append(f"{nb_name}, markdown cell {c['id']} (\"{first_line(c['source'])}\"): no translation in {rel}")
        elif e.get("en") != en_hash(c["source"]):
            errors.append(f"{nb_name}, markdown cell {c['id']}: the English text changed since it was translated "
                          f"({rel} translates {e.get('en')}, the cell is {en_hash(c['source'])} now); "
                          f"its first line: \"{first_line(c['source'])}\": translate the change and update \"en\"")
        elif not isinstance(e.get("zh"), str) or not e["zh"].strip():
            errors.append(f"{nb_name}, markdown cell {c['id']}: empty translation in {rel}")
        elif targets(e["zh"]) != targets("".join(c["source"])):
            # Links stay inside their edition: 01_load_data.ipynb means the
            # notebook beside this one in either folder.
            errors.append(f"{nb_name}, markdown cell {c['id']}: the translation in {rel} links to "
                          f"{targets(e['zh'])}, the English text to {targets(''.join(c['source']))}")
        else:
            c["source"] = lines(e["zh"])
    return zh, errors


def code_drift(nb_name, english, zh):
    """Errors where the cells of the two editions differ other than in
    markdown text: order, ids, kinds, code."""
    rel = f"notebooks/{LANG}/{nb_name}"
    errors = []
    en_cells, zh_cells = english["cells"], zh.get("cells", [])
    if [(c["cell_type"], c["id"]) for c in en_cells] != [(c.get("cell_type"), c.get("id")) for c in zh_cells]:
        errors.append(f"{rel}: its cells (ids, kinds, order) are not the English notebook's")
    zh_by_id = {c.get("id"): c for c in zh_cells}
    for c in en_cells:
        z = zh_by_id.get(c["id"])
        if c["cell_type"] == "code" and z is not None and masked("".join(z.get("source", []))) != masked("".join(c["source"])):
            en_l, zh_l = masked("".join(c["source"])).splitlines(), masked("".join(z.get("source", []))).splitlines()
            n = next((k for k in range(max(len(en_l), len(zh_l)))
                      if k >= len(en_l) or k >= len(zh_l) or en_l[k] != zh_l[k]), 0)
            errors.append(f"{rel}, code cell {c['id']}: differs from the English edition's outside strings and comments at line {n + 1} "
                          f"(English: {en_l[n] if n < len(en_l) else '(end)'!r}, "
                          f"Chinese: {zh_l[n] if n < len(zh_l) else '(end)'!r})")
    return errors


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="the drift test: change nothing, fail on any difference")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = ap.parse_args(argv)
    src = os.path.join(args.root, "notebooks")
    dst = os.path.join(src, LANG)
    trs = os.path.join(args.root, "translations", LANG)

    names = sorted(f[:-len(".ipynb")] for f in os.listdir(src) if f.endswith(".ipynb"))
    reject, kept, gerr = load_glossary(os.path.join(trs, "glossary.json"))
    errors, made = ([gerr] if gerr else []), {}
    for name in names:
        try:
            english = load_notebook(os.path.join(src, name + ".ipynb"), f"notebooks/{name}.ipynb", EN_FIX)
        except Malformed as e:
            errors.append(str(e))
            made[name] = (None, None)
            continue
        zh, errs = translate(name, english, os.path.join(trs, name + ".json"))
        if zh is not None and not errs:
            errs += language_errors(name, zh, reject, kept)
        errors += errs
        made[name] = (english, zh if not errs else None)
    try:
        catalogue = read(os.path.join(args.root, CATALOGUE), CATALOGUE)
    except Malformed as e:
        errors.append(str(e))
        catalogue = None
    if catalogue is not None:
        errors += glossary_errors(CATALOGUE, catalogue, reject)
    for f in sorted(os.listdir(trs)) if os.path.isdir(trs) else []:
        if f.endswith(".json") and f != "glossary.json" and f[:-len(".json")] not in made:
            errors.append(f"translations/{LANG}/{f}: notebooks/{f[:-len('.json')]}.ipynb does not exist")
    existing = sorted(f for f in os.listdir(dst) if f.endswith(".ipynb")) if os.path.isdir(dst) else []

    if args.check:
        for f in existing:
            name = f[:-len(".ipynb")]
            path = os.path.join(dst, f)
            if name not in made:
                errors.append(f"notebooks/{LANG}/{f}: there is no English notebooks/{f}: remove it (make zh does)")
                continue
            try:
                raw = read(path, f"notebooks/{LANG}/{f}", optional=False, fix=ZH_FIX)
                old = check_notebook(parse(raw, f"notebooks/{LANG}/{f}", ZH_FIX), f"notebooks/{LANG}/{f}", ZH_FIX)
            except Malformed as e:
                errors.append(str(e))
                continue
            if made[name][0] is None:
                continue  # the English notebook cannot be read: said above
            errors += code_drift(f, made[name][0], old)
            zh = made[name][1]
            if zh is not None and raw != dumps(zh):
                cells = {c["id"]: c for c in old["cells"]}
                changed = [c["id"] for c in zh["cells"] if cells.get(c["id"]) != c]
                errors.append(f"notebooks/{LANG}/{f}: not what scripts/zh_edition.py makes from notebooks/{f} and "
                              f"translations/{LANG}/{name}.json now" + (f" (cells {', '.join(changed[:5])})" if changed else "")
                              + ": edit those, not the Chinese notebook, and run `make zh`")
        for name in names:
            if name + ".ipynb" not in existing:
                errors.append(f"notebooks/{LANG}/{name}.ipynb is missing: run `make zh`")
        for d in LINKED:
            link = os.path.join(dst, d)
            if os.path.isdir(os.path.join(src, d)) and (not os.path.islink(link) or os.readlink(link) != os.path.join("..", d)):
                errors.append(f"notebooks/{LANG}/{d} is not a link to ../{d}: run `make zh`")
        if errors:
            print(f"the Chinese edition has drifted from the English one ({len(errors)} problem(s)):", file=sys.stderr)
            print("\n".join("  " + e for e in errors), file=sys.stderr)
            sys.exit(1)
        print(f"notebooks/{LANG}: {len(names)} notebooks, all up to date with the English edition and its translations")
        return

    if os.path.exists(dst) and not os.path.isdir(dst):
        errors.append(f"notebooks/{LANG}: the file: is not a folder, where the Chinese notebooks go (remove it)")
    for name in made:
        if os.path.isdir(os.path.join(dst, name + ".ipynb")):
            errors.append(f"notebooks/{LANG}/{name}.ipynb: the file: is a folder, where the Chinese notebook goes (remove it)")
    for d in LINKED:
        if os.path.isdir(os.path.join(src, d)) and os.path.lexists(os.path.join(dst, d)) and not os.path.islink(os.path.join(dst, d)):
            errors.append(f"notebooks/{LANG}/{d}: the file: is not a link to ../{d} (remove it: make zh links it)")
    if errors:
        print(f"notebooks/{LANG} not written ({len(errors)} problem(s)):", file=sys.stderr)
        print("\n".join("  " + e for e in errors), file=sys.stderr)
        sys.exit(1)
    os.makedirs(dst, exist_ok=True)
    for name, (_, zh) in made.items():
        path = os.path.join(dst, name + ".ipynb")
        text = dumps(zh)
        if not same(path, text):
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(path + ".tmp", path)
            print(f"wrote notebooks/{LANG}/{name}.ipynb")
    for f in existing:
        if f[:-len(".ipynb")] not in made:
            os.remove(os.path.join(dst, f))
            print(f"removed notebooks/{LANG}/{f} (no English notebook)")
    for d in LINKED:
        link = os.path.join(dst, d)
        if os.path.isdir(os.path.join(src, d)) and not (os.path.islink(link) and os.readlink(link) == os.path.join("..", d)):
            if os.path.islink(link):
                os.remove(link)
            os.symlink(os.path.join("..", d), link)
            print(f"linked notebooks/{LANG}/{d} -> ../{d}")
    print(f"notebooks/{LANG}: {len(made)} notebooks up to date")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:  # the folders themselves: no notebooks/, a file that cannot be written
        sys.exit(f"scripts/zh_edition.py: {e.filename}: {e.strerror}")
