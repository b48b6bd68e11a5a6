"""Sphinx extension: real captions and readable tables in the episodes' pages.

* **Captions.** An episode captions a figure with a Markdown cell that starts
  ``**Figure N.M.**``, right after the figure's code cell (the notebook reads the same in
  Colab and Jupyter). Here that paragraph becomes the ``<figcaption>`` of a ``<figure>``
  (``id="figure-N-M"``) that holds the cell's output, a PNG or a plotly figure alike. The
  plotly figure's accessible name (``aria-label``) becomes the caption's first sentence in
  plain words, as the image's alt text is (``scripts/sync_notebooks.py`` writes it into the
  cell's metadata, ``mystnb.image.alt``), and an image without one gets it.
* **Dark pages.** A PNG with a transparent background (the library's matplotlib figures, see
  ``dql_teach.viz.style.MPL_RC``) is marked ``dql-transparent``, so the dark theme shows it
  without the light card it puts behind other images (``assets/dql-book.css``).
* **Tables.** A cell of at most :data:`SHORT` characters is marked ``dql-nowrap``: a table
  narrower than its content scrolls in its box instead of wrapping "(2, 0, 0)" one character
  per line.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from dql_teach.viz.text import caption_alt, plain_text

CAPTION = re.compile(r"^Figure (\d+)\.(\d+)\.?$")
SHORT = 24
ARIA = re.compile(r'(class="plotly-graph-div"[^>]*?aria-label=")[^"]*(")')


def _lead(paragraph: nodes.paragraph) -> int:
    """The index of the paragraph's first child that is not empty text."""
    for i, child in enumerate(paragraph.children):
        if not (isinstance(child, nodes.Text) and not child.astext().strip()):
            return i
    return len(paragraph.children)


def _caption_number(paragraph: nodes.paragraph) -> tuple[str, str] | None:
    lead = _lead(paragraph)
    first = paragraph.children[lead] if lead < len(paragraph.children) else None
    if isinstance(first, nodes.strong):
        match = CAPTION.match(first.astext().strip())
        if match:
            return match.group(1), match.group(2)
    return None


def _previous(node: nodes.Node) -> nodes.Node | None:
    parent = node.parent
    index = parent.index(node)
    for sibling in reversed(parent.children[:index]):
        if not isinstance(sibling, (nodes.comment, nodes.target)):
            return sibling
    return None


def _caption_words(paragraph: nodes.paragraph) -> str:
    """The caption's first sentence as plain words (its maths in Unicode, no TeX)."""
    parts = []
    for node in paragraph.children[_lead(paragraph) + 1 :]:
        if isinstance(node, nodes.math):
            parts.append(f"${node.astext()}$")
        else:
            parts.append(node.astext())
    return caption_alt("**Figure 0.0.** " + "".join(parts))


class FigureCaptions(SphinxPostTransform):
    """``**Figure N.M.** ...`` after a code cell: its output and that paragraph become a
    ``<figure>`` with a ``<figcaption>``."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for paragraph in list(self.document.findall(nodes.paragraph)):
            number = _caption_number(paragraph)
            if number is None or not isinstance(paragraph.parent, nodes.Element):
                continue
            cell = _previous(paragraph)
            if not (isinstance(cell, nodes.container) and cell.get("nb_element") == "cell_code"):
                continue
            outputs = [c for c in cell.children if c.get("nb_element") == "cell_code_output"]
            if not outputs:
                continue
            meta = cell.get("cell_metadata") or {}
            alt = ((meta.get("mystnb") or {}).get("image") or {}).get("alt")
            label = plain_text(alt) if alt else _caption_words(paragraph)
            figure = nodes.figure("", classes=["dql-captioned"], ids=[f"figure-{'-'.join(number)}"])
            output = outputs[-1]
            output.replace_self(figure)
            figure += output
            figure += nodes.caption("", "", *paragraph.children)
            paragraph.parent.remove(paragraph)
            self._name(figure, label)

    @staticmethod
    def _name(figure: nodes.figure, label: str) -> None:
        for raw in list(figure.findall(nodes.raw)):
            text = raw.astext()
            if "plotly-graph-div" in text:
                named = ARIA.sub(lambda m: m.group(1) + html.escape(label, quote=True)
                                 + m.group(2), text)  # fmt: skip
                raw.replace_self(nodes.raw("", named, format="html", classes=raw["classes"]))
        for image in figure.findall(nodes.image):
            if not image.get("alt"):
                image["alt"] = label


class TransparentImages(SphinxPostTransform):
    """Mark PNG outputs whose corners are transparent ``dql-transparent``."""

    default_priority = 901
    formats = ("html",)

    def run(self, **kwargs) -> None:
        from PIL import Image

        for image in self.document.findall(nodes.image):
            uri = image.get("uri", "")
            if not uri.endswith(".png"):
                continue
            # myst-nb's outputs are relative to the source folder, other images to the page
            path = Path(self.env.srcdir) / uri
            if not path.is_file():
                path = Path(self.env.relfn2path(uri, self.env.docname)[1])
            if not path.is_file():
                continue
            with Image.open(path) as picture:
                if picture.mode not in ("RGBA", "LA"):
                    continue
                alpha = picture.getchannel("A")
                w, h = picture.size
                corners = [alpha.getpixel(p) for p in ((0, 0), (w - 1, 0), (0, h - 1))]
            if max(corners) == 0:
                image["classes"].append("dql-transparent")


class ShortTableCells(SphinxPostTransform):
    """Mark table cells of at most :data:`SHORT` characters ``dql-nowrap``."""

    default_priority = 902
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for entry in self.document.findall(nodes.entry):
            if len(entry.astext().strip()) <= SHORT:
                entry["classes"].append("dql-nowrap")


def setup(app):
    app.add_post_transform(FigureCaptions)
    app.add_post_transform(TransparentImages)
    app.add_post_transform(ShortTableCells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
