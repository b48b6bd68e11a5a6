"""matplotlib figures: decision surfaces, conics, and panels of several models.

Each ``plot_*`` function draws onto a given axis (or a new one) from the numbers of
:mod:`.grids`; colours, markers and text sizes come from :mod:`.style`. Figures made here are
created under :data:`.style.MPL_RC` (``plt.rc_context``: nothing global changes) and are at most
:data:`.style.COLUMN_WIDTH_IN` wide, so their text is at least 9 pt at the book's column width;
:func:`subplots` gives a notebook the same.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from cycler import cycler
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
from torch import Tensor, nn

from .._checks import check_int, check_number
from ..quadric import classify_quadric
from .grids import _check_data, _finite, _quadric_tensors, conic_grid, data_limits, decision_grid
from .style import (
    AXIS_COLOR,
    BOUNDARY_COLOR,
    CLASS_COLORS,
    CLASS_MARKERS,
    COLUMN_WIDTH_IN,
    MPL_RC,
    REGION_TINTS,
    SERIES_COLORS,
    XLABEL,
    YLABEL,
)

__all__ = [
    "book_style",
    "compare_decision_surfaces",
    "plot_conic",
    "plot_data",
    "plot_decision_panels",
    "plot_decision_surface",
    "subplots",
]

_REGION_CMAP = ListedColormap(list(REGION_TINTS))
_MORE_MARKERS = ("s", "D", "v", "P", "X")  # beyond two classes


def book_style():
    """A context manager: matplotlib's settings for the book's figures (:data:`.style.MPL_RC`,
    the series colours without black, which a dark page would hide), for this block only."""
    return plt.rc_context({**MPL_RC, "axes.prop_cycle": cycler(color=list(SERIES_COLORS[1:]))})


def _style_axes(ax) -> None:
    """What the rc context cannot reach: tick labels are created lazily, when the figure is
    drawn (after the context), so their size and colour are set on the axes itself."""
    ax.tick_params(labelsize=MPL_RC["xtick.labelsize"], colors=MPL_RC["xtick.color"],
                   labelcolor=MPL_RC["xtick.color"])  # fmt: skip


def subplots(nrows: int = 1, ncols: int = 1, *, size: float = 3.6, aspect: float = 1.0, **kwargs):
    """``plt.subplots`` for the book: panels ``size`` inches wide (``aspect`` = height/width),
    shrunk so the figure is at most :data:`.style.COLUMN_WIDTH_IN` wide, drawn with
    :func:`book_style`; the text stays at least 9 pt (12 px) at the book's column width.

    Example:
        >>> fig, axes = subplots(2, 2, size=3.0)
        >>> fig.get_size_inches().tolist(), axes.shape
        ([6.0, 6.0], (2, 2))
        >>> plt.close(fig)
    """
    nrows = check_int("nrows", nrows, minimum=1)
    ncols = check_int("ncols", ncols, minimum=1)
    size = min(check_number("size", size, minimum=0, exclusive_minimum=True),
               COLUMN_WIDTH_IN / ncols)  # fmt: skip
    kwargs.setdefault("figsize", (size * ncols, size * aspect * nrows))
    with book_style():
        fig, axes = plt.subplots(nrows, ncols, **kwargs)
    for ax in np.atleast_1d(axes).flat:
        _style_axes(ax)
    return fig, axes


def _own_axes(ax, figsize=(4, 4)):
    """``ax``, or the axes of a new figure in the book's style."""
    if ax is not None:
        return ax
    return subplots(size=figsize[0], aspect=figsize[1] / figsize[0])[1]


def _shade_regions(ax, xs: np.ndarray, ys: np.ndarray, positive: np.ndarray) -> None:
    """Tint ``q > 0`` and ``q < 0`` (``positive (R, R)`` bool) with the two class colours.

    An image, not ``contourf``: a slider redraw stays well under 50 ms.
    """
    extent = (xs[0], xs[-1], ys[0], ys[-1])
    ax.imshow(
        positive.astype(float), extent=extent, origin="lower", cmap=_REGION_CMAP, vmin=0, vmax=1,
        interpolation="nearest", aspect="auto", zorder=0,
    )  # fmt: skip


def plot_data(X: Tensor, y: Tensor, ax=None):
    """The points of a 2-D dataset, ``X (N, 2)``, by ``y (N,)`` in the class colours and
    shapes (:data:`.style.CLASS_MARKERS`: the class shows without its colour too; matplotlib's
    colour cycle and more shapes for more than two classes)."""
    Xn, yn = _check_data(X, y, 2, "plot_data")
    ax = _own_axes(ax)
    labels = np.unique(yn)
    markers = CLASS_MARKERS + _MORE_MARKERS
    with book_style():
        for i, label in enumerate(labels):
            two = len(labels) <= 2
            color = CLASS_COLORS[int(label) % 2] if two else None
            marker = markers[int(label) % 2] if two else markers[i % len(markers)]
            ax.scatter(
                *Xn[yn == label, :2].T, s=14 if marker == "o" else 18, c=color, marker=marker,
                edgecolors="white", linewidths=0.3, label=f"class {int(label)}",
            )  # fmt: skip
    return ax


