"""Sphinx extension: the book's own assets, so pages work offline, light and clean.

* plotly.js is copied at build time from the installed plotly package (no CDN) and loaded,
  with ``defer``, only on the pages that hold a plotly figure, together with the book's figure
  script (``assets/dql-figures.js``: draws the figures that ``dql_teach.viz.show`` wrote as
  data, fits them to the screen, keyboard sliders, light/dark theme, 3-D scenes on phones);
* ``assets/dql-book.css`` and ``assets/dql-book.js`` on every page (wide tables and formulas
  scroll in their own box, figures never wider than the column, captions, dark-mode figures);
* the logo and the favicon are drawn by ``dql_teach.viz.logo`` at every build (no 404 for
  ``favicon.ico``);
* MathJax 3 is vendored in ``book/_assets/mathjax`` and replaces Sphinx's CDN default;
* the ``.ipynb`` download of an episode is its executed notebook, with the outputs;
* the theme's console messages are removed at their source (see :func:`_quiet_theme`);
* ``DQL_BOOK_BUILD=1`` is set for the executing kernels, so ``dql_teach.viz.show`` emits the
  figures' data and explorers show snapshots.

The bundled JavaScript lives here in ``assets/``, which is no ``html_static_path`` folder
(Jupyter Book would add every script there to every page, TOOLCHAIN.md), and is copied to
``_static/dql/`` at build time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import plotly
from sphinx.util import logging

ASSETS = Path(__file__).resolve().parent.parent / "_assets"  # MathJax (html_static_path)
SCRIPTS = Path(__file__).resolve().parent / "assets"  # copied to _static/dql/ by hand
FOLDER = "dql"  # under _static/, beside the playground's files (dql_playground.py)
MARKER = "data-dql-plotly"  # what viz.show writes for each figure
logger = logging.getLogger(__name__)


# Two changes to the plotly.js this build serves, each behind a warning (so a -W build fails
# where a new plotly no longer matches and the browser test's clean console cannot silently
# regress):
# * its 2-D canvases (text measured and rasterised for the 3-D scenes' axes, then read back)
#   are created with willReadFrequently, as Chromium asks in the console of every page with a
#   3-D figure ("Canvas2D: Multiple readback operations using getImageData are faster with the
#   willReadFrequently attribute set to true");
# * a 3-D scene's pick buffer (gl-select-static) is read back when a pick is asked for (a
#   hover, a click), not after every redraw: every page with a 3-D figure logged "GPU stall due
#   to ReadPixels" on load, and each redraw waited for the GPU to read a buffer nobody queried.
PLOTLY_PATCHES = [
    (r'getContext\("2d"\)', 'getContext("2d",{willReadFrequently:!0})'),
    (r"this\._readTimeout\|\|clearTimeout\(this\._readTimeout\),"
     r"this\._readTimeout=setTimeout\(this\._readCallback,1\)",
     "this._readTimeout=!0"),
    (r"p\.query=function\(m,g,w\)\{if\(!this\.gl\)return null;",
     "p.query=function(m,g,w){if(!this.gl)return null;this._readTimeout&&this._readCallback();"),
]  # fmt: skip


def _copy_scripts(app) -> None:
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    text = source.read_text(encoding="utf-8")
    for pattern, replacement in PLOTLY_PATCHES:
        text, count = re.subn(pattern, lambda m, r=replacement: r, text)
        if not count:
            logger.warning(f"dql_assets: {pattern!r} not in plotly.min.js {plotly.__version__}")
    (target / "plotly.min.js").write_text(text, encoding="utf-8")
    for name in ("dql-figures.js", "dql-book.js", "dql-book.css"):
        shutil.copyfile(SCRIPTS / name, target / name)


def _draw_logo(app, config) -> None:
    # before Sphinx checks html_logo/html_favicon (config-inited, priority 800): the files
    # must exist; they are copied into _static by the HTML builder
    from dql_teach.viz.logo import write_logo

    paths = write_logo(Path(app.outdir).parent / "dql-logo")
    config.html_logo = str(paths["logo.png"])
    config.html_favicon = str(paths["favicon.ico"])


def _drop_thebe(app) -> None:
    # Jupyter Book 1 always loads sphinx_thebe, whose env-before-read-docs handler adds the
    # inline script `const THEBE_JS_URL = ...` with app.add_js_file(None, body=...) after the
    # HTML builder was initialised. Sphinx 7.4 records it twice: in the builder as
    # _JavaScript(None, ...) and, re-read from the registry in prepare_writing, as
    # _JavaScript('', ...); the two compare unequal, so the dedup misses and every page
    # declared the const twice ("Identifier 'THEBE_JS_URL' has already been declared";
    # togglebutton's `var` script is doubled the same way, harmlessly). The book has no
    # live-code (thebe) button, only Colab/Binder links, so thebe's page setup is removed.
    for event in ("env-before-read-docs", "doctree-resolved"):
        for listener in list(app.events.listeners.get(event, [])):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                app.disconnect(listener.id)


def _add_to_page(app, pagename, templatename, context, doctree) -> None:
    # called per page: add_js_file here reaches this page only. Both deferred, in this order
    # (plotly.js first): the page paints before 4.8 MB of JavaScript is parsed
    if MARKER in (context.get("body") or ""):
        app.add_js_file(f"{FOLDER}/plotly.min.js", loading_method="defer")
        app.add_js_file(f"{FOLDER}/dql-figures.js", loading_method="defer")


# console.log calls of the theme's scripts that run on every page: "[togglebutton]: Adding
# toggle buttons to N items" (sphinx-togglebutton, at every load) and "[PST]: Changed to light
# mode ...", "[PST]: Scrolled sidebar using ..." (pydata-sphinx-theme, at every load and on
# long pages). They report normal operation, so the statements are removed from the copies
# this build serves; a pattern that no longer matches (a new theme version) is a warning,
# which fails the -W build, so the browser test's clean console cannot silently regress.
QUIET = {
    "togglebutton.js": [r"console\.log\(\s*`\[togglebutton\]: Adding[^`]*`\s*\);?"],
    "scripts/pydata-sphinx-theme.js": [
        r"console\.log\(`\[PST\]: Changed to [^`]*`\)",
        r"console\.log\(\"\[PST\]: Scrolled sidebar using last active link\.\.\.\"\)",
        r"console\.log\(\"\[PST\]: Scrolled sidebar using stored browser position\.\.\.\"\)",
    ],
}


QUIETED = "void 0 /* console.log removed by dql_assets */"


def _quiet_theme(app) -> None:
    static = Path(app.outdir) / "_static"
    for name, patterns in QUIET.items():
        path = static / name
        if not path.exists():
            logger.warning(f"dql_assets: {name} is missing: the theme changed, check QUIET")
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            text, count = re.subn(pattern, QUIETED, text)
            if not count and QUIETED not in text:
                logger.warning(f"dql_assets: {pattern!r} not found in {name}: check QUIET")
        path.write_text(text, encoding="utf-8")


FIGURE_DATA = re.compile(
    r'<script type="application/json" data-dql-plotly="[^"]*">(.*?)</script>', re.S
)


def _as_plotly_output(html: str) -> dict | None:
    """A book figure's HTML (viz.figure_html) as the plotly output Jupyter draws itself."""
    match = FIGURE_DATA.search(html)
    if match is None:
        return None
    spec = json.loads(match.group(1).replace("<\\/", "</"))
    data = spec.get("data")
    if data is None:  # a slider figure's first data is its first frame's
        frames = [f for f in spec.get("frames", []) if f.get("name") == spec.get("dataFrame")]
        data = frames[0]["data"] if frames else []
    figure = {"data": data, "layout": spec.get("layout", {}), "frames": spec.get("frames", []),
              "config": spec.get("config", {})}  # fmt: skip
    return {
        "application/vnd.plotly.v1+json": figure,
        "text/plain": "<plotly figure: run the cell where plotly does not draw it>",
    }


