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

A markdown cell without a translation, a translation of an older English text
(its hash differs: the cell changed since), a translation for a cell the
notebook no longer has, a translation file without its notebook: each is an
error naming the notebook and the cell, and nothing is written. There is no
English fallback. A translation must also link to what the English text links
to, so that links between notebooks stay inside their edition.

--check also fails when a code cell of notebooks/zh/ differs from the English
edition's, or when a file of notebooks/zh/ is not what this script writes now
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


def read(path):
    """The text of a file, or None when there is none."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def lines(text):
    """Notebook source as a list of lines, as nbformat splits it."""
    return text.splitlines(keepends=True)


def translate(name, english, tr_path):
    """Returns (the Chinese notebook, errors) for notebooks/NAME.ipynb."""
    nb_name = name + ".ipynb"
    markdown = [c for c in english["cells"] if c["cell_type"] == "markdown"]
    rel = os.path.join("translations", LANG, name + ".json")
    if not os.path.exists(tr_path):
        ids = ", ".join(c["id"] for c in markdown)
        return None, [f"{nb_name}: no translation file {rel}: markdown cells {ids} have no Chinese text"]
    try:
        with open(tr_path, encoding="utf-8") as f:
            tr = json.load(f)
        entries = tr["cells"]
    except (ValueError, KeyError, TypeError) as e:
        return None, [f"{nb_name}: {rel} is not a translation file ({type(e).__name__}: {e})"]
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
        elif cells[i]["cell_type"] != "markdown":
            errors.append(f"{nb_name}, cell {i}: {rel} translates a {cells[i]['cell_type']} cell; only markdown is translated")
    zh = copy.deepcopy(english)
    for c in zh["cells"]:
        if c["cell_type"] == "code":
            c["outputs"] = []
            c["execution_count"] = None
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
        if c["cell_type"] == "code" and z is not None and "".join(z.get("source", [])) != "".join(c["source"]):
            en_l, zh_l = "".join(c["source"]).splitlines(), "".join(z.get("source", [])).splitlines()
            n = next((k for k in range(max(len(en_l), len(zh_l)))
                      if k >= len(en_l) or k >= len(zh_l) or en_l[k] != zh_l[k]), 0)
            errors.append(f"{rel}, code cell {c['id']}: differs from the English edition's at line {n + 1} "
                          f"(English: {en_l[n] if n < len(en_l) else '(end)'!r}, "
                          f"Chinese: {zh_l[n] if n < len(zh_l) else '(end)'!r})")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="the drift test: change nothing, fail on any difference")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = ap.parse_args()
    src = os.path.join(args.root, "notebooks")
    dst = os.path.join(src, LANG)
    trs = os.path.join(args.root, "translations", LANG)

    names = sorted(f[:-len(".ipynb")] for f in os.listdir(src) if f.endswith(".ipynb"))
    errors, made = [], {}
    for name in names:
        with open(os.path.join(src, name + ".ipynb"), encoding="utf-8") as f:
            english = json.load(f)
        zh, errs = translate(name, english, os.path.join(trs, name + ".json"))
        errors += errs
        made[name] = (english, zh if not errs else None)
    for f in sorted(os.listdir(trs)) if os.path.isdir(trs) else []:
        if f.endswith(".json") and f[:-len(".json")] not in made:
            errors.append(f"translations/{LANG}/{f}: notebooks/{f[:-len('.json')]}.ipynb does not exist")
    existing = sorted(f for f in os.listdir(dst) if f.endswith(".ipynb")) if os.path.isdir(dst) else []

    if args.check:
        for f in existing:
            name = f[:-len(".ipynb")]
            path = os.path.join(dst, f)
            if name not in made:
                errors.append(f"notebooks/{LANG}/{f}: there is no English notebooks/{f}: remove it (make zh does)")
                continue
            raw = read(path)
            try:
                errors += code_drift(f, made[name][0], json.loads(raw))
            except ValueError as e:
                errors.append(f"notebooks/{LANG}/{f}: not JSON: {e}")
                continue
            zh = made[name][1]
            if zh is not None and raw != dumps(zh):
                cells = {c["id"]: c for c in json.loads(raw).get("cells", [])}
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

    if errors:
        print(f"notebooks/{LANG} not written ({len(errors)} problem(s)):", file=sys.stderr)
        print("\n".join("  " + e for e in errors), file=sys.stderr)
        sys.exit(1)
    os.makedirs(dst, exist_ok=True)
    for name, (_, zh) in made.items():
        path = os.path.join(dst, name + ".ipynb")
        text = dumps(zh)
        if read(path) != text:
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
    main()
