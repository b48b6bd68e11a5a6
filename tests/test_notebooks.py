"""The episode notebooks: clean sources, one shared setup cell, and each runs top to bottom.

The static checks are fast and always run; executing the episodes is marked ``notebooks``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
SETUP_CELL = (BOOK / "_setup_cell.py").read_text().rstrip("\n")
FIX = "run `python scripts/sync_notebooks.py`"


def cells(path: Path, kind: str | None = None) -> list[dict]:
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if kind is None or c["cell_type"] == kind]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for entry in toc.get("chapters", []) + [
        c for part in toc.get("parts", []) for c in part.get("chapters", [])
    ]:
        files.append(entry["file"])
    return files


def test_there_are_episodes_and_the_toc_lists_each_once():
    assert NOTEBOOKS, "no book/NN_*.ipynb found"
    listed = toc_files()
    for nb in NOTEBOOKS:
        assert listed.count(f"book/{nb.stem}") == 1, f"{nb.name} is not in _toc.yml once"


def test_the_setup_cell_installs_from_the_configured_repository_and_never_torch():
    url = CONFIG["repository"]["url"]
    assert re.search(rf'^REPOSITORY = "{re.escape(url)}"$', SETUP_CELL, re.M), (
        f"book/_setup_cell.py must install from _config.yml's repository.url ({url})"
    )
    assert "sys.executable" in SETUP_CELL and "!pip" not in SETUP_CELL
    install = re.search(r'"install",([^\]]*)\]', SETUP_CELL).group(1)
    assert "torch" not in install and "-U" not in install and "--upgrade" not in install
    assert 'find_spec("dql_teach")' in SETUP_CELL  # tests for the package, not the platform
    assert "manual_seed" in SETUP_CELL and "__version__" in SETUP_CELL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_setup_cell(path):
    assert source(cells(path, "code")[0]) == SETUP_CELL, f"{path.name}: {FIX}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped(path):
    for cell in cells(path, "code"):
        assert cell["outputs"] == [], f"{path.name} has outputs: {FIX}"
        assert cell["execution_count"] is None, f"{path.name} has execution counts: {FIX}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shape(path):
    """Title, learning goals first; takeaways, exercises with hidden solutions last."""
    md = [source(c) for c in cells(path, "markdown")]
    assert md[0].startswith("# "), "the first cell is the episode's title (a `# ` heading)"
    assert "You will learn" in md[0]
    text = "\n".join(md)
    for heading in ("## Key takeaways", "## Exercises"):
        assert heading in text, f"{path.name} lacks {heading!r}"
    assert "<details>" in text.split("## Exercises", 1)[1], "solutions go in <details>"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_captioned_figures_carry_their_caption_as_alt_text(path):
    from dql_teach.viz.text import caption_alt

    every = cells(path)
    captioned = [
        (cell, after)
        for cell, after in zip(every, every[1:])
        if cell["cell_type"] == "code" and source(after).startswith("**Figure")
    ]
    assert captioned, f"{path.name} has no captioned figure"
    for cell, caption in captioned:
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 4 and alt == caption_alt(source(caption)), (
            f"{path.name}: figure before {source(caption)[:30]!r} needs its alt text: {FIX}"
        )
        # plain words: a screen reader reads no TeX, Markdown or markup aloud
        assert not re.search(r"[\\^{}$*`]|</?[A-Za-z]|_[{\d]", alt), alt


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_and_long_cells_are_folded(path):
    """The setup cell is folded behind a summary that says what it does; so is any code cell
    longer than sync_notebooks.LONGEST lines (it still runs; its output shows)."""
    code = cells(path, "code")
    setup = code[0]["metadata"]
    assert "hide-input" in setup.get("tags", []), f"{path.name}: {FIX}"
    assert setup["mystnb"]["code_prompt_show"].startswith("Setup: installs dql_teach")
    for cell in code[1:]:
        if len(source(cell).rstrip("\n").splitlines()) > 25:
            assert "hide-input" in cell["metadata"].get("tags", []), (
                f"{path.name}: a {len(source(cell).splitlines())}-line cell is open: {FIX}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_text_types_no_run_times(path):
    """Times depend on the machine: the tests and benchmarks measure them, the text does not."""
    for text in (source(c) for c in cells(path, "markdown")):
        typed = re.findall(r"\b\d+(?:\.\d+)?\s*(?:seconds|secs?|ms|minutes?)\b", text)
        assert not typed, f"{path.name} states a run time by hand: {typed}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_book_column(path):
    for cell in cells(path, "code"):
        for line in source(cell).splitlines():
            assert len(line) <= 79, f"{path.name}: {line!r} is longer than 79 columns"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_citations_are_in_the_bibliography(path):
    bib = (BOOK / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    text = "\n".join(source(c) for c in cells(path, "markdown"))
    cited = {k.strip() for group in re.findall(r"\{(?:foot)?cite(?::\w+)?\}`([^`]+)`", text)
             for k in group.split(",")}  # fmt: skip
    assert cited <= keys, f"not in references.bib: {sorted(cited - keys)}"


FIGURE_MIMES = (
    "image/png",
    "image/svg+xml",
    "application/vnd.plotly.v1+json",
    "application/vnd.jupyter.widget-view+json",
)


def _is_figure(output: dict) -> bool:
    data = output.get("data", {})
    html = data.get("text/html", "")
    html = "".join(html) if isinstance(html, list) else html
    return any(mime in data for mime in FIGURE_MIMES) or "plotly-graph-div" in html


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_episode_runs_and_captions_its_figures(path, monkeypatch, record_property):
    """Run in a fresh kernel as a reader's Jupyter does: plotly's own renderer and live
    widgets (the book build, tests/test_book.py, runs the other path, DQL_BOOK_BUILD=1).

    The episode's time is recorded and listed, not asserted: the < 60 s target is measured by
    benchmarks/bench_book.py, since on a busy CI machine an episode can take twice as long.
    The cell timeout (120 s) only guards against a hang."""
    from nbclient import NotebookClient

    monkeypatch.delenv("DQL_BOOK_BUILD", raising=False)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}
    ).execute()
    seconds = time.perf_counter() - start
    print(f"{path.name} executed in {seconds:.1f} s")
    record_property("execution_s", round(seconds, 1))  # listed at the end (tests/conftest.py)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(_is_figure(o) for o in cell.outputs):
            after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
            assert after is not None and after.cell_type == "markdown", (
                f"{path.name}: the figure of cell {i} needs a caption cell after it"
            )
            assert after.source.lstrip().startswith("**Figure"), (
                f"{path.name}: the cell after the figure of cell {i} must start with "
                f"'**Figure N.M.**', got {after.source[:40]!r}"
            )
