"""Make the episode notebooks follow the book's rules, in place.

* the first code cell of every ``book/[0-9][0-9]_*.ipynb`` becomes ``book/_setup_cell.py``
  (the one canonical setup cell; ``tests/test_notebooks.py`` checks it);
* outputs, execution counts and per-cell execution metadata are stripped (notebooks are
  committed clean);
* a cell whose figure is captioned by the next cell (``**Figure N.M.** ...``) gets that
  caption's first sentence, as plain text, for its image's alt text (cell metadata
  ``mystnb.image.alt``, which myst-nb puts on the ``<img>``): one text, two uses.

Usage: ``python scripts/sync_notebooks.py [NOTEBOOK ...]`` (default: every episode).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SETUP_CELL = (ROOT / "book" / "_setup_cell.py").read_text().rstrip("\n")


LATEX = {"\\cdot": "·", "\\circ": "∘", "\\,": " ", "\\;": " ", "\\le ": "≤ ", "\\ge ": "≥ "}
CAPTION = re.compile(r"^\*\*Figure [\d.]+\*\*\s*")


def alt_text(caption: str) -> str:
    """The first sentence of a ``**Figure N.M.** ...`` caption, without Markdown or LaTeX."""
    text = CAPTION.sub("", caption.strip().split("\n\n", 1)[0]).replace("\n", " ")
    text = re.sub(r"\{cite:\w+\}`[^`]*`", "", text)  # citations
    for macro, plain in LATEX.items():
        text = text.replace(macro, plain)
    text = re.sub(r"[`*$]|\\(?=[a-zA-Z])", "", text)  # code, emphasis, math delimiters, macros
    text = re.sub(r"\s+", " ", text).strip()
    sentence = re.match(r"(.+?\.)(\s|$)", text)
    return (sentence.group(1) if sentence else text).rstrip(".")


def sync(path: Path) -> bool:
    """Rewrite one notebook; returns whether anything changed."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code:
        raise ValueError(f"{path}: has no code cell, expected the setup cell first")
    code[0].source = SETUP_CELL
    for cell in code:
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    for cell, after in zip(nb.cells, nb.cells[1:]):
        if cell.cell_type == "code" and after.cell_type == "markdown":
            if CAPTION.match(after.source):
                image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
                image["alt"] = alt_text(after.source)
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after)
    return after != before


def main(argv: list[str]) -> None:
    paths = [Path(p) for p in argv] or sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path}: {'updated' if sync(path) else 'unchanged'}")


if __name__ == "__main__":
    main(sys.argv[1:])
