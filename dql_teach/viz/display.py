"""Where figures and tables go: a notebook (Jupyter, Colab, VS Code) or the built book.

The version-specific parts (plotly's renderer in a kernel) live in :mod:`dql_teach.compat`;
this module uses them, and writes what figures say in text (polynomials, tables).
"""

from __future__ import annotations

import html
import os
import re
import uuid
from collections.abc import Sequence
from typing import Any

from ..compat import plotly_renderer
from .style import DARK_COLORS, PLOTLY_LAYOUTS, PLOTLY_TEMPLATE, plotly_config

__all__ = [
    "conic_text",
    "figure_html",
    "markdown_table",
    "polynomial_text",
    "seed_table",
    "show",
    "signed_numbers",
]

CONIC_MONOMIALS = ("x₁²", "x₁x₂", "x₂²", "x₁", "x₂", "")
"""The monomials of a conic, in the order of the polynomial's coefficients."""

_WEBGL_3D = {"mesh3d", "scatter3d", "surface", "isosurface", "volume", "cone", "streamtube"}
SIGNIFICANT_DIGITS = 4
"""Digits kept of the numbers of a figure's traces in the built book (lists of floats; number
arrays are sent as float32): far below what a reader can see, a third of the bytes."""


def show(fig):
    """Display a plotly figure in a notebook, in a way that also works in the static book.

    Every figure gets the book's slim template (:data:`.style.PLOTLY_TEMPLATE`, instead of
    plotly's own default one) and no drag-to-zoom where it did not ask for one (a swipe over
    it scrolls the page on a phone), and a 3-D one no hover labels (their picking stalls the
    GPU at every mouse move). During the book build (``DQL_BOOK_BUILD=1``) the figure
    becomes :func:`figure_html`: its data as JSON, which the book's figure script
    (``book/_ext/assets/dql-figures.js``) draws once plotly.js has loaded; in Jupyter, Colab and
    VS Code it uses plotly's normal renderer, as :func:`dql_teach.compat.plotly_renderer`
    picks it (on plotly 5 in Jupyter: without the 4.5 MB of plotly.js per figure). Both with
    :func:`.style.plotly_config`.
    """
    fig.layout.template = PLOTLY_TEMPLATE  # replaced, not merged into plotly's default
    if fig.layout.dragmode is None:
        fig.update_layout(dragmode=False)
    if fig.layout.hovermode is None and any(t.type in _WEBGL_3D for t in fig.data):
        fig.update_layout(hovermode=False)  # see PLOTLY_LAYOUTS["scene"]
    if os.environ.get("DQL_BOOK_BUILD"):
        from IPython.display import HTML, display

        return display(HTML(figure_html(fig)))
    return fig.show(renderer=plotly_renderer() or None, config=plotly_config())


def figure_html(fig, label: str | None = None) -> str:
    """The built book's HTML for a plotly figure: a ``<div>`` of the figure's height and its
    data as ``<script type="application/json">``, drawn by the book's figure script.

    No inline JavaScript, so plotly.js can load with ``defer`` (the page paints first);
    the numbers of the traces keep :data:`SIGNIFICANT_DIGITS` digits (arrays as float32, indices
    in the smallest integer type); a slider figure's first data is not sent twice (the script
    takes it from the active frame); the div gets ``role="figure"`` and ``label`` (default:
    the figure's title, as plain text) as its accessible name, which the book replaces by the
    caption's first sentence.
    """
    from plotly.io.json import to_json_plotly

    fig.update_layout(PLOTLY_LAYOUTS["book"])
    spec = fig.to_plotly_json()
    spec["data"] = [_compact(trace) for trace in spec.get("data", [])]
    frames = spec.get("frames") or []
    for frame in frames:
        frame["data"] = [_compact(trace) for trace in frame.get("data", [])]
    sliders = spec["layout"].get("sliders") or []
    if frames and sliders:
        active = sliders[0].get("active") or 0
        name = _step_frame(sliders[0], active)
        match = [f for f in frames if f.get("name") == name]
        if match and to_json_plotly(match[0]["data"]) == to_json_plotly(spec["data"]):
            spec["data"], spec["dataFrame"] = None, name
    spec["config"] = plotly_config(book=True)
    spec["dark"] = DARK_COLORS
    height = int(spec["layout"].get("height") or 450)
    uid = str(uuid.uuid4())
    if label is None:
        label = _plain(_title(spec["layout"])) or "interactive figure"
    data = to_json_plotly(spec).replace("</", "<\\/")  # no "</script>" inside the script
    return (
        f'<div class="dql-figure" style="min-height:{height}px">'
        f'<div id="{uid}" class="plotly-graph-div" role="figure" '
        f'aria-label="{html.escape(label, quote=True)}" style="height:{height}px; width:100%;">'
        f'</div><script type="application/json" data-dql-plotly="{uid}">{data}</script></div>'
    )


