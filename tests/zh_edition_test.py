#!/usr/bin/env python3
"""Tests the drift test of the Chinese edition (scripts/zh_edition.py) on a
copy of the repository's notebooks and translations: each kind of drift an
edit can cause must fail --check with a message naming the notebook and the
cell, and `make zh` must refuse to write a notebook it cannot translate fully.
Malformed files (a hand-made corpus, then a few hundred random mutations of
real ones) must give one line naming the file and the place, never a traceback.
Needs only python3; about ten seconds. Run by scripts/test.sh (make test)."""
import contextlib
import importlib.util
import io
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "zh_edition.py")
SRC = ROOT  # the repository whose notebooks and translations are copied
NOTEBOOK = "04_mlp"


class ZhEditionTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="zh-edition-")
        self.addCleanup(shutil.rmtree, self.root)
        nbs = os.path.join(self.root, "notebooks")
        os.makedirs(nbs)
        for f in os.listdir(os.path.join(SRC, "notebooks")):
            if f.endswith(".ipynb"):
                shutil.copy(os.path.join(SRC, "notebooks", f), nbs)
        os.makedirs(os.path.join(nbs, "images"))
        os.makedirs(os.path.join(self.root, "mnistlib"))
        shutil.copy(os.path.join(SRC, "mnistlib", "language.go"), os.path.join(self.root, "mnistlib"))
        shutil.copytree(os.path.join(SRC, "translations"), os.path.join(self.root, "translations"))
        shutil.copytree(os.path.join(SRC, "notebooks", "zh"), os.path.join(nbs, "zh"), symlinks=True)

    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, "--root", self.root, *args], capture_output=True, text=True)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def read(self, *parts):
        with open(self.path(*parts), encoding="utf-8") as f:
            return f.read()

    def load(self, *parts):
        with open(self.path(*parts), encoding="utf-8") as f:
            return json.load(f)

    def save(self, nb, *parts):
        with open(self.path(*parts), "w", encoding="utf-8") as f:
            f.write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")

    def assertCheckFails(self, *wants):
        r = self.run_script("--check")
        self.assertEqual(r.returncode, 1, f"--check should fail:\n{r.stdout}{r.stderr}")
        for w in wants:
            self.assertIn(w, r.stderr)
        return r.stderr

    def test_repository_is_up_to_date(self):
        r = self.run_script("--check")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_one_english_sentence_changed(self):
        # Change one sentence of a markdown cell's text (not its heading): the
        # translation now answers the old text.
        nb = self.load("notebooks", NOTEBOOK + ".ipynb")
        cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown" and
                    any(l.strip() and not l.startswith("#") for l in c["source"]))
        k = next(k for k, l in enumerate(cell["source"]) if l.strip() and not l.startswith("#"))
        cell["source"][k] = cell["source"][k].replace(" ", " quite ", 1)
        self.save(nb, "notebooks", NOTEBOOK + ".ipynb")
        first = next(l.strip() for l in "".join(cell["source"]).splitlines() if l.strip())
        want = f"{NOTEBOOK}.ipynb, markdown cell {cell['id']}: the English text changed since it was translated"
        err = self.assertCheckFails(want, first)
        # make zh refuses too, and writes nothing.
        before = self.read("notebooks", "zh", NOTEBOOK + ".ipynb")
        r = self.run_script()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn(want, r.stderr)
        self.assertEqual(before, self.read("notebooks", "zh", NOTEBOOK + ".ipynb"))
        print(f"\n  the message: {err.strip().splitlines()[1].strip()}", file=sys.stderr)

    def test_code_cell_differs_between_editions(self):
        nb = self.load("notebooks", "zh", NOTEBOOK + ".ipynb")
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        cell["source"][-1] += "\nfmt.Println(1)"
        self.save(nb, "notebooks", "zh", NOTEBOOK + ".ipynb")
        self.assertCheckFails(f"notebooks/zh/{NOTEBOOK}.ipynb, code cell {cell['id']}: differs from the English edition's outside strings and comments")

    def code_cell_with_strings(self):
        """The first code cell whose strings the translation gives, and its entry."""
        tr = self.load("translations", "zh", NOTEBOOK + ".json")
        entry = next(e for e in tr["cells"] if "strings" in e)
        return tr, entry

    def test_code_strings_are_chinese(self):
        # The Chinese edition's cell is the English one with its strings
        # translated: a Printf format with \n in the source matches its value.
        _, entry = self.code_cell_with_strings()
        en = next(c for c in self.load("notebooks", NOTEBOOK + ".ipynb")["cells"] if c["id"] == entry["id"])
        zh = next(c for c in self.load("notebooks", "zh", NOTEBOOK + ".ipynb")["cells"] if c["id"] == entry["id"])
        for english, chinese in entry["strings"].items():
            quoted = json.dumps(english, ensure_ascii=False)  # Go spells these as JSON does
            self.assertIn(quoted, "".join(en["source"]))
            self.assertIn(json.dumps(chinese, ensure_ascii=False), "".join(zh["source"]))
            self.assertNotIn(quoted, "".join(zh["source"]))

    def test_english_string_changed(self):
        _, entry = self.code_cell_with_strings()
        english = next(iter(entry["strings"]))
        nb = self.load("notebooks", NOTEBOOK + ".ipynb")
        cell = next(c for c in nb["cells"] if c["id"] == entry["id"])
        quoted = json.dumps(english, ensure_ascii=False)
        cell["source"] = "".join(cell["source"]).replace(quoted, quoted[:-1] + ' now"').splitlines(keepends=True)
        self.save(nb, "notebooks", NOTEBOOK + ".ipynb")
        self.assertCheckFails(f"{NOTEBOOK}.ipynb, code cell {entry['id']}: translations/zh/{NOTEBOOK}.json translates the string",
                              "which the cell no longer has")

    def test_string_translation_loses_a_verb(self):
        tr, entry = self.code_cell_with_strings()
        english = next(k for k in entry["strings"] if "%" in k)
        entry["strings"][english] = entry["strings"][english].replace("%", "", 1)
        self.save(tr, "translations", "zh", NOTEBOOK + ".json")
        self.assertCheckFails(f"{NOTEBOOK}.ipynb, code cell {entry['id']}: the Chinese of", "gives its arguments")

    def test_string_left_in_english(self):
        tr, entry = self.code_cell_with_strings()
        english = next(k for k in entry["strings"] if " " in k.strip())
        del entry["strings"][english]
        self.save(tr, "translations", "zh", NOTEBOOK + ".json")
        self.assertCheckFails(f"{NOTEBOOK}.ipynb, code cell {entry['id']}: the Chinese edition prints English")

    def test_rejected_term(self):
        glossary = self.load("translations", "zh", "glossary.json")
        term = next(t for t in glossary["terms"] if t["zh"] == "卷积核")
        tr = self.load("translations", "zh", NOTEBOOK + ".json")
        entry = next(e for e in tr["cells"] if "zh" in e)
        entry["zh"] += "\n" + term["reject"][0]
        self.save(tr, "translations", "zh", NOTEBOOK + ".json")
        self.assertCheckFails(f"{NOTEBOOK}.ipynb, markdown cell {entry['id']}: uses {term['reject'][0]!r}, where the glossary")

    def test_english_code_changed_until_regenerated(self):
        nb = self.load("notebooks", NOTEBOOK + ".ipynb")
        cell = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
        cell["source"][-1] += "\nfmt.Println()"
        self.save(nb, "notebooks", NOTEBOOK + ".ipynb")
        self.assertCheckFails(f"code cell {cell['id']}: differs", f"notebooks/zh/{NOTEBOOK}.ipynb: not what")
        self.assertEqual(self.run_script().returncode, 0)
        self.assertEqual(self.run_script("--check").returncode, 0)

    def test_chinese_notebook_edited_by_hand(self):
        nb = self.load("notebooks", "zh", NOTEBOOK + ".ipynb")
        cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
        cell["source"].append("\n手工修改")
        self.save(nb, "notebooks", "zh", NOTEBOOK + ".ipynb")
        self.assertCheckFails(f"notebooks/zh/{NOTEBOOK}.ipynb: not what scripts/zh_edition.py makes", cell["id"])

    def test_outputs_left_in_chinese_notebook(self):
        nb = self.load("notebooks", "zh", NOTEBOOK + ".ipynb")
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["hello\n"]}]
        self.save(nb, "notebooks", "zh", NOTEBOOK + ".ipynb")
        self.assertCheckFails(f"notebooks/zh/{NOTEBOOK}.ipynb: not what", cell["id"])

    def test_missing_translation(self):
        tr = self.load("translations", "zh", NOTEBOOK + ".json")
        gone = tr["cells"].pop(1)
        self.save(tr, "translations", "zh", NOTEBOOK + ".json")
        self.assertCheckFails(f"{NOTEBOOK}.ipynb, markdown cell {gone['id']} (", "no translation in translations/zh/")

    def test_missing_translation_file(self):
        os.remove(self.path("translations", "zh", NOTEBOOK + ".json"))
        self.assertCheckFails(f"{NOTEBOOK}.ipynb: no translation file translations/zh/{NOTEBOOK}.json")

    def test_translation_of_a_cell_that_is_gone(self):
        tr = self.load("translations", "zh", NOTEBOOK + ".json")
        tr["cells"].append({"id": "0000dead", "en": "0" * 16, "zh": "# 旧的"})
        self.save(tr, "translations", "zh", NOTEBOOK + ".json")
        self.assertCheckFails(f"{NOTEBOOK}.ipynb, cell 0000dead: translations/zh/{NOTEBOOK}.json translates a cell the notebook no longer has")

    def test_translation_links_elsewhere(self):
        tr = self.load("translations", "zh", NOTEBOOK + ".json")
        entry = next(e for e in tr["cells"] if "](01_load_data.ipynb)" in e["zh"])
        entry["zh"] = entry["zh"].replace("](01_load_data.ipynb)", "](../01_load_data.ipynb)")
        self.save(tr, "translations", "zh", NOTEBOOK + ".json")
        self.assertCheckFails(f"{NOTEBOOK}.ipynb, markdown cell {entry['id']}: the translation in translations/zh/{NOTEBOOK}.json links to ['../01_load_data.ipynb']")

    def test_notebook_without_english(self):
        shutil.copy(self.path("notebooks", "zh", NOTEBOOK + ".ipynb"), self.path("notebooks", "zh", "99_extra.ipynb"))
        self.assertCheckFails("notebooks/zh/99_extra.ipynb: there is no English notebooks/99_extra.ipynb")
        self.assertEqual(self.run_script().returncode, 0)
        self.assertFalse(os.path.exists(self.path("notebooks", "zh", "99_extra.ipynb")))

    def test_images_link(self):
        os.remove(self.path("notebooks", "zh", "images"))
        self.assertCheckFails("notebooks/zh/images is not a link to ../images")
        self.assertEqual(self.run_script().returncode, 0)
        self.assertEqual(os.readlink(self.path("notebooks", "zh", "images")), os.path.join("..", "images"))


