"""The book: notebooks are clean sources, and the built pages render offline in Chromium."""

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def test_there_are_episodes_and_the_toc_lists_them():
    assert NOTEBOOKS
    toc = (ROOT / "_toc.yml").read_text()
    for nb in NOTEBOOKS:
        assert f"book/{nb.stem}" in toc


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stripped(path):
    for cell in code_cells(path):
        assert cell["outputs"] == [] and cell["execution_count"] is None


def test_setup_cells_are_identical_and_name_the_configured_repository():
    first = {path.name: "".join(code_cells(path)[0]["source"]) for path in NOTEBOOKS}
    assert len(set(first.values())) == 1, "every episode must start with the same setup cell"
    cell = next(iter(first.values()))
    url = re.search(r'REPOSITORY = "([^"]+)"', cell).group(1)
    assert url == CONFIG["repository"]["url"]
    assert "torch" not in re.findall(r'"install", "-q", ([^\]]+)\]', cell)[0]  # never torch


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_fits_the_book_column(path):
    for cell in code_cells(path):
        for line in "".join(cell["source"]).splitlines():
            assert len(line) <= 79, line


# --- build and render ----------------------------------------------------------------------
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=15000",
]  # fmt: skip


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jb), "build", "--all", "-W", "-n", "--keep-going", str(ROOT)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return ROOT / "_build" / "html"


def chromium(*args):
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip


PAGES = ["book/intro.html"] + [f"book/{nb.stem}.html" for nb in NOTEBOOKS]


@pytest.mark.book
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_without_errors(built_book, page):
    path = built_book / page
    html = path.read_text()
    remote_scripts = re.findall(r'<script[^>]+src="(https?://[^"]+)"', html)
    assert remote_scripts == [], "pages must not load scripts from the network"
    run = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", path.as_uri())
    errors = [
        line for line in run.stderr.splitlines()
        if "CONSOLE" in line and re.search(r"Uncaught|Error", line)
    ]  # fmt: skip
    assert errors == []
    dom = run.stdout
    assert "mjx-container" in dom or "$" not in html  # MathJax typeset the equations
    n_plotly = html.count('class="plotly-graph-div"')
    assert dom.count('class="main-svg"') >= n_plotly  # every plotly figure drew its SVG
    if page.endswith(tuple(nb.stem + ".html" for nb in NOTEBOOKS)):
        repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
        colab = f"https://colab.research.google.com/github/{repo}/blob/main/{page[:-5]}.ipynb"
        assert colab in html
        assert n_plotly >= 2  # at least two slider figures that work without a kernel
        screenshot = built_book.parent / "screenshots" / (Path(page).stem + ".png")
        screenshot.parent.mkdir(exist_ok=True)
        chromium("--window-size=1280,2400", f"--screenshot={screenshot}", path.as_uri())
        assert screenshot.stat().st_size > 10_000
