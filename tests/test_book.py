"""The book builds with no warnings and every page works offline in headless Chromium.

One build per session (``jupyter-book build --all -W -n --keep-going .`` into ``_build``), then
each page is opened over the DevTools protocol (``tests/browser.py``): no console error or
uncaught exception, no request that leaves the machine, every equation typeset by MathJax,
every plotly figure drawn and its slider working, the launch links right. A full-page screenshot
of each page goes to ``_build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

_spec = importlib.util.spec_from_file_location("book_browser", Path(__file__).parent / "browser.py")
browser_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser_mod)


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = toc.get("chapters", []) + [
        c for part in toc.get("parts", []) for c in part.get("chapters", [])
    ]
    return [toc["root"]] + [c["file"] for c in chapters]


PAGES = toc_files()

pytestmark = pytest.mark.book


@pytest.fixture(scope="session")
def built_book():
    jb = Path(sys.executable).parent / "jupyter-book"
    start = time.perf_counter()
    result = subprocess.run(
        [str(jb), "build", "--all", "-W", "-n", "--keep-going", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    log = result.stdout + result.stderr
    print(f"\nbook built in {time.perf_counter() - start:.0f} s")
    for line in re.findall(r"Executed notebook in [\d.]+ seconds", log):
        print(line)
    assert result.returncode == 0, log[-6000:]
    assert "build succeeded" in log and "with problems" not in log, log[-6000:]
    assert "WARNING" not in log.replace("[IPKernelApp] WARNING", ""), log[-6000:]
    return HTML


@pytest.fixture(scope="session")
def browser(built_book):
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is missing: bash scripts/ensure-chromium.sh")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with browser_mod.Browser() as b:
        yield b


PROBE = r"""(() => {
  const maths = [...document.querySelectorAll('.math')];
  const figs = [...document.querySelectorAll('div.plotly-graph-div')];
  return {
    maths: maths.length,
    untypeset: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent),
    figures: figs.length,
    undrawn: figs.filter(f => !(f._fullLayout && f.querySelector('svg.main-svg'))).length,
    sliders: figs.filter(f => f._fullLayout && f._fullLayout.sliders.length).length,
    broken_images: [...document.images].filter(i => !i.naturalWidth).map(i => i.src),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    cdn_scripts: [...document.scripts].map(s => s.src).filter(s => /^https?:/.test(s)),
    // images whose alt text is missing or only their file name
    no_alt: [...document.querySelectorAll('main img')]
      .filter(i => !i.alt || /\.(png|jpe?g|svg)$/i.test(i.alt)).map(i => i.src),
    // Markdown left as text: a table's "| --- |" row or $math$ outside the code
    raw_markdown: [...document.querySelectorAll('main p, main li, main td')]
      .filter(el => !el.closest('pre, code, .cell_input, .highlight'))
      .map(el => el.textContent)
      .filter(t => /\|\s*(---|\u2014)\s*\|/.test(t) || /\$[^$\s][^$]*\$/.test(t)),
  };
})()"""


@pytest.fixture(scope="session")
def rendered(browser):
    """Each page opened once: what the probe saw, what it logged and requested."""
    pages = {}
    for name in PAGES:
        page = browser.open((HTML / f"{name}.html").as_uri())
        pages[name] = {
            **page.eval(PROBE),
            "errors": list(page.errors),
            "offline": page.nonlocal_requests(),
            "failed": list(page.failed),
            "page": page,
        }
        page.screenshot(SCREENSHOTS / f"{Path(name).name}.png")
    yield pages
    for info in pages.values():
        info["page"].close()


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors_and_nothing_from_the_network(rendered, name):
    info = rendered[name]
    assert info["errors"] == []
    assert info["offline"] == [], "the book must render offline (plotly.js, MathJax are local)"
    assert info["cdn_scripts"] == []
    assert info["failed"] == []
    assert info["broken_images"] == []


@pytest.mark.parametrize("name", PAGES)
def test_equations_are_typeset(rendered, name):
    assert rendered[name]["untypeset"] == [], "MathJax left raw LaTeX on the page"


@pytest.mark.parametrize("name", PAGES)
def test_images_have_alt_text(rendered, name):
    assert rendered[name]["no_alt"] == [], "figures need alt text (their caption's first sentence)"


@pytest.mark.parametrize("name", PAGES)
def test_displayed_markdown_is_rendered(rendered, name):
    # tables and math that cells display must render as in the text cells
    assert rendered[name]["raw_markdown"] == [], "Markdown shown as raw text"


@pytest.mark.parametrize("name", PAGES)
def test_launch_links(rendered, name):
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    notebook = (ROOT / f"{name}.ipynb").exists()
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{name}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=tree/{name}.ipynb"
    links = rendered[name]["links"]
    if notebook:
        assert colab in links and binder in links
    else:
        assert not [link for link in links if "colab.research.google.com" in link]


@pytest.mark.parametrize("name", [p for p in PAGES if (ROOT / f"{p}.ipynb").exists()])
def test_plotly_figures_draw_and_sliders_work_without_a_kernel(rendered, name):
    info, page = rendered[name], rendered[name]["page"]
    # every page of the book is open in its own tab; a background tab gets no animation frames,
    # so plotly's slider would never move there
    page.send("Page.bringToFront")
    assert info["undrawn"] == 0, "every plotly div must have drawn its SVG"
    assert info["sliders"] >= 2, "each episode has at least two slider figures"
    # click the last step of the first slider, as a reader would, and see the frame change
    step = page.eval("""(() => {
      const f = [...document.querySelectorAll('div.plotly-graph-div')]
        .find(f => f._fullLayout.sliders.length);
      f.id = f.id || 'slider-under-test';
      const labels = f.querySelectorAll('.slider-label-group text');
      const el = labels[labels.length - 1];
      el.scrollIntoView({block: 'center'});
      const r = el.getBoundingClientRect();
      return {id: f.id, x: r.x + r.width / 2, y: r.y + r.height / 2, last: labels.length - 1,
              before: f._fullLayout.sliders[0].active};
    })()""")
    assert step["before"] != step["last"]
    # where the label is once scrolling and late layout (MathJax, resizes) have settled
    where = f"""(() => {{
      const labels = document.getElementById('{step["id"]}')
        .querySelectorAll('.slider-label-group text');
      const r = labels[labels.length - 1].getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2];
    }})()"""
    page.pump(0.3)
    x, y = page.eval(where)
    page.click(x, y)
    active_js = f"document.getElementById('{step['id']}')._fullLayout.sliders[0].active"
    deadline = time.monotonic() + 5  # a loaded CI machine redraws slowly
    while (active := page.eval(active_js)) != step["last"] and time.monotonic() < deadline:
        page.pump(0.2)
    assert active == step["last"]
    assert page.errors == info["errors"] == []
