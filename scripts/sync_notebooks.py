"""Make the episode notebooks follow the book's rules, in place.

* the first code cell of every ``book/[0-9][0-9]_*.ipynb`` becomes ``book/_setup_cell.py``
  (the one canonical setup cell; ``tests/test_notebooks.py`` checks it);
* outputs, execution counts and per-cell execution metadata are stripped (notebooks are
  committed clean).

Usage: ``python scripts/sync_notebooks.py [NOTEBOOK ...]`` (default: every episode).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SETUP_CELL = (ROOT / "book" / "_setup_cell.py").read_text().rstrip("\n")


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
