"""Sphinx extension: serve plotly.js and MathJax with the book, so pages work offline.

* plotly.js is copied at build time from the installed plotly package (no CDN, one copy per
  book instead of 4.9 MB inlined per figure) and loaded on every page;
* MathJax 3 is vendored in ``book/_assets/mathjax`` and replaces Sphinx's CDN default;
* ``DQL_BOOK_BUILD=1`` is set for the executing kernels, so ``dql_teach.viz.show`` emits bare
  figure ``<div>``s and explorers show snapshots.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import plotly

ASSETS = Path(__file__).resolve().parent.parent / "_assets"


def _copy_plotly(app) -> None:
    target = Path(app.outdir) / "_static" / "dql"
    target.mkdir(parents=True, exist_ok=True)
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copyfile(source, target / "plotly.min.js")


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


def setup(app):
    os.environ["DQL_BOOK_BUILD"] = "1"  # inherited by the kernels the build starts
    app.config.html_static_path.append(str(ASSETS))
    app.config.mathjax_path = "mathjax/tex-mml-chtml.js"
    app.add_js_file("dql/plotly.min.js", priority=200)
    app.connect("builder-inited", _copy_plotly)
    app.connect("builder-inited", _drop_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