TR = f"translations/zh/{NOTEBOOK}.json"
NB = f"notebooks/{NOTEBOOK}.ipynb"
ZH = f"notebooks/zh/{NOTEBOOK}.ipynb"
GL = "translations/zh/glossary.json"
GO = "mnistlib/language.go"
FILES = [TR, NB, ZH, GL, GO]  # the files of a one-notebook copy of the repository


def small_copy():
    """A copy of the repository with one notebook, its translation and its
    Chinese edition, the glossary and the catalogue: --check passes on it."""
    root = tempfile.mkdtemp(prefix="zh-malformed-")
    for rel in FILES:
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        shutil.copy(os.path.join(SRC, rel), os.path.join(root, rel))
    os.makedirs(os.path.join(root, "notebooks", "images"))
    os.symlink(os.path.join("..", "images"), os.path.join(root, "notebooks", "zh", "images"))
    return root


def edit_json(rel, change):
    """A mutation: change(value) edits the file's JSON value in place, or returns a new one."""
    def mutate(root):
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
        new = change(value)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(value if new is None else new, f, indent=1, ensure_ascii=False)
    return mutate


def edit_bytes(rel, change):
    """A mutation: change(bytes) gives the file's new bytes."""
    def mutate(root):
        path = os.path.join(root, rel)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(change(data))
    return mutate


