"""Make the episode notebooks follow the book's rules, in place.

* the first code cell of every ``book/[0-9][0-9]_*.ipynb`` becomes ``book/_setup_cell.py``
  (the one canonical setup cell; ``tests/test_notebooks.py`` checks it), folded in the book
  (tag ``hide-input``; it still runs) behind a summary that says what it does
  (:data:`SETUP_PROMPT`, cell metadata ``mystnb.code_prompt_show``);
* every other code cell longer than :data:`LONGEST` lines is folded the same way, behind
  "Show the code (N lines)"; a cell this script folded and that got shorter is unfolded again
  (a ``hide-input`` tag that an author set is never removed);
* outputs, execution counts and per-cell execution metadata are stripped (notebooks are
  committed clean);
* a cell whose figure is captioned by the next cell (``**Figure N.M.** ...``) gets that
  caption's first sentence, in plain words (no TeX, no Markdown: ``dql_teach.viz.caption_alt``),
  for its image's alt text (cell metadata ``mystnb.image.alt``, which myst-nb puts on the
  ``<img>``, and which the book's caption transform gives a plotly figure as its accessible
  name): one text, two uses.

Usage: ``python scripts/sync_notebooks.py [NOTEBOOK ...]`` (default: every episode). Prints
which notebooks changed and which cells it folded.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's dql_teach

from dql_teach.viz.text import caption_alt  # noqa: E402

SETUP_CELL = (ROOT / "book" / "_setup_cell.py").read_text().rstrip("\n")
SETUP_PROMPT = "Setup: installs dql_teach where it is missing (Colab), seeds, prints versions"
SETUP_HIDE = "Hide the setup code"
LONGEST = 25
"""Code cells of more lines than this are folded in the book (BRIEFING: about 25 at most)."""
FOLD_PROMPT = "Show the code ({lines} lines)"
FOLD_HIDE = "Hide the code"
FOLDED = re.compile(r"Show the code \(\d+ lines\)")
CAPTION = re.compile(r"^\*\*Figure [\d.]+\*\*\s*")


def alt_text(caption: str) -> str:
    """The first sentence of a ``**Figure N.M.** ...`` caption, as plain words."""
    return caption_alt(caption)


def _fold(cell, show: str, hide: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if "hide-input" not in tags:
        tags.append("hide-input")
    mystnb = cell.metadata.setdefault("mystnb", {})
    mystnb["code_prompt_show"], mystnb["code_prompt_hide"] = show, hide


def _unfold(cell) -> None:
    """Undo :func:`_fold` where this script folded the cell (its prompt is ours)."""
    mystnb = cell.metadata.get("mystnb", {})
    if not FOLDED.fullmatch(mystnb.get("code_prompt_show", "")):
        return
    for key in ("code_prompt_show", "code_prompt_hide"):
        mystnb.pop(key, None)
    if not mystnb:
        cell.metadata.pop("mystnb", None)
    tags = cell.metadata.get("tags", [])
    if "hide-input" in tags:
        tags.remove("hide-input")
    if not tags:
        cell.metadata.pop("tags", None)


def sync(path: Path) -> tuple[bool, list[int]]:
    """Rewrite one notebook; returns whether anything changed and the indices of the cells
    that are folded for their length."""
    before = path.read_text()
    nb = nbformat.reads(before, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code:
        raise ValueError(f"{path}: has no code cell, expected the setup cell first")
    code[0].source = SETUP_CELL
    _fold(code[0], SETUP_PROMPT, SETUP_HIDE)
    folded = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
        if cell is code[0]:
            continue
        lines = len(cell.source.rstrip("\n").splitlines())
        if lines > LONGEST:
            _fold(cell, FOLD_PROMPT.format(lines=lines), FOLD_HIDE)
            folded.append(index)
        else:
            _unfold(cell)
    for cell, after in zip(nb.cells, nb.cells[1:]):
        if cell.cell_type == "code" and after.cell_type == "markdown":
            if CAPTION.match(after.source):
                image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
                image["alt"] = alt_text(after.source)
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after)
    return after != before, folded


def main(argv: list[str]) -> None:
    paths = [Path(p) for p in argv] or sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        changed, folded = sync(path)
        note = f"; folded (over {LONGEST} lines): cells {folded}" if folded else ""
        print(f"{path}: {'updated' if changed else 'unchanged'}{note}")


if __name__ == "__main__":
    main(sys.argv[1:])
