"""The book builds with no warnings and every page works offline in headless Chromium.

One build per session (``jupyter-book build --all -W -n --keep-going .`` into ``_build``), then
each page is opened over the DevTools protocol (``tests/browser.py``) as a reader would, on a
desktop (1400 x 900) and on a phone (390 x 844, mobile viewport and touch):

- desktop: no console message of any level and no uncaught exception, no request that leaves
  the machine or fails (over HTTP too: no 404, the favicon included), every equation typeset,
  every plotly figure drawn, every slider moved by a click and from the keyboard (Tab to it,
  arrow keys), every figure in a ``<figure>`` with a ``<figcaption>`` and an accessible name in
  plain words, the launch links right, the theme's dark mode followed by the figures;
- phone: nothing wider than the screen (wide tables and code scroll in their own box), a
  vertical swipe over a figure scrolls the page, the setup cell folded;
- weight: every episode's HTML at most 1 MB, plotly.js only on pages with a plotly figure;
  the ``.ipynb`` download holds the executed notebook.

Screenshots for a person to look at are not taken here (a full-page capture at both sizes costs
more than the checks): ``python benchmarks/screenshots.py --pages OUT`` writes every page at
1400 px and 390 px.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
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
EPISODES = [p for p in PAGES if (ROOT / f"{p}.ipynb").exists()]
DESKTOP, PHONE = (1400, 900), (390, 844)
MAX_EPISODE_BYTES = 1_000_000
TEX = re.compile(r"[\\^{}$]|_[{\d]")  # what an alt text or accessible name must not hold

# one worker takes every test of this module under pytest-xdist: they share one build and browser
pytestmark = [pytest.mark.book, pytest.mark.xdist_group("book")]


@pytest.fixture(scope="session")
def built_book():
    if os.environ.get("DQL_BOOK_BUILT"):  # check a build made by hand (while iterating)
        assert (HTML / "index.html").exists(), f"DQL_BOOK_BUILT is set but {HTML} is empty"
        return HTML
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
        page = browser.open((HTML / f"{name}.html").as_uri(), *DESKTOP)
        pages[name] = {
            **page.eval(PROBE),
            "errors": list(page.errors),
            "offline": page.nonlocal_requests(),
            "failed": list(page.failed),
            "messages": list(page.messages),
            "page": page,
        }
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
def test_no_console_message_at_all(rendered, name):
    # not even a log line: the theme's "[PST]" and "[togglebutton]" lines, plotly's WebGL and
    # canvas warnings are stopped where they start (book/_ext/dql_assets.py)
    assert rendered[name]["messages"] == []


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
    # and a screen reader hears where the click put it (the keyboard test starts from there)
    aria_js = (f"document.getElementById('{step['id']}').querySelector('.slider-container')"
               ".getAttribute('aria-valuenow')")  # fmt: skip
    deadline = time.monotonic() + 10
    while (now := page.eval(aria_js)) != str(step["last"]) and time.monotonic() < deadline:
        page.pump(0.2)
    assert now == str(step["last"]), "a click on the slider must update its aria-valuenow"
    assert page.errors == info["errors"] == []


# --- weight ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", EPISODES)
def test_episode_html_is_at_most_1_mb(built_book, name):
    size = (HTML / f"{name}.html").stat().st_size
    assert size <= MAX_EPISODE_BYTES, f"{name}.html is {size / 1e6:.2f} MB"


@pytest.mark.parametrize("name", PAGES)
def test_plotly_js_only_where_there_is_a_figure_and_deferred(rendered, name):
    page = rendered[name]["page"]
    scripts = page.eval(
        "[...document.scripts].filter(s => /plotly\\.min\\.js/.test(s.src))"
        ".map(s => ({defer: s.defer, async: s.async}))"
    )
    if rendered[name]["figures"]:
        assert scripts == [{"defer": True, "async": False}], "plotly.js must not block painting"
    else:
        assert scripts == [], f"{name} has no plotly figure but loads plotly.js"
        assert not [u for u in page.requests if "plotly" in u]


def test_the_ipynb_download_is_the_executed_notebook(rendered):
    for name in EPISODES:
        links = [u for u in rendered[name]["links"] if u.endswith(f"_sources/{name}.ipynb")]
        assert links, f"{name} has no .ipynb download"
        notebook = json.loads((HTML / "_sources" / f"{name}.ipynb").read_text())
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert sum(bool(c.get("outputs")) for c in code) > len(code) / 2, (
            f"the download of {name} has no outputs"
        )
        # its plotly figures as the output Jupyter draws (not the book's data for its script)
        outputs = [o.get("data", {}) for c in code for o in c.get("outputs", [])]
        assert any("application/vnd.plotly.v1+json" in o for o in outputs)
        assert not any("data-dql-plotly" in str(o.get("text/html", "")) for o in outputs)


# --- captions and names ------------------------------------------------------------------
FIGURES = r"""(() => {
  const main = document.querySelector('.bd-article') || document.body;
  const out = [];
  for (const el of main.querySelectorAll('div.plotly-graph-div, .cell_output img')) {
    const figure = el.closest('figure');
    const caption = figure && figure.querySelector(':scope > figcaption');
    out.push({
      kind: el.tagName, name: el.tagName === 'IMG' ? el.alt : el.getAttribute('aria-label'),
      role: el.getAttribute('role'), caption: caption ? caption.textContent.trim() : null,
    });
  }
  return out;
})()"""


@pytest.mark.parametrize("name", EPISODES)
def test_every_figure_has_a_figcaption_and_a_plain_accessible_name(rendered, name):
    figures = rendered[name]["page"].eval(FIGURES)
    assert figures, f"{name} has no figure"
    for fig in figures:
        assert fig["caption"] and re.match(r"Figure \d+\.\d+\.", fig["caption"]), fig
        assert fig["name"] and len(fig["name"].split()) >= 4, fig
        assert not TEX.search(fig["name"]), f"TeX in an accessible name: {fig['name']!r}"
        if fig["kind"] == "DIV":
            assert fig["role"] == "figure"


def test_the_intro_links_every_episode(rendered):
    links = rendered[toc_files()[0]]["links"]
    for name in EPISODES:
        assert any(link.endswith(f"{Path(name).name}.html") for link in links), name


# --- the keyboard --------------------------------------------------------------------------
SLIDERS = r"""(() => [...document.querySelectorAll('div.plotly-graph-div')]
  .filter(f => f._fullLayout && f._fullLayout.sliders.length)
  .map((f, i) => { f.dataset.test = 'slider-figure-' + i; return f.dataset.test; }))()"""
FOCUS_BEFORE = rf"""((key) => {{
  // scroll the figure's slider into view and focus what precedes it, so one Tab reaches it
  const f = document.querySelector(`[data-test="${{key}}"]`);
  const slider = f.querySelector('.slider-container');
  slider.scrollIntoView({{block: 'center'}});
  ({browser_mod.FOCUS_BEFORE})(slider);
  return {{active: f._fullLayout.sliders[0].active, steps: f._fullLayout.sliders[0].steps.length}};
}})"""


@pytest.mark.parametrize("name", EPISODES)
def test_every_slider_moves_with_the_keyboard(rendered, name):
    page = rendered[name]["page"]
    page.send("Page.bringToFront")  # a background tab gets no animation frames
    keys = page.eval(SLIDERS)
    assert keys, f"{name} has no slider figure"
    for key in keys:
        start = page.eval(f"({FOCUS_BEFORE})('{key}')")
        page.key("Tab")
        focused = page.eval(
            f'document.activeElement === document.querySelector(\'[data-test="{key}"] '
            f".slider-container')"
        )
        assert focused, f"{name}: Tab does not reach the slider of {key}"
        role = page.eval(
            f'(() => {{ const g = document.querySelector(\'[data-test="{key}"] '
            f".slider-container'); return [g.getAttribute('role'), "
            f"g.getAttribute('aria-valuenow'), g.getAttribute('aria-valuetext')]; }})()"
        )
        assert role[0] == "slider" and role[1] == str(start["active"]) and role[2]
        step = "ArrowLeft" if start["active"] == start["steps"] - 1 else "ArrowRight"
        page.key(step)
        want = start["active"] + (1 if step == "ArrowRight" else -1)
        moved = (
            f"(() => {{ const f = document.querySelector('[data-test=\"{key}\"]'); "
            f"return [f._fullLayout.sliders[0].active, "
            f"f.querySelector('.slider-container').getAttribute('aria-valuenow')]; }})()"
        )
        deadline = time.monotonic() + 10  # a loaded CI machine redraws slowly
        while page.eval(moved) != [want, str(want)] and time.monotonic() < deadline:
            page.pump(0.2)
        assert page.eval(moved) == [want, str(want)], f"{name}: {step} did not move {key}"
        # its redraw done before the next figure's Tab (the page then gives the focus back)
        page.eval(f"document.querySelector('[data-test=\"{key}\"]').dqlStep.then(() => true)")
    assert page.errors == [] and page.messages == rendered[name]["messages"]


STEP_THEN_TAB_AWAY = r"""(async (key) => {
  const f = document.querySelector(`[data-test="${key}"]`);
  const g = f.querySelector('.slider-container');
  const opts = f._fullLayout.sliders[0];
  const start = opts.active;
  // a link of the text (a heading's # link is hidden until hovered, and takes no focus)
  const away = document.querySelector('.bd-article p a[href]:not(.headerlink)');
  g.focus();
  const k = start === opts.steps.length - 1 ? 'ArrowLeft' : 'ArrowRight';
  g.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true, cancelable: true}));
  away.focus();  // the reader tabs on while the step still redraws
  const left = document.activeElement === away;
  const step = f.dqlStep;  // the page's promise of the step: absent, nothing was waited for
  await step;
  return {left, waited: step instanceof Promise, moved: f._fullLayout.sliders[0].active !== start,
          kept: document.activeElement === away};
})"""


@pytest.mark.parametrize("name", EPISODES)
def test_a_slow_slider_step_does_not_pull_the_focus_back(rendered, name):
    page = rendered[name]["page"]
    page.send("Page.bringToFront")
    keys = page.eval(SLIDERS)
    assert keys, f"{name} has no slider figure"
    result = page.eval(f"({STEP_THEN_TAB_AWAY})('{keys[0]}')")
    want = {"left": True, "waited": True, "moved": True, "kept": True}
    assert result == want, f"{name}: {result}"
    assert page.errors == [] and page.messages == rendered[name]["messages"]


# --- the playgrounds, as the text says ----------------------------------------------------
# what one neuron alone (hidden = 0) does on a dataset, as episodes 1 and 2 say it: separates
# the classes (>= 95% train accuracy) or fails (<= 80%)
ONE_NEURON = {("circles", "full"): True, ("circles", "fan"): True,
              ("circles", "hadamard"): False, ("circles", "linear"): False,
              ("xor", "diagonal"): False, ("xor", "linear"): False}  # fmt: skip
TRAIN_ON_PAGE = r"""(async (i) => {
  const p = document.querySelectorAll('[data-dql-playground]')[i].dqlPlayground;
  const r = await p.train(300);
  p.reset();  // as the reader finds it
  return r.accuracy;
})"""


def test_the_playgrounds_on_the_pages_do_what_the_text_says(rendered):
    checked = []
    for name in EPISODES:
        page = rendered[name]["page"]
        configs = page.eval(
            "[...document.querySelectorAll('[data-dql-playground]')]"
            ".map(r => r.dqlPlayground.summary().config)"
        )
        for i, c in enumerate(configs):
            separates = ONE_NEURON.get((c["dataset"], c["form"]))
            if c["hidden"] != 0 or c["mode"] != "train" or separates is None:
                continue
            accuracy = page.eval(f"({TRAIN_ON_PAGE})({i})")  # the page's own seed
            case = (name, c["dataset"], c["form"], accuracy)
            assert accuracy >= 0.95 if separates else accuracy <= 0.8, case
            checked.append((c["dataset"], c["form"]))
        assert page.errors == [] and page.messages == rendered[name]["messages"]
    # the cases the text makes, each on a page: full separates the circles; Hadamard, diagonal
    # (XOR) and linear neurons fail
    assert {("circles", "full"), ("circles", "hadamard"), ("xor", "diagonal")} <= set(checked)
    assert {("circles", "linear"), ("xor", "linear")} & set(checked), checked


# --- dark mode -----------------------------------------------------------------------------
DARK = r"""(async () => {
  const figs = [...document.querySelectorAll('div.plotly-graph-div')].filter(f => f._fullLayout);
  const before = figs.map(f => f._fullLayout.font.color);
  document.documentElement.dataset.theme = 'dark';
  await new Promise(r => setTimeout(r, 1500));
  const after = figs.map(f => f._fullLayout.font.color);
  const paper = figs.map(f => f._fullLayout.paper_bgcolor);
  document.documentElement.dataset.theme = 'light';
  await new Promise(r => setTimeout(r, 1500));
  return {before, after, paper, back: figs.map(f => f._fullLayout.font.color)};
})()"""


@pytest.mark.parametrize("name", EPISODES)
def test_plotly_figures_follow_the_dark_theme(rendered, name):
    page = rendered[name]["page"]
    page.send("Page.bringToFront")
    seen = page.eval(DARK)
    assert seen["before"] and all(c != d for c, d in zip(seen["before"], seen["after"]))
    assert seen["back"] == seen["before"]
    assert all(p in ("rgba(0, 0, 0, 0)", "rgba(0,0,0,0)", "transparent") for p in seen["paper"])


# --- over HTTP: no 404 (favicon.ico) -------------------------------------------------------
@pytest.fixture(scope="session")
def served(built_book):
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.parametrize("name", [PAGES[0], EPISODES[0]])
def test_over_http_nothing_is_missing_not_even_the_favicon(browser, served, name):
    page = browser.open(f"{served}/{name}.html", *DESKTOP)
    try:
        page.pump(1.0)
        assert page.failed == [], "a request failed or got an HTTP error (a 404?)"
        assert page.messages == []
        icon = page.eval("(document.querySelector('link[rel~=\"icon\"]') || {}).href || ''")
        assert icon.endswith("favicon.ico") and icon in page.requests + [icon]
        logo = page.eval("[...document.images].filter(i => /logo/.test(i.src))"
                         ".map(i => i.naturalWidth)")  # fmt: skip
        assert logo and all(w > 0 for w in logo), "the logo drawn by dql_teach.viz.logo"
    finally:
        page.close()
    assert (HTML / "favicon.ico").stat().st_size > 0  # where browsers look before the page


# --- phones ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def phone(browser):
    """Each page on a phone (390 x 844, mobile viewport, touch), opened once."""
    pages = {}
    for name in PAGES:
        page = browser.open((HTML / f"{name}.html").as_uri(), *PHONE, scale=2, mobile=True)
        pages[name] = page
    yield pages
    for page in pages.values():
        page.close()


TOO_WIDE = r"""(() => {
  // what pokes out of the screen: a figure, an image, a table, a canvas, maths, a block; what
  // is inside a box that scrolls or clips (a table's, a code block's) is fine
  const width = window.innerWidth, main = document.querySelector('.bd-article');
  const scrolls = el => {
    for (let e = el.parentElement; e && e !== main; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const wide = [...main.querySelectorAll(
      'img, canvas, svg.main-svg, table, div.plotly-graph-div, mjx-container, pre, p, figure')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !scrolls(e))
    .map(e => `${e.tagName}.${e.className.baseVal ?? e.className} ${Math.round(
      e.getBoundingClientRect().right)} px`);
  return {wide, page: document.documentElement.scrollWidth, width};
})()"""


@pytest.mark.parametrize("name", PAGES)
def test_phone_nothing_is_wider_than_the_screen(phone, name):
    seen = phone[name].eval(TOO_WIDE)
    assert seen["wide"] == [] and seen["page"] <= seen["width"], seen


SWIPE_TARGET = r"""((index) => {
  const figs = [...document.querySelectorAll('div.plotly-graph-div')].filter(f => f._fullLayout);
  const f = figs[index];
  if (!f) return null;
  window.scrollTo(0, 0);
  const top = f.getBoundingClientRect().top + window.scrollY;
  window.scrollTo(0, Math.max(0, top - 40));
  const r = f.getBoundingClientRect();
  const three = !!(f._fullLayout._subplots.gl3d || []).length;
  const x = f._fullLayout.xaxis ? f._fullLayout.xaxis.range.slice() : null;
  return {x: r.left + r.width / 2, y: Math.min(r.top + r.height * 0.45, innerHeight - 60),
          scroll: window.scrollY, three, range: x};
})"""


def _swipe_scrolls(page, index: int) -> tuple[dict, float]:
    page.send("Page.bringToFront")
    where = page.eval(f"({SWIPE_TARGET})({index})")
    page.pump(0.5)
    page.swipe(where["x"], where["y"], -300)  # a finger moving up: the page scrolls down
    page.pump(1.0)
    return where, page.eval("window.scrollY") - where["scroll"]


@pytest.mark.parametrize("name", EPISODES)
def test_phone_a_swipe_over_a_figure_scrolls_the_page(phone, name):
    page = phone[name]
    count = page.eval("document.querySelectorAll('div.plotly-graph-div').length")
    assert count, f"{name} has no plotly figure"
    for index in range(count):
        where, moved = _swipe_scrolls(page, index)
        assert moved > 100, f"{name}: a swipe over figure {index} ({where}) scrolled {moved} px"
        if where["range"] is not None:  # and did not zoom the figure
            now = page.eval(
                "[...document.querySelectorAll('div.plotly-graph-div')]"
                f".filter(f => f._fullLayout)[{index}]._fullLayout.xaxis.range"
            )
            assert now == pytest.approx(where["range"])


@pytest.mark.parametrize("name", EPISODES)
def test_phone_the_setup_cell_is_folded(phone, name):
    page = phone[name]
    setup = page.eval(r"""(() => {
      const cell = document.querySelector('.bd-article .cell');
      const details = cell && cell.querySelector('details');
      const code = cell && cell.querySelector('.cell_input pre');
      return {tag: cell && cell.classList.contains('tag_hide-input'), open: details && details.open,
              summary: details && details.querySelector('summary').textContent.trim(),
              code_shown: code ? code.checkVisibility() : null,
              output: cell && !!cell.querySelector('.cell_output')};
    })()""")
    assert setup["tag"] and setup["open"] is False and not setup["code_shown"], setup
    assert setup["summary"].startswith("Setup: installs dql_teach"), setup
    assert setup["output"], "the setup cell still runs: its output (versions) shows"