def make_folder(rel):
    def mutate(root):
        path = os.path.join(root, rel)
        if os.path.lexists(path):
            os.remove(path)
        os.makedirs(os.path.join(path, "inside"))
    return mutate


def make_link(rel, target):
    def mutate(root):
        path = os.path.join(root, rel)
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(target, path)
    return mutate


def code_entry(tr):
    return next(e for e in tr["cells"] if "strings" in e)


def set_item(*keys_and_value):
    """A change setting value[k1][k2]... to the last argument."""
    *keys, new = keys_and_value
    def change(value):
        for k in keys[:-1]:
            value = value[k]
        value[keys[-1]] = new
    return change


def del_item(*keys):
    def change(value):
        for k in keys[:-1]:
            value = value[k]
        del value[keys[-1]]
    return change


def nested(depth):
    v = []
    for _ in range(depth):
        v = [v]
    return v


def read_json(rel):
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        return json.load(f)


# The first markdown cell (the notebook's first, and its translation's first
# entry) and the first code cell whose strings are translated.
FIRST = read_json(TR)["cells"][0]["id"]
CODE_AT, CODE = next((i, e["id"]) for i, e in enumerate(read_json(TR)["cells"]) if "strings" in e)
assert read_json(NB)["cells"][0]["id"] == FIRST

