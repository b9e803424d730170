#!/usr/bin/env python3
"""Tests the drift test of the Chinese edition (scripts/zh_edition.py) on a
copy of the repository's notebooks and translations: each kind of drift an
edit can cause must fail --check with a message naming the notebook and the
cell, and `make zh` must refuse to write a notebook it cannot translate fully.
Needs only python3; about a second. Run by scripts/test.sh (make test)."""
import json
import os
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
