"""Pages that hold a playground, for tests/test_playground*.py: a standalone page served like the
book's (script and style as static files, opened from disk), a two-page Sphinx site built
with the book's extension, and the output of a notebook cell that calls the library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from dql_teach.playground import page_document, playground, write_static_files

ROOT = Path(__file__).resolve().parent.parent


def standalone_site(out: Path, *playgrounds) -> Path:
    """``out/index.html`` loading ``dql-playground.js`` (defer) and ``.css`` beside it."""
    write_static_files(out)
    page = out / "index.html"
    page.write_text(
        page_document(*playgrounds, script_src="dql-playground.js", style_href="dql-playground.css")
    )
    return page


def build_sphinx_site(out: Path) -> Path:
    """A two-page Sphinx site with the book's extension: one page holds a playground."""
    src = out / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(
        # this checkout's dql_teach and the book's extension
        f"import sys\nsys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'book' / '_ext')!r}]\n"
        "extensions = ['dql_playground']\nproject = 'playground'\nhtml_theme = 'basic'\n"
    )
    root = "\n".join("   " + line for line in playground("full-circles").root_html().split("\n"))
    (src / "index.rst").write_text(
        f"Playground\n==========\n\n.. raw:: html\n\n{root}\n\n.. toctree::\n\n   other\n"
    )
    (src / "other.rst").write_text("Other\n=====\n\nNo playground here.\n")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(src), str(out / "html")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "html"


def run_notebook(tmp_path: Path, code: str, monkeypatch) -> list[dict]:
    """Execute one code cell in a fresh kernel (nbclient) that imports this checkout's
    dql_teach; return its outputs."""
    from nbclient import NotebookClient

    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.delenv("DQL_BOOK_BUILD", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    return nb.cells[0].outputs


NOTEBOOK_CELL = (
    "from dql_teach.playground import playground\nplayground('hadamard-circles', seed=2)"
)


def notebook_html(tmp_path: Path, monkeypatch) -> str:
    """The HTML output of a notebook cell that calls the library."""
    outputs = run_notebook(tmp_path, NOTEBOOK_CELL, monkeypatch)
    (result,) = [o for o in outputs if o.get("output_type") == "execute_result"]
    return result["data"]["text/html"]
