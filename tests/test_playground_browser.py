"""The playground's pages, and the playground in headless Chromium as a reader meets it:
pages opened from disk (``file://``, so the classic-script path is what runs), driven with real
mouse, key and touch events over the DevTools protocol (tests/browser.py).

Three pages: a standalone one that loads the script and style sheet as static files, as the
book does; a two-page Sphinx site built with the book's extension (book/_ext/dql_playground.py);
the HTML output of a notebook cell (run by nbclient) that calls the library. On every page: no
console message of any level, no network request. The Sphinx and notebook checks that need no
browser run without Chromium too.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from dql_teach.playground import page_css, page_script, playground


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


browser_mod = _load("browser")
pages = _load("playground_pages")

ROOTS = "[...document.querySelectorAll('[data-dql-playground]')]"


@pytest.fixture(scope="module")
def browser():
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is missing: bash scripts/ensure-chromium.sh")
    with browser_mod.Browser() as b:
        yield b


@pytest.fixture(scope="module")
def sphinx_site(tmp_path_factory):
    pytest.importorskip("sphinx", reason="Sphinx comes with the book's requirements.txt")
    return pages.build_sphinx_site(tmp_path_factory.mktemp("sphinx"))


@pytest.fixture(scope="module")
def notebook_markup(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return pages.notebook_html(tmp_path_factory.mktemp("notebook"), monkeypatch)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("playground-site")
    return pages.standalone_site(out, playground("full-circles"), playground("coefficients-full"))


@pytest.fixture(scope="module")
def page(browser, site):
    page = browser.open(site.as_uri(), width=1400, height=1000)
    page.send("Page.bringToFront")  # a background tab gets no animation frames
    yield page
    page.close()


def call(page, index: int, expression: str):
    """Evaluate ``expression`` with ``p`` the controller of the index-th playground."""
    return page.eval(
        f"(async () => {{ const p = {ROOTS}[{index}].dqlPlayground; {expression} }})()"
    )


def centre(page, index: int, selector: str, scroll: bool = True) -> tuple[float, float]:
    return page.eval(f"""(() => {{
      const el = {ROOTS}[{index}].querySelector({json.dumps(selector)});
      if ({json.dumps(scroll)}) el.scrollIntoView({{block: 'center'}});
      const r = el.getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2];
    }})()""")


def pixels(page, index: int) -> str:
    return page.eval(f"{ROOTS}[{index}].querySelector('canvas').toDataURL()")


def wait_for(page, expression: str, seconds: float = 60.0):
    """Pump the page until ``expression`` is truthy. The limit only guards against a hang: the
    page trains a few epochs per animation frame, and a busy CI machine gives it few frames."""
    deadline = time.monotonic() + seconds
    while not (value := page.eval(expression)) and time.monotonic() < deadline:
        page.pump(0.05)
    return value


def test_the_page_mounts_offline_with_no_console_message(page, site):
    state = page.eval(f"""(() => {ROOTS}.map(r => ({{
      mounted: !!r.dqlPlayground, canvases: r.querySelectorAll('canvas').length,
      train: !!r.querySelector('button[data-action="train"]'),
      accuracy: r.querySelector('[data-role="accuracy"]').textContent,
      sliders: r.querySelectorAll('input[type="range"][data-role="coefficient"]').length,
    }})))()""")
    assert [s["mounted"] for s in state] == [True, True]
    assert all(s["canvases"] == 2 and s["train"] and s["accuracy"].endswith("%") for s in state)
    assert state[1]["sliders"] == 6  # q11 q12 q22, w1 w2, c of one full neuron
    # the regions are drawn: the canvas is not one colour
    distinct = page.eval(f"""(() => {{
      const c = {ROOTS}[0].querySelector('canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
      return seen.size;
    }})()""")
    assert distinct > 20
    # two playgrounds on one page: no id twice, so every label names its own control
    ids = page.eval("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)) and len(ids) > 20
    assert page.eval("[...document.querySelectorAll('label[for]')].every(l => "
                     "document.getElementById(l.htmlFor))")  # fmt: skip
    assert page.eval("typeof window.dqlTeach.forward") == "function"
    out = page.eval(
        "window.dqlTeach.forward('full', {weight_quad: [[1, 0, 1]], weight: [[0, 0]], "
        "bias: [-1]}, [[1, 1], [0, 0]])"
    )
    assert out == [[1.0], [-1.0]]
    assert page.messages == [] and page.errors == []
    assert page.nonlocal_requests() == [] and page.failed == []
    assert all(url.startswith("file://") for url in page.requests), page.requests


@pytest.mark.parametrize(
    ("preset", "expected"),
    [("full-circles", ">="), ("fan-circles", ">="), ("hadamard-circles", "<="),
     ("linear-circles", "<="), ("diagonal-xor", "<=")],
)  # fmt: skip
def test_one_neuron_does_what_the_book_says(page, preset, expected):
    # the preset as the book embeds it, on four seeds, trained through the page's hooks
    for seed in range(4):
        config = {**playground(preset, seed=seed).config, "title": ""}
        result = call(page, 0, f"p.set({json.dumps(config)}); return await p.train(300);")
        assert set(result) == {"accuracy", "loss", "ms"}
        accuracy = result["accuracy"]
        if expected == ">=":
            assert accuracy >= 0.95, (preset, seed, accuracy)
        else:
            assert accuracy <= 0.8, (preset, seed, accuracy)
        assert call(page, 0, "return p.summary().epoch;") == 300
    assert page.messages == []


def test_clicking_train_trains_and_pause_stops(page):
    call(page, 0, f"p.set({json.dumps(playground('full-circles').config)});")
    before = call(page, 0, "return p.root.querySelector('[data-role=accuracy]').textContent;")
    page.click(*centre(page, 0, 'button[data-action="train"]'))
    assert wait_for(page, f"{ROOTS}[0].dqlPlayground.summary().epoch >= 100")
    after = call(page, 0, "return p.root.querySelector('[data-role=accuracy]').textContent;")
    assert after != before and float(after.rstrip("%")) >= 95
    page.click(*centre(page, 0, 'button[data-action="pause"]'))
    assert wait_for(page, f"!{ROOTS}[0].dqlPlayground.running")
    epoch = call(page, 0, "return p.summary().epoch;")
    page.pump(0.3)
    assert call(page, 0, "return p.summary().epoch;") == epoch  # paused
    page.click(*centre(page, 0, 'button[data-action="step"]'))
    assert wait_for(page, f"{ROOTS}[0].dqlPlayground.summary().epoch === {epoch + 1}")
    assert page.messages == []


def test_a_coefficient_slider_moves_with_the_keyboard_and_redraws(page):
    call(page, 1, f"p.set({json.dumps(playground('coefficients-full').config)});")
    # the preset starts at a circle between the rings: it separates them before any training
    assert call(page, 1, "return p.summary();")["accuracy"] >= 0.95
    slider = 'input[type="range"][data-role="coefficient"][data-key="weight_quad"]'
    centre(page, 1, slider)  # scrolled into view
    # reached as a reader reaches it: Tab from the focusable element just before it
    page.eval(f"({browser_mod.FOCUS_BEFORE})({ROOTS}[1].querySelector({json.dumps(slider)}))")
    assert page.eval("document.activeElement.dataset.key") != "weight_quad"
    page.key("Tab")
    assert page.eval("document.activeElement.dataset.key") == "weight_quad"
    before, picture = float(page.eval("document.activeElement.value")), pixels(page, 1)
    page.key("ArrowRight")
    page.pump(0.1)
    after = float(page.eval("document.activeElement.value"))
    assert after == pytest.approx(before + 0.05)
    assert pixels(page, 1) != picture
    # the neuron itself moved: the page's state_dict holds the slider's value
    assert call(page, 1, "return p.stateDict().weight_quad[0][0];") == pytest.approx(after)
    assert page.messages == []


def test_bad_settings_show_a_message_and_a_reset(page):
    call(page, 0, "p.set({dataset: 'circles', form: 'full', hidden: 8, lr: 1000, seed: 0});")
    call(page, 0, "await p.train(200);")
    message = call(page, 0, "return p.root.querySelector('[data-role=message]').hidden;")
    assert message is False
    text = call(page, 0, "return p.root.querySelector('[data-role=message-text]').textContent;")
    assert "diverged" in text and "learning rate" in text
    # a frozen page would not answer: draw, click the message's Reset like a person
    assert isinstance(call(page, 0, "return p.render();"), float | int)
    page.click(*centre(page, 0, '[data-role="message"] button[data-action="reset"]'))
    assert wait_for(page, f"{ROOTS}[0].querySelector('[data-role=message]').hidden")
    assert call(page, 0, "return p.summary().epoch;") == 0
    # a degenerate quadric: every coefficient slider dragged to zero leaves no boundary
    call(page, 1, f"p.set({json.dumps(playground('coefficients-full').config)});")
    page.eval(f"""{ROOTS}[1].querySelectorAll('input[data-role="coefficient"]').forEach(el => {{
      el.value = 0; el.dispatchEvent(new Event('input', {{bubbles: true}})); }})""")
    text = call(page, 1, "return p.root.querySelector('[data-role=message-text]').textContent;")
    assert "zero everywhere" in text
    page.click(*centre(page, 1, '[data-role="message"] button[data-action="reset"]'))
    assert call(page, 1, "return p.summary().conics;") == ["circle"]  # the preset's start
    assert page.messages == [] and page.errors == []


def test_the_book_theme_switch_to_dark_redraws(page):
    def look():
        return page.eval(f"""(() => {{ const r = {ROOTS}[0];
          return [getComputedStyle(r).backgroundColor, r.querySelector('canvas').toDataURL()];
        }})()""")

    light = look()
    page.eval("document.documentElement.dataset.theme = 'dark'")
    page.pump(0.1)  # the theme watcher redraws on the attribute change
    dark = look()
    page.eval("document.documentElement.dataset.theme = 'light'")
    page.pump(0.1)
    assert dark[0] != light[0] and dark[1] != light[1]
    assert look() == light
    assert page.messages == []


def test_phone_layout_is_crisp_and_a_swipe_scrolls_the_page(browser, site):
    phone = browser.open(site.as_uri(), width=390, height=844, scale=2, mobile=True)
    try:
        phone.send("Page.bringToFront")
        layout = phone.eval(f"""(() => {{
          const c = {ROOTS}[0].querySelector('canvas');
          return {{scrollWidth: document.documentElement.scrollWidth, css: c.clientWidth,
                   bitmap: c.width, buttons: Math.min(...[...document.querySelectorAll(
                   'button')].filter(b => b.offsetParent).map(b => b.offsetHeight))}};
        }})()""")
        assert layout["scrollWidth"] <= 390, layout  # nothing wider than the phone
        assert layout["css"] >= 300 and layout["bitmap"] == round(2 * layout["css"])
        assert layout["buttons"] >= 32  # finger-sized
        x, y = phone.eval(f"""(() => {{
          const r = {ROOTS}[0].querySelector('canvas').getBoundingClientRect();
          window.scrollTo(0, 0);
          return [r.x + r.width / 2, r.y + r.height * 0.8];
        }})()""")
        phone.swipe(x, y, -260)
        phone.pump(0.4)
        assert phone.eval("window.scrollY") > 100  # the page scrolled: no touch was swallowed
        assert phone.messages == []
    finally:
        phone.close()


def test_sphinx_extension_serves_the_script_to_playground_pages_only(sphinx_site):
    static = sphinx_site / "_static" / "dql"
    assert (static / "dql-playground.js").read_text() == page_script()
    assert (static / "dql-playground.css").read_text() == page_css()
    index = (sphinx_site / "index.html").read_text()
    other = (sphinx_site / "other.html").read_text()
    script = re.search(r"<script[^>]*dql-playground\.js[^>]*>", index)
    assert script and "defer" in script.group(0), index[:2000]
    assert "dql-playground.css" in index
    assert "dql-playground" not in other


def test_a_notebook_cell_displays_the_app_with_its_script_inlined(notebook_markup):
    assert page_script() in notebook_markup and "<style>" in notebook_markup
    found = re.search(r'data-dql-playground="([^"]*)"', notebook_markup)
    config = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert (config["form"], config["seed"]) == ("hadamard", 2)


def test_the_notebook_output_mounts_once_and_runs_again_cleanly(browser, notebook_markup, tmp_path):
    markup = notebook_markup
    # two outputs of the same cell on one page, as after running it twice into two cells
    doc = tmp_path / "notebook.html"
    doc.write_text(f"<!DOCTYPE html><html><body>{markup}<hr>{markup}</body></html>")
    nb = browser.open(doc.as_uri(), width=1200, height=900)
    try:
        assert nb.eval(f"{ROOTS}.map(r => !!r.dqlPlayground)") == [True, True]
        assert nb.eval(f"{ROOTS}[0].dqlPlayground.config.form") == "hadamard"
        # the inline script again (a re-rendered output): the same controllers, no new DOM
        nb.eval(f"""(() => {{ window.__before = {ROOTS}.map(r => r.dqlPlayground);
                 window.__nodes = document.querySelectorAll('*').length; }})()""")
        nb.eval(json.dumps(page_script()).join(["eval(", ")"]) + ", true")
        same = nb.eval(f"{ROOTS}.every((r, i) => r.dqlPlayground === window.__before[i])")
        assert same and nb.eval("document.querySelectorAll('*').length") == nb.eval(
            "window.__nodes"
        )
        result = nb.eval(f"{ROOTS}[1].dqlPlayground.train(50)")
        assert 0 <= result["accuracy"] <= 1
        assert nb.messages == [] and nb.nonlocal_requests() == []
    finally:
        nb.close()


def test_the_book_extension_page_mounts(browser, sphinx_site):
    book = browser.open((sphinx_site / "index.html").as_uri(), width=1200, height=900)
    try:
        assert book.eval(f"{ROOTS}.map(r => !!r.dqlPlayground)") == [True]
        assert book.eval(f"{ROOTS}[0].dqlPlayground.train(20)")["accuracy"] > 0
        assert book.messages == [] and book.nonlocal_requests() == []
    finally:
        book.close()