def _step_frame(slider: dict, index: int) -> str | None:
    steps = slider.get("steps") or []
    try:
        args = steps[index]["args"]
        return str(args[0][0]) if steps[index].get("method") == "animate" else None
    except (IndexError, KeyError, TypeError):
        return None


def _title(layout: dict) -> str:
    title = layout.get("title")
    return (title.get("text") if isinstance(title, dict) else title) or ""


def _plain(text: str) -> str:
    """A title as plain words: ``<br>`` a space, other tags and ``$`` dropped."""
    text = re.sub(r"<br\s*/?>", " ", str(text))
    text = re.sub(r"<[^>]+>|\$", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _compact(value: Any) -> Any:
    """The numbers of a trace (as ``to_plotly_json`` gives it) with fewer bytes: float arrays
    as float32, integer arrays in the smallest type that holds them, lists of floats rounded to
    :data:`SIGNIFICANT_DIGITS` significant digits (``None`` gaps kept)."""
    import numpy as np

    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return value.astype(np.float32)
        if value.dtype.kind in "iu" and value.size:
            low, high = int(value.min()), int(value.max())
            for kind in (np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32):
                info = np.iinfo(kind)
                if info.min <= low and high <= info.max:
                    return value.astype(kind)
        return value
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, float) for v in value) and all(
            v is None or isinstance(v, (int, float)) for v in value
        ):
            return [_round(v) for v in value]
        return [_compact(v) for v in value]
    return value


def _round(v):
    if isinstance(v, float) and v == v and abs(v) != float("inf"):
        return float(f"{v:.{SIGNIFICANT_DIGITS}g}")
    return v


def polynomial_text(coefficients: Sequence[float], monomials: Sequence[str]) -> str:
    """A polynomial as a reader writes it: zero terms dropped, unit coefficients bare.

    Example:
        >>> polynomial_text((1, 0, -1, 0, 0, 0.25), ("x²", "xy", "y²", "x", "y", ""))
        'x² − y² + 0.25'
    """
    terms = []
    for value, monomial in zip(coefficients, monomials):
        value = float(value)
        if value == 0:
            continue
        size = "" if abs(value) == 1 and monomial else f"{abs(value):.3g}"
        terms.append(("−" if value < 0 else "+", size + monomial))
    if not terms:
        return "0"
    sign, first = terms[0]
    return ("−" if sign == "−" else "") + first + "".join(f" {s} {t}" for s, t in terms[1:])


def conic_text(
    a11: float, a12: float, a22: float, b1: float = 0.0, b2: float = 0.0, c: float = 0.0
) -> str:
    """The conic of :func:`dql_teach.conic_to_quadric`'s coefficients as the usual
    polynomial: the coefficient of ``x₁x₂`` is ``2 a12``.

    Example:
        >>> conic_text(1, 0.25, 2, c=-1)
        'x₁² + 0.5x₁x₂ + 2x₂² − 1'
    """
    return polynomial_text((a11, 2 * a12, a22, b1, b2, c), CONIC_MONOMIALS)