def plot_decision_surface(
    model: nn.Module,
    X: Tensor | None = None,
    y: Tensor | None = None,
    ax=None,
    resolution: int = 200,
    title: str | None = None,
    xlim=None,
    ylim=None,
    grid: tuple | None = None,
):
    """Filled decision regions, the boundary as a contour and the data, for a 2-D input model.

    Args:
        model: maps ``(N, 2)`` inputs to one logit, or to one logit per class.
        X, y: ``(N, 2)`` points and ``(N,)`` labels to draw (optional); ``X`` also sets the
            limits unless ``xlim``/``ylim`` are given.
        grid: the result of :func:`.grids.decision_grid`, to redraw without evaluating the
            model again (a widget whose model did not change).

    A model whose outputs are NaN (a diverged run) still draws: the title says so.
    """
    if X is not None and y is not None:
        _check_data(X, y, 2, "plot_decision_surface")
    ax = _own_axes(ax)
    if grid is None:
        auto_x, auto_y = data_limits(X)
        xlim, ylim = xlim or auto_x, ylim or auto_y
        grid = decision_grid(model, xlim, ylim, resolution)
    xs, ys, scores = grid
    xlim, ylim = (xs[0], xs[-1]), (ys[0], ys[-1])
    message = None
    if not np.all(np.isfinite(scores)):
        message = "model outputs NaN/inf: diverged?"
        scores = np.nan_to_num(scores, nan=0.0, posinf=1.0, neginf=-1.0)
    _shade_regions(ax, xs, ys, scores > 0)
    if scores.min() < 0 < scores.max():
        ax.contour(xs, ys, scores, levels=[0.0], colors=BOUNDARY_COLOR, linewidths=1.5)
    if X is not None and y is not None:
        plot_data(X, y, ax=ax)
    with book_style():
        ax.set(xlim=xlim, ylim=ylim, xlabel=XLABEL, ylabel=YLABEL, aspect="equal")
        if message or title:
            ax.set_title(" · ".join(s for s in (title, message) if s))
    _style_axes(ax)
    return ax


def plot_decision_panels(
    models: Mapping[str, nn.Module] | Sequence[nn.Module],
    data: tuple[Tensor, Tensor] | Sequence[tuple[Tensor, Tensor]],
    titles: Sequence[str] | None = None,
    title_format: str = "{title}, {accuracy:.0%}",
    ncols: int | None = None,
    size: float = 3.2,
    resolution: int = 200,
    xlim=None,
    ylim=None,
):
    """A grid of decision surfaces, one panel per trained model, row by row.

    Args:
        models: ``{title: model}``, or a sequence of models with ``titles``.
        data: one ``(X, y)`` for every panel, or one per panel (a model trained on rotated
            inputs is drawn on those).
        titles: one per model, when ``models`` is a sequence.
        title_format: each panel's title, with ``{title}``, ``{accuracy}`` (on the panel's
            data, a fraction) and ``{params}`` (the model's parameter count).
        ncols: panels per row; default: all in one row up to three, four as 2 x 2, more in
            rows of three.
        size: inches per panel, at most :data:`.style.COLUMN_WIDTH_IN` / ``ncols``.
        resolution, xlim, ylim: of every panel, as in :func:`plot_decision_surface`.

    Returns:
        The matplotlib figure; ``fig.axes[i]`` is panel ``i`` (draw more onto it).

    Example:
        >>> import dql_teach as dql
        >>> X, y = dql.make_dataset("circles", 100)
        >>> fig = plot_decision_panels({"linear": nn.Linear(2, 1)}, (X, y), resolution=20)
        >>> fig.axes[0].get_title().startswith("linear, ")
        True
    """
    from .. import count_parameters, evaluate

    if isinstance(models, Mapping):
        if titles is not None:
            raise TypeError("titles must be None when models is a mapping {title: model}")
        titles, models = list(models), list(models.values())
    else:
        models = list(models)
        titles = [""] * len(models) if titles is None else list(titles)
    if not models:
        raise ValueError("models must hold at least one model, got none")
    if len(titles) != len(models):
        raise ValueError(f"titles must have one entry per model ({len(models)}), got {len(titles)}")
    if isinstance(data, (tuple, list)) and len(data) == 2 and hasattr(data[0], "ndim"):
        data = [data] * len(models)
    data = list(data)
    if len(data) != len(models):
        raise ValueError(
            f"data must be one (X, y) or one per model ({len(models)}), got {len(data)} pairs"
        )
    ncols = check_int("ncols", ncols or _default_columns(len(models)), minimum=1)
    nrows = math.ceil(len(models) / ncols)
    fig, axes = subplots(nrows, ncols, size=size, squeeze=False)
    for ax, model, title, (X, y) in zip(axes.flat, models, titles, data):
        _check_data(X, y, 2, "plot_decision_panels")
        text = title_format.format(
            title=title, accuracy=evaluate(model, X, y), params=count_parameters(model)
        )
        text = _wrap(text, fig.get_figwidth() / ncols)
        plot_decision_surface(model, X, y, ax=ax, resolution=resolution, title=text,
                              xlim=xlim, ylim=ylim)  # fmt: skip
    for ax in list(axes.flat)[len(models) :]:
        ax.axis("off")
    with book_style():
        fig.tight_layout()
    return fig


