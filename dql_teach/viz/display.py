"""Where figures and tables go: a notebook (Jupyter, Colab, VS Code) or the built book.

The version-specific parts (plotly's renderer in a kernel) live in :mod:`dql_teach.compat`;
this module uses them, and writes what figures say in text (polynomials, tables).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..compat import plotly_renderer
from .style import PLOTLY_CONFIG, PLOTLY_LAYOUTS

__all__ = ["conic_text", "markdown_table", "polynomial_text", "seed_table", "show"]

CONIC_MONOMIALS = ("x₁²", "x₁x₂", "x₂²", "x₁", "x₂", "")
"""The monomials of a conic, in the order of the polynomial's coefficients."""


def show(fig):
    """Display a plotly figure in a notebook, in a way that also works in the static book.

    During the book build (``DQL_BOOK_BUILD=1``) the figure is emitted as an HTML ``<div>``
    with no plotly.js inline (the book serves plotly.js once per page) and no autoplay, with
    the ``"book"`` layout of :data:`.style.PLOTLY_LAYOUTS`; in Jupyter, Colab and VS Code it
    uses plotly's normal renderer, as :func:`dql_teach.compat.plotly_renderer` picks it (on
    plotly 5 in Jupyter: without the 4.5 MB of plotly.js per figure). Both with
    :data:`.style.PLOTLY_CONFIG`.
    """
    if os.environ.get("DQL_BOOK_BUILD"):
        from IPython.display import HTML, display

        fig.update_layout(PLOTLY_LAYOUTS["book"])
        html = fig.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, auto_play=False,
            config=PLOTLY_CONFIG,
        )  # fmt: skip
        return display(HTML(html))
    return fig.show(renderer=plotly_renderer() or None, config=PLOTLY_CONFIG)


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
    from ..results import accuracy_gap, beats

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
                verdict = "within the spread"
                if beats(r, baseline, k) or beats(baseline, r, k):
                    verdict = "better" if gap.gap > 0 else "worse"
                row += [f"{gap.gap:+.1%} ± {gap.sem:.1%}".replace("-", "−"), verdict]
        rows.append(row)
    return markdown_table(header, rows)