# What each malformed file must give: (name, mutation, what --check says,
# what `make zh` says: the same when None, REPAIRS where it writes the file anew).
REPAIRS = "repairs"
CASES = [
    # the translation file
    ("translation: cells is null", edit_json(TR, set_item("cells", None)), f"{TR}: cells: is null, not a list", None),
    ("translation: cells is a string", edit_json(TR, set_item("cells", "x")), f"{TR}: cells: is a string, not a list", None),
    ("translation: cells is an object", edit_json(TR, set_item("cells", {})), f"{TR}: cells: is an object, not a list", None),
    ("translation: no cells", edit_json(TR, del_item("cells")), f'{TR}: top level: has no "cells"', None),
    ("translation is a list", edit_json(TR, lambda tr: []), f"{TR}: top level: is a list, not an object", None),
    ("translation is a string", edit_json(TR, lambda tr: "cells"), f"{TR}: top level: is a string, not an object", None),
    ("translation: notebook is a number", edit_json(TR, set_item("notebook", 4)), f"{TR}: notebook: is a number, not a string", None),
    ("translation: an entry is a number", edit_json(TR, set_item("cells", 0, 7)), f"{TR}: cells[0]: is a number, not an object", None),
    ("translation: an entry is null", edit_json(TR, set_item("cells", 0, None)), f"{TR}: cells[0]: is null, not an object", None),
    ("translation: an id is a list", edit_json(TR, lambda tr: set_item("id", [tr["cells"][0]["id"]])(tr["cells"][0])),
     f"{TR}: cells[0].id: is a list, not a string", None),
    ("translation: no id", edit_json(TR, del_item("cells", 0, "id")), f'{TR}: cells[0]: has no "id"', None),
    ("translation: an id with a newline", edit_json(TR, set_item("cells", 0, "id", "a\nb")),
     f"{TR}: cells[0].id: 'a\\nb' is not a cell id", None),
    ("translation: en is a number", edit_json(TR, set_item("cells", 0, "en", 12)), f"{TR}: cells[0] (id {FIRST}).en: is a number, not a string", None),
    ("translation: en is not a hash", edit_json(TR, set_item("cells", 0, "en", "TODO")), f"{TR}: cells[0] (id {FIRST}).en: 'TODO' is not 16 hex digits", None),
    ("translation: no zh", edit_json(TR, del_item("cells", 0, "zh")), f'{TR}: cells[0] (id {FIRST}): has no "zh"', None),
    ("translation: zh is a list", edit_json(TR, set_item("cells", 0, "zh", ["# 04"])), f"{TR}: cells[0] (id {FIRST}).zh: is a list, not a string", None),
    ("translation: a key too many", edit_json(TR, set_item("cells", 0, "note", "x")), f'{TR}: cells[0] (id {FIRST}): has "note" too', None),
    ("translation: strings is a list", edit_json(TR, lambda tr: set_item("strings", ["a"])(code_entry(tr))),
     f"{TR}: cells[{CODE_AT}] (id {CODE}).strings: is a list, not an object", None),
    ("translation: a string's Chinese is a number", edit_json(TR, lambda tr: set_item(next(iter(code_entry(tr)["strings"])), 1)(code_entry(tr)["strings"])),
     f"{TR}: cells[{CODE_AT}] (id {CODE}).strings.", None),
    ("translation: strings and zh", edit_json(TR, lambda tr: set_item("zh", "x")(code_entry(tr))), '): has "zh" too', None),
    ("translation: an id twice", edit_json(TR, lambda tr: tr["cells"].append(dict(tr["cells"][0]))),
     f"{NOTEBOOK}.ipynb, cell {FIRST}: translated twice in {TR}", None),
    ("translation: a key twice", edit_bytes(TR, lambda b: b.replace(f'"id": "{FIRST}"'.encode(), f'"id": "{FIRST}", "id": "{FIRST}"'.encode(), 1)),
     f'{TR}: key "id": comes twice in one object', None),
    ("translation: a lone surrogate", edit_bytes(TR, lambda b: b.replace(b'"zh": "', b'"zh": "\\ud800', 1)),
     f"{TR}: cells[0].zh: has '\\ud800', half of a UTF-16 pair", None),
    ("translation: a byte order mark", edit_bytes(TR, lambda b: b"\xef\xbb\xbf" + b), f"{TR}: line 1, column 1: starts with a byte order mark", None),
    ("translation: invalid UTF-8", edit_bytes(TR, lambda b: b.replace(b"\n", b"\n\xff", 3)), f"{TR}: line 2, byte ", None),
    ("translation: cut short", edit_bytes(TR, lambda b: b[:len(b) // 2]), f"{TR}: line ", None),
    ("translation: empty", edit_bytes(TR, lambda b: b""), f"{TR}: line 1, column 1: is not JSON: Expecting value", None),
    ("translation: 100,000 [", edit_bytes(TR, lambda b: b"[" * 100000), f"{TR}: the file: nests lists or objects too deep to read", None),
    ("translation: a number of 5000 digits", edit_bytes(TR, lambda b: b"[" + b"9" * 5000 + b"]"), f"{TR}: the file: cannot be read as JSON", None),
    ("translation: a folder", make_folder(TR), f"{TR}: the file: is a folder, not a file", None),
    ("translation: %[99999999999]d", edit_json(TR, lambda tr: set_item(next(k for k in code_entry(tr)["strings"] if "%" in k), "%[99999999999]d")(code_entry(tr)["strings"])),
     f"{NOTEBOOK}.ipynb, code cell {CODE}: the Chinese of", None),
    # the English notebook
    ("notebook is []", edit_json(NB, lambda nb: []), f"{NB}: top level: is a list, not an object", None),
    ("notebook: cells is null", edit_json(NB, set_item("cells", None)), f"{NB}: cells: is null, not a list", None),
    ("notebook: cells is a string", edit_json(NB, set_item("cells", "x")), f"{NB}: cells: is a string, not a list", None),
    ("notebook: a cell is a number", edit_json(NB, set_item("cells", 0, 3)), f"{NB}: cells[0]: is a number, not an object", None),
    ("notebook: an id is a list", edit_json(NB, set_item("cells", 0, "id", [FIRST])), f"{NB}: cells[0].id: is a list, not a string", None),
    ("notebook: no id", edit_json(NB, del_item("cells", 0, "id")), f'{NB}: cells[0]: has no "id"', None),
    ("notebook: an id twice", edit_json(NB, lambda nb: set_item("id", nb["cells"][0]["id"])(nb["cells"][1])),
     f"{NB}: cells[1].id: {FIRST} is the id of cells[0] too", None),
    ("notebook: an unknown cell type", edit_json(NB, set_item("cells", 0, "cell_type", "heading")),
     f"{NB}: cells[0] (id {FIRST}).cell_type: 'heading' is not markdown, code or raw", None),
    ("notebook: no cell type", edit_json(NB, del_item("cells", 0, "cell_type")), f'{NB}: cells[0] (id {FIRST}): has no "cell_type"', None),
    ("notebook: no source", edit_json(NB, del_item("cells", 0, "source")), f'{NB}: cells[0] (id {FIRST}): has no "source"', None),
    ("notebook: a source line is a number", edit_json(NB, set_item("cells", 0, "source", 1, 5)),
     f"{NB}: cells[0] (id {FIRST}).source[1]: is a number, not a string", None),
    ("notebook: metadata 200 deep", edit_json(NB, set_item("metadata", "deep", nested(200))), f"{NB}: metadata.deep", None),
    ("notebook: 100,000 [", edit_bytes(NB, lambda b: b"[" * 100000), f"{NB}: the file: nests lists or objects too deep to read", None),
    ("notebook: invalid UTF-8", edit_bytes(NB, lambda b: b.replace(b"\n", b"\n\xc3(", 1)), f"{NB}: line 2, byte 2: is not UTF-8", None),
    ("notebook: a byte order mark", edit_bytes(NB, lambda b: b"\xef\xbb\xbf" + b), f"{NB}: line 1, column 1: starts with a byte order mark", None),
    ("notebook: a lone surrogate", edit_bytes(NB, lambda b: b.replace(b'"source": [\n', b'"source": [\n"\\udc00",\n', 1)),
     f"{NB}: cells[0].source[0]: has '\\udc00'", None),
    ("notebook: a folder", make_folder("notebooks/99_extra.ipynb"), "notebooks/99_extra.ipynb: the file: is a folder, not a file", None),
    ("notebook: a link to itself", make_link("notebooks/99_loop.ipynb", "99_loop.ipynb"),
     "notebooks/99_loop.ipynb: the file: cannot be read: Too many levels of symbolic links", None),
    # the Chinese notebook: --check says what is wrong, `make zh` writes it anew
    ("Chinese notebook is []", edit_json(ZH, lambda nb: []), f"{ZH}: top level: is a list, not an object (run `make zh`", REPAIRS),
    ("Chinese notebook: cells is null", edit_json(ZH, set_item("cells", None)), f"{ZH}: cells: is null, not a list", REPAIRS),
    ("Chinese notebook: a cell is a number", edit_json(ZH, set_item("cells", 2, 1.5)), f"{ZH}: cells[2]: is a number, not an object", REPAIRS),
    ("Chinese notebook: invalid UTF-8", edit_bytes(ZH, lambda b: b"\xff" + b), f"{ZH}: line 1, byte 0: is not UTF-8 (invalid start byte: b'\\xff') (run `make zh`", REPAIRS),
    ("Chinese notebook: cut short", edit_bytes(ZH, lambda b: b[:100]), f"{ZH}: line ", REPAIRS),
    ("Chinese notebook: a broken link", make_link(ZH, "nowhere.ipynb"), f"{ZH}: the file: does not exist (a broken link?)", REPAIRS),
    ("Chinese notebook: a folder", make_folder(ZH), f"{ZH}: the file: is a folder, not a file",
     f"{ZH}: the file: is a folder, where the Chinese notebook goes (remove it)"),
    ("notebooks/zh is a file", lambda root: (shutil.rmtree(os.path.join(root, "notebooks", "zh")),
                                             open(os.path.join(root, "notebooks", "zh"), "w").close()),
     f"{ZH} is missing", "notebooks/zh: the file: is not a folder"),
    ("notebooks/zh/images is a folder", make_folder("notebooks/zh/images"), "notebooks/zh/images is not a link to ../images",
     "notebooks/zh/images: the file: is not a link to ../images (remove it"),
    # the glossary
    ("glossary is []", edit_json(GL, lambda g: []), f"{GL}: top level: is a list, not an object", None),
    ("glossary: terms is null", edit_json(GL, set_item("terms", None)), f"{GL}: terms: is null, not a list", None),
    ("glossary: a term is a string", edit_json(GL, set_item("terms", 0, "filter")), f"{GL}: terms[0]: is a string, not an object", None),
    ("glossary: no zh", edit_json(GL, del_item("terms", 0, "zh")), f'{GL}: terms[0]: has no "zh"', None),
    ("glossary: a rejected variant is a number", edit_json(GL, set_item("terms", 0, "reject", [1])), f"{GL}: terms[0].reject[0]: is a number, not a string", None),
    ("glossary: an empty rejected variant", edit_json(GL, set_item("terms", 0, "reject", [""])), f"{GL}: terms[0].reject[0]: is empty", None),
    ("glossary: reject is a string", edit_json(GL, set_item("terms", 0, "reject", "过滤器")), f"{GL}: terms[0].reject: is a string, not a list", None),
    ("glossary: no names", edit_json(GL, del_item("names")), f'{GL}: top level: has no "names"', None),
    ("glossary: a name is null", edit_json(GL, lambda g: g["names"].append(None)), f"{GL}: names[{len(read_json(GL)['names'])}]: is null, not a string", None),
    ("glossary: not JSON", edit_bytes(GL, lambda b: b.replace(b"[", b"(", 1)), f"{GL}: line 3, column 11: is not JSON", None),
    ("glossary: a folder", make_folder(GL), f"{GL}: the file: is a folder, not a file", None),
    # the library's catalogue
    ("catalogue: invalid UTF-8", edit_bytes(GO, lambda b: b"\xfe" + b), f"{GO}: line 1, byte 0: is not UTF-8", None),
    ("catalogue: a folder", make_folder(GO), f"{GO}: the file: is a folder, not a file", None),
]


def load_script():
    """scripts/zh_edition.py as a module (leaving no __pycache__ in the repository)."""
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location("zh_edition", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_in_process(zh_edition, args):
    """main(args) as the command runs it: (exit status, stdout, stderr).
    Any exception but the exit escapes, and fails the test that calls it."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            zh_edition.main(args)
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


# The cases issue 33 names, run as commands too (the rest run in-process: the same code, faster).
AS_COMMANDS = {"translation: cells is null", "translation: cells is a string", "translation is a list",
               "translation: an id is a list", "translation: a folder", "translation: 100,000 [", "notebook is []",
               "notebook: a cell is a number", "notebook: invalid UTF-8", "glossary: a term is a string"}


class MalformedInputTest(unittest.TestCase):
    """The hand-made corpus: each malformed file fails --check and `make zh`
    with one line naming the file and the place, and no traceback."""

    def run_script(self, root, *args):
        if self.as_command:
            r = subprocess.run([sys.executable, SCRIPT, "--root", root, *args], capture_output=True, text=True)
            return r.returncode, r.stdout, r.stderr
        return run_in_process(self.zh_edition, ["--root", root, *args])

    def assertOneLine(self, r, want, what):
        code, out, err = r
        self.assertNotIn("Traceback", out + err, what)
        self.assertEqual(code, 1, f"{what}: should fail:\n{out}{err}")
        line = next((l.strip() for l in err.splitlines() if want in l), None)
        self.assertIsNotNone(line, f"{what}: no line with {want!r}:\n{err}")
        return line

    def test_corpus(self):
        self.zh_edition = load_script()
        for name, mutate, check_says, make_says in CASES:
            with self.subTest(name):
                self.as_command = name in AS_COMMANDS
                root = small_copy()
                self.addCleanup(shutil.rmtree, root)
                mutate(root)
                line = self.assertOneLine(self.run_script(root, "--check"), check_says, f"{name}, --check")
                if make_says == REPAIRS:
                    code, _, err = self.run_script(root)
                    self.assertEqual(code, 0, f"{name}: make zh should write the file anew:\n{err}")
                    self.assertEqual(self.run_script(root, "--check")[0], 0, name)
                else:
                    self.assertOneLine(self.run_script(root), make_says or check_says, f"{name}, make zh")
                if os.environ.get("ZH_MALFORMED_VERBOSE"):
                    print(f"  {name}: {line}", file=sys.stderr)

    @unittest.skipIf(os.geteuid() == 0, "root reads a file whatever its permissions")
    def test_unreadable_file(self):
        self.as_command = True
        root = small_copy()
        self.addCleanup(shutil.rmtree, root)
        os.chmod(os.path.join(root, TR), 0)
        self.assertOneLine(self.run_script(root, "--check"), f"{TR}: the file: cannot be read: Permission denied", "unreadable")


ODD_VALUES = [None, True, 0, -1.5, 1e308, "", "x", "a\nb", "\ud800", "%[99999999999]d", "%[2]s %d", "`", "\\U0010ffff",
              'fmt.Printf("\\UFFFFFFFF %[2]d\\n", x)\n', '"not closed', [], {}, ["x"], {"id": "x"}, nested(80)]
SNIPPETS = ['"', "`", "\\", "%", "%[3]d", "%!", "\n", "//", "/*", "\\UFFFFFFFF", "\\x4", "](x.ipynb)", "过滤器", "\ud800"]
ODD_BYTES = [b"\xff", b"\xc3", b"\xef\xbb\xbf", b"[", b"{", b'"', b"\\", b"\x00", b"]", b",", b"\xed\xa0\x80"]


def mutate_value(rng, value):
    """One random change to a JSON value: a key or item deleted, a value of
    another type, a key added, an item doubled (a duplicate id), odd text put
    into a string (a quote, a backquote, a verb, an escape: code for the Go reader)."""
    places, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (dict, list)):
            places.append(v)
            stack.extend(v.values() if isinstance(v, dict) else v)
    place = rng.choice(places)
    keys = list(place) if isinstance(place, dict) else list(range(len(place)))
    texts = [k for k in keys if isinstance(place[k], str)]
    op = rng.randrange(5)
    if op == 0 and keys:
        del place[rng.choice(keys)]
    elif op == 1 and keys:
        place[rng.choice(keys)] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif op == 2 and isinstance(place, dict):
        place[rng.choice(["id", "en", "zh", "strings", "cells", "source", "cell_type", "reject", "names", "x"])] = \
            copy.deepcopy(rng.choice(ODD_VALUES + keys))
    elif op == 3 and keys and isinstance(place, list):
        place.append(copy.deepcopy(place[rng.choice(keys)]))
    elif texts:
        k = rng.choice(texts)
        at = rng.randrange(len(place[k]) + 1)
        place[k] = place[k][:at] + rng.choice(SNIPPETS) + place[k][at:]
    return value


def mutate_bytes(rng, data):
    """One random change to a file's bytes: cut short, a byte flipped, odd
    bytes put in, a byte order mark, nesting thousands deep."""
    op, at = rng.randrange(5), rng.randrange(len(data) + 1)
    if op == 0:
        return data[:at]
    if op == 1 and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ rng.randrange(1, 256)]) + data[at + 1:]
    if op == 2:
        return data[:at] + rng.choice(ODD_BYTES) + data[at:]
    if op == 3:
        return b"\xef\xbb\xbf" + data
    n = rng.choice([100, 5000, 100000])
    return rng.choice([b"[" * n, b"[" * n + b"]" * n, b'{"cells": ' + b"[" * n + b"]" * n + b"}"])


class MutationTest(unittest.TestCase):
    """Property: whatever a few hundred random mutations of the real files
    make, the checker and `make zh` end with their own one-line messages, each
    naming a file: no other exception escapes (fixed seed, in-process)."""

    SEED, ROUNDS = 20240633, 300

    def test_random_mutations(self):
        zh_edition = load_script()
        root = small_copy()
        self.addCleanup(shutil.rmtree, root)
        originals = {}
        for rel in FILES:
            with open(os.path.join(root, rel), "rb") as f:
                originals[rel] = f.read()
        rng = random.Random(self.SEED)
        named = set()
        for i in range(self.ROUNDS):
            for rel, data in originals.items():
                with open(os.path.join(root, rel), "wb") as f:
                    f.write(data)
            rel = rng.choice(FILES)
            data = originals[rel]
            if rel != GO and rng.random() < 0.6:
                value = json.loads(data)
                for _ in range(rng.randint(1, 3)):
                    value = mutate_value(rng, value)
                # \ud800 as an escape, or its bytes as they stand (not UTF-8)
                data = json.dumps(value, indent=1, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
            else:
                data = mutate_bytes(rng, data)
            with open(os.path.join(root, rel), "wb") as f:
                f.write(data)
            args = ["--root", root] + (["--check"] if i % 3 else [])
            where = f"round {i} (seed {self.SEED}), {rel} mutated, {' '.join(args[2:]) or 'make zh'}"
            try:
                code, _, err = run_in_process(zh_edition, args)
            except Exception as e:  # the property: nothing escapes but the checker's own exit
                raise AssertionError(f"{where}: {type(e).__name__}: {e}") from e
            self.assertIn(code, (0, 1), where)
            problems = err.splitlines()[1:]
            self.assertEqual(code == 1, bool(problems), f"{where}: {err}")
            for line in problems:
                file = line[2:].split(":")[0].split(",")[0]
                self.assertTrue(line.startswith("  ") and file in FILES + [f"{NOTEBOOK}.ipynb", "notebooks/zh/images"],
                                f"{where}: a problem that names no file: {line!r}")
                named.add(file)
        self.assertLessEqual({TR, NB, ZH, GL}, named)  # the mutations reached each kind of file


if __name__ == "__main__":
    unittest.main(verbosity=2)