def _wrap(title: str, inches: float) -> str:
    """A panel title in lines that fit the panel (about 0.55 em per character)."""
    per_line = max(8, int(inches * 72 / (0.55 * MPL_RC["axes.titlesize"])))
    return "\n".join(textwrap.fill(line, per_line) for line in title.split("\n"))


def _default_columns(panels: int) -> int:
    # 1 x 4 panels at the column's width are too small to read: 2 x 2
    return panels if panels <= 3 else 2 if panels == 4 else 3


def compare_decision_surfaces(
    models: Mapping[str, nn.Module], X: Tensor, y: Tensor, ncols: int | None = None, size=3.2
):
    """One panel per model on the same data, titled with its parameter count and accuracy.

    :func:`plot_decision_panels` with one ``(X, y)`` (its default ``ncols``).
    """
    if not isinstance(models, Mapping) or not models:
        raise ValueError(f"models must be a non-empty dict {{name: model}}, got {models!r}")
    return plot_decision_panels(
        models, (X, y), title_format="{title}\n{params} params, {accuracy:.0%}",
        ncols=ncols, size=size,
    )  # fmt: skip


def plot_conic(
    A,
    b,
    c,
    ax=None,
    xlim=(-2.0, 2.0),
    ylim=(-2.0, 2.0),
    resolution: int = 200,
    axes: bool = True,
    legend: bool = True,
):
    """The curve ``x^T A x + b·x + c = 0``, its two regions shaded, its type in the title.

    ``A (2, 2)``, ``b (2,)``, ``c ()`` (``b``, ``c``: ``None`` for zero). The region ``q > 0``
    is tinted orange (class 1), ``q < 0`` blue (class 0). The principal axes (eigenvectors of
    ``A``) are drawn dashed through the centre when there is one (ellipse, hyperbola); a small
    legend says which tint is which. Degenerate, huge, tiny or non-finite coefficients still
    draw, with a message in the title.
    """
    A64, b64, c64 = _quadric_tensors(A, b, c, 2, "plot_conic")
    xs, ys, z, lines = conic_grid(A, b, c, xlim, ylim, resolution)  # checks the rest
    ax = _own_axes(ax)
    with book_style():
        _draw_conic(ax, A, b, c, A64, b64, c64, xs, ys, z, lines, xlim, ylim, axes, legend)
    _style_axes(ax)
    return ax


def _draw_conic(ax, A, b, c, A64, b64, c64, xs, ys, z, lines, xlim, ylim, axes, legend):
    ax.set(xlim=xlim, ylim=ylim, xlabel=XLABEL, ylabel=YLABEL, aspect="equal")
    if not _finite(A64, b64, c64):
        ax.set_title("coefficients are not finite: nothing to draw")
        return
    info = classify_quadric(A, b64 if b is None else b, c64 if c is None else c)
    if info.name == "zero everywhere":  # no side is q > 0 or q < 0: leave the plane untinted
        ax.set_facecolor("#eeeeee")
    else:
        _shade_regions(ax, xs, ys, z > 0)
    for line in lines:  # a single point is a point q only touches (x² + y² = 0)
        ax.plot(*line.T, "o" if len(line) == 1 else "-", color=BOUNDARY_COLOR, lw=2, ms=6)
    if axes and info.rank == 2:
        center = torch.linalg.solve((A64 + A64.T) / 2, -b64 / 2)
        half = 0.25 * (xlim[1] - xlim[0])
        for vec in info.eigenvectors.double().T:
            seg = torch.stack([center - half * vec, center + half * vec]).numpy()
            ax.plot(*seg.T, ls="--", lw=1, color=AXIS_COLOR)
    if legend:  # which tint is which side: the two classes the neuron separates
        handles = [
            Patch(color=_REGION_CMAP(1.0), label="q(x) > 0"),
            Patch(color=_REGION_CMAP(0.0), label="q(x) < 0"),
        ]
        ax.legend(handles=handles, loc="lower right")
    ax.set_title(_conic_title(info, z, lines, xlim, ylim))


def _conic_title(info, z: np.ndarray, lines: list, xlim=None, ylim=None) -> str:
    title = info.name
    if info.degenerate and info.name not in ("degenerate", "empty", "no curve", "zero everywhere"):
        title += " (degenerate)"
    if info.name == "zero everywhere":
        return title + ": all coefficients 0"
    if info.empty or np.ptp(z) == 0:
        sign = ">" if z.mean() > 0 else "<" if z.mean() < 0 else "="
        return title + f": q {sign} 0 everywhere, one region"
    if not lines:
        return title + ": no curve in view"
    if xlim is not None and info.name in ("ellipse", "circle"):
        pts = np.concatenate([np.asarray(line, float) for line in lines])
        if (np.isclose(pts[:, :1], np.asarray(xlim, float)).any()
                or np.isclose(pts[:, 1:], np.asarray(ylim, float)).any()):  # fmt: skip
            return title + ", cut by the window"
    return title
