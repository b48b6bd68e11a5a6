"""Sphinx extension: serve the quadric playground's script to the pages that hold one.

During the book build ``dql_teach.playground.playground(...)`` emits only a root element
(``<div data-dql-playground="...">``, see ``dql_teach/playground/host.py``). This extension

* writes the playground's script and style sheet once, as static files
  (``_static/dql/dql-playground.js`` and ``.css``, joined from the package's ES modules by
  ``dql_teach.playground.write_static_files``), and
* adds them (the script with ``defer``) to exactly the pages whose body holds such a root,
  so every other page loads nothing more.

The script is a classic one, not an ES module, because Chromium blocks module imports on a
page opened from disk (``file://``), which is how readers open the built book.
"""

from __future__ import annotations

from pathlib import Path

from dql_teach.playground import SCRIPT_NAME, STYLE_NAME, write_static_files

MARKER = "data-dql-playground"
FOLDER = "dql"  # under _static/, beside plotly.min.js (book/_ext/dql_assets.py)


def _write_assets(app) -> None:
    if app.builder.format == "html":
        write_static_files(Path(app.outdir) / "_static" / FOLDER)


def _add_to_page(app, pagename, templatename, context, doctree) -> None:
    # called per page: add_js_file/add_css_file here reach this page only
    if MARKER in (context.get("body") or ""):
        app.add_css_file(f"{FOLDER}/{STYLE_NAME}")
        app.add_js_file(f"{FOLDER}/{SCRIPT_NAME}", loading_method="defer")


def setup(app):
    app.connect("builder-inited", _write_assets)
    app.connect("html-page-context", _add_to_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