def _executed_notebooks(app) -> None:
    # the page's download button links _sources/<page>.ipynb: the notebook as committed,
    # without outputs; the build executed it into jupyter_execute/ (myst-nb), so serve that,
    # with each plotly figure as the plotly output Jupyter, JupyterLab and VS Code draw (the
    # book's HTML for it needs the book's figure script)
    executed = Path(app.outdir).parent / "jupyter_execute"
    for notebook in executed.rglob("*.ipynb"):
        target = Path(app.outdir) / "_sources" / notebook.relative_to(executed)
        if not target.exists():
            continue
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html")
                html = "".join(html) if isinstance(html, list) else html
                figure = _as_plotly_output(html) if html else None
                if figure is not None:
                    output["data"] = figure
        target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _finish(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _quiet_theme(app)
    _executed_notebooks(app)
    # browsers ask for /favicon.ico before they read the page's <link rel="icon">
    favicon = app.config.html_favicon
    if favicon and Path(favicon).is_file():
        shutil.copyfile(favicon, Path(app.outdir) / "favicon.ico")


def setup(app):
    os.environ["DQL_BOOK_BUILD"] = "1"  # inherited by the kernels the build starts
    app.config.html_static_path.append(str(ASSETS))
    app.config.mathjax_path = "mathjax/tex-mml-chtml.js"
    app.add_css_file(f"{FOLDER}/dql-book.css")
    app.add_js_file(f"{FOLDER}/dql-book.js", loading_method="defer")
    app.connect("config-inited", _draw_logo, priority=400)
    app.connect("builder-inited", _copy_scripts)
    app.connect("builder-inited", _drop_thebe)
    app.connect("html-page-context", _add_to_page)
    app.connect("build-finished", _finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