def signed_numbers(values, digits: int = 3) -> str:
    """Numbers with their sign, comma-separated, for tables: ``+1.000, -0.500`` (``-0.000``
    reads ``+0.000``).

    Example:
        >>> signed_numbers([1.0, -0.5, -1e-9])
        '+1.000, -0.500, +0.000'
    """
    values = values.tolist() if hasattr(values, "tolist") else list(values)
    zero = f"{0:.{digits}f}"
    return ", ".join(f"{v:+.{digits}f}".replace(f"-{zero}", f"+{zero}") for v in values)


def markdown_table(header: Sequence[object], rows: Sequence[Sequence[object]]):
    """A table as Markdown, displayed as such in Jupyter, Colab and the built book alike.

    Args:
        header: the column titles; rows: one sequence of cells per row, each as long as
            ``header``. Cells are turned into text with ``str``; Markdown and ``$math$`` in
            them are kept, a ``|`` is escaped.

    Returns:
        An ``IPython.display.Markdown`` object (its ``.data`` is the Markdown text).

    Example:
        >>> print(markdown_table(["form", "parameters"], [["linear", 3]]).data)
        | form | parameters |
        | --- | --- |
        | linear | 3 |
    """
    from IPython.display import Markdown

    header = list(header)
    lines = [header, ["---"] * len(header)]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"row {i} has {len(row)} cells, the header {len(header)}")
        lines.append(row)

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    return Markdown("\n".join("| " + " | ".join(map(cell, line)) + " |" for line in lines))


def seed_table(results: Sequence, baseline=None, k: float = 2.0):
    """Results over seeds as a Markdown table: one row per :class:`dql_teach.SeedResult`.

    Columns: the name, the parameter count, the training accuracy (of the last epoch, as
    :class:`dql_teach.History` records it, mean over the seeds), the test accuracy (mean ±
    standard deviation over the seeds) and the worst seed's. With ``baseline`` (one of the
    results or another one run on the same seeds), two more: the gap to it (mean ± standard
    error, paired by seed: :func:`dql_teach.accuracy_gap`) and the verdict of
    :func:`dql_teach.beats` with ``k`` standard errors: ``better``, ``worse`` or ``within the
    spread``.

    Example:
        >>> from dql_teach import SeedResult
        >>> a = SeedResult("a", 5, 0, seeds=[0, 1, 2], accuracies=[0.9, 0.8, 1.0])
        >>> b = SeedResult("b", 3, 0, seeds=[0, 1, 2], accuracies=[0.6, 0.5, 0.6])
        >>> print(seed_table([a, b], baseline=a).data.splitlines()[3])
        | b | 3 | – | 56.7% ± 5.8% | 50.0% | −33.3% ± 3.3% | worse |
    """
    from ..results import accuracy_gap

    results = list(results)
    if not results:
        raise ValueError("results must hold at least one SeedResult, got none")
    seeds = {r.n_seeds for r in results}
    runs = f", {seeds.pop()} seeds" if len(seeds) == 1 else ""
    header = ["model", "parameters", "training accuracy", f"test accuracy (mean ± sd{runs})",
              "worst seed"]  # fmt: skip
    if baseline is not None:
        header += [f"gap to {baseline.name} (± s.e.)", f"beyond {k:g} s.e.?"]
    rows = []
    for r in results:
        train = [h.final_accuracy for h in r.histories]
        row = [r.name, r.params, f"{sum(train) / len(train):.1%}" if train else "–",
               f"{r.mean:.1%} ± {r.std:.1%}", f"{r.min:.1%}"]  # fmt: skip
        if baseline is not None:
            if r is baseline:
                row += ["–", "–"]
            else:
                gap = accuracy_gap(r, baseline)
                row += [str(gap).replace("-", "−"), gap.verdict(k)]
        rows.append(row)
    return markdown_table(header, rows)
