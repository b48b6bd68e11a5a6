"""Figures of the book: decision surfaces, conics, 3-D quadrics, slider figures.

Three layers, as in TensorFlow Playground: functions ending in ``_grid``/``_points`` compute
numbers only; ``plot_*`` functions draw them (matplotlib, onto a given axis or a new one);
plotly functions return figures whose sliders switch between precomputed frames, so they stay
interactive in the static HTML book with no kernel. One palette (Okabe–Ito, colour-blind safe)
is used everywhere.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import torch
from contourpy import contour_generator
from matplotlib.colors import ListedColormap
from torch import Tensor, nn

from .quadric import as_quadric, classify_quadric, evaluate_quadric

__all__ = [
    "CLASS_COLORS",
    "PALETTE",
    "compare_decision_surfaces",
    "conic_points",
    "conic_slider_figure",
    "decision_grid",
    "level_set_points",
    "plot_conic",
    "plot_decision_surface",
    "quadric_surface_3d",
    "show",
    "slider_figure",
]

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency
PALETTE = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
CLASS_COLORS = (PALETTE["blue"], PALETTE["orange"])
"""Class 0 and class 1, in every figure of the book."""
_REGION_CMAP = ListedColormap(["#b9d3ea", "#f6d9a3"])  # light tints of the two class colours
BOUNDARY_COLOR = PALETTE["black"]


# --- numbers ---------------------------------------------------------------------------------
def _as_numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, Tensor) else np.asarray(t)


def _limits(X: Tensor | None, margin: float = 0.25) -> tuple[tuple, tuple]:
    if X is None or len(X) == 0:
        return (-1.5, 1.5), (-1.5, 1.5)
    lo, hi = X[:, :2].min(0).values.tolist(), X[:, :2].max(0).values.tolist()
    pad = [margin * max(h - low, 1e-3) for low, h in zip(lo, hi)]
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def decision_grid(
    model: nn.Module,
    xlim: tuple[float, float] = (-1.5, 1.5),
    ylim: tuple[float, float] = (-1.5, 1.5),
    resolution: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's decision function on a ``resolution x resolution`` grid.

    One batched forward pass on the model's device, no Python loop over points.

    Returns:
        ``xs (R,)``, ``ys (R,)`` and ``scores (R, R)``: the logit for a one-output model (its
        zero level is the boundary), else ``logit[1] - max(other logits)`` for class 1 vs the
        rest (for more classes: the winning class index as float).
    """
    param = next(iter(model.parameters()), None)
    device = param.device if param is not None else torch.device("cpu")
    dtype = param.dtype if param is not None else torch.float32
    xs = torch.linspace(*xlim, resolution, device=device, dtype=dtype)
    ys = torch.linspace(*ylim, resolution, device=device, dtype=dtype)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")  # (R, R), rows follow y
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], -1)  # (R*R, 2)
    with torch.no_grad():
        out = model(points)
    if out.ndim == 1 or out.shape[-1] == 1:
        scores = out.reshape(resolution, resolution)
    elif out.shape[-1] == 2:
        scores = (out[:, 1] - out[:, 0]).reshape(resolution, resolution)
    else:
        scores = out.argmax(-1).to(dtype).reshape(resolution, resolution)
    return _as_numpy(xs), _as_numpy(ys), _as_numpy(scores).astype(np.float64)


def conic_points(
    A, b, c, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), resolution: int = 200
) -> list[np.ndarray]:
    """Points of the curve ``x^T A x + b·x + c = 0`` inside the box, as polylines ``(P, 2)``.

    Traced on a grid with contourpy (what matplotlib's ``contour`` uses), so each point lies on
    the curve up to the grid's linear interpolation.
    """
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    gx, gy = np.meshgrid(xs, ys)
    pts = torch.tensor(np.stack([gx, gy], -1), dtype=torch.float64)
    A, b, c = (torch.as_tensor(v, dtype=torch.float64) for v in (A, b, c))
    z = evaluate_quadric(A, b, c, pts).numpy()
    if not np.all(np.isfinite(z)) or np.ptp(z) == 0:
        return []
    return [line for line in contour_generator(xs, ys, z).lines(0.0) if len(line) > 1]


def level_set_points(
    A, b, c, bounds: tuple[float, float] = (-1.5, 1.5), resolution: int = 40
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Exact points of the 3-D surface ``x^T A x + b·x + c = 0`` as gridded patches.

    For every axis, the other two coordinates run over a grid and the surface's points on that
    line solve a quadratic in the remaining coordinate: each root gives a patch ``(X, Y, Z)`` of
    shape ``(R, R)`` (NaN where there is no root inside the box). Together the patches cover
    the surface, whichever way it faces; every finite point lies on it to rounding.
    """
    A, b = np.asarray(_as_numpy(A), float), np.asarray(_as_numpy(b), float)
    c = float(_as_numpy(c))
    lo, hi = bounds
    grid = np.linspace(lo, hi, resolution)
    u, v = np.meshgrid(grid, grid)
    patches = []
    for axis in range(3):
        others = [i for i in range(3) if i != axis]
        # q along the line: a t^2 + beta t + gamma with t the coordinate `axis`
        a = A[axis, axis]
        beta = 2 * (A[axis, others[0]] * u + A[axis, others[1]] * v) + b[axis]
        p, q = others
        gamma = A[p, p] * u**2 + 2 * A[p, q] * u * v + A[q, q] * v**2 + b[p] * u + b[q] * v + c
        roots = []
        scale = max(1.0, np.abs(A).max(), np.abs(b).max())
        if abs(a) > 1e-9 * scale:
            disc = beta**2 - 4 * a * gamma
            sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
            roots += [(-beta + sq) / (2 * a), (-beta - sq) / (2 * a)]
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                lin = np.where(np.abs(beta) > 1e-12, -gamma / beta, np.nan)
            roots.append(lin)
        for t in roots:
            t = np.where((t >= lo) & (t <= hi), t, np.nan)
            if np.all(np.isnan(t)):
                continue
            coords = [None, None, None]
            coords[axis], coords[p], coords[q] = t, np.where(np.isnan(t), np.nan, u), v
            coords[q] = np.where(np.isnan(t), np.nan, v)
            patches.append(tuple(coords))
    return patches


# --- matplotlib ------------------------------------------------------------------------------
def _scatter(ax, X: Tensor, y: Tensor) -> None:
    Xn, yn = _as_numpy(X), _as_numpy(y)
    for label in np.unique(yn):
        color = CLASS_COLORS[int(label) % 2] if len(np.unique(yn)) <= 2 else None
        ax.scatter(
            *Xn[yn == label, :2].T, s=10, c=color, edgecolors="white", linewidths=0.3,
            label=f"class {int(label)}",
        )  # fmt: skip


def plot_decision_surface(
    model: nn.Module,
    X: Tensor | None = None,
    y: Tensor | None = None,
    ax=None,
    resolution: int = 200,
    title: str | None = None,
    xlim=None,
    ylim=None,
):
    """Filled decision regions, the boundary as a contour and the data, for a 2-D input model.

    A model whose outputs are NaN (a diverged run) still draws: the title says so.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    auto_x, auto_y = _limits(X)
    xlim, ylim = xlim or auto_x, ylim or auto_y
    xs, ys, scores = decision_grid(model, xlim, ylim, resolution)
    message = None
    if not np.all(np.isfinite(scores)):
        message = "model outputs NaN/inf: diverged?"
        scores = np.nan_to_num(scores, nan=0.0, posinf=1.0, neginf=-1.0)
    ax.contourf(xs, ys, (scores > 0).astype(float), levels=[-0.5, 0.5, 1.5], cmap=_REGION_CMAP)
    if scores.min() < 0 < scores.max():
        ax.contour(xs, ys, scores, levels=[0.0], colors=BOUNDARY_COLOR, linewidths=1.5)
    if X is not None and y is not None:
        _scatter(ax, X, y)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    if message or title:
        ax.set_title(" · ".join(s for s in (title, message) if s))
    return ax


def plot_conic(
    A, b, c, ax=None, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), resolution: int = 200, axes=True
):
    """The curve ``x^T A x + b·x + c = 0``, its two regions shaded, its type in the title.

    The principal axes (eigenvectors of ``A``) are drawn from the centre when it exists.
    Degenerate or non-finite coefficients still draw, with a message in the title.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    A, b, c = (torch.as_tensor(v, dtype=torch.float64) for v in (A, b, c))
    finite = bool(torch.isfinite(A).all() and torch.isfinite(b).all() and torch.isfinite(c))
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    if not finite:
        ax.set_title("coefficients are not finite: nothing to draw")
        return ax
    info = classify_quadric(A, b, c)
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    gx, gy = np.meshgrid(xs, ys)
    z = evaluate_quadric(A, b, c, torch.tensor(np.stack([gx, gy], -1))).numpy()
    ax.contourf(xs, ys, (z > 0).astype(float), levels=[-0.5, 0.5, 1.5], cmap=_REGION_CMAP)
    for line in conic_points(A, b, c, xlim, ylim, resolution):
        ax.plot(*line.T, color=BOUNDARY_COLOR, lw=2)
    if axes and info.rank == 2:
        center = torch.linalg.solve(A, -b / 2)
        half = 0.25 * (xlim[1] - xlim[0])
        for vec in info.eigenvectors.T:
            seg = torch.stack([center - half * vec, center + half * vec]).numpy()
            ax.plot(*seg.T, ls="--", lw=1, color=PALETTE["vermillion"])
    title = info.name
    if info.degenerate and info.name != "degenerate":
        title += " (degenerate)"
    if not any(len(x) for x in conic_points(A, b, c, xlim, ylim, resolution)):
        title += ": no curve in view"
    ax.set_title(title)
    return ax


def compare_decision_surfaces(
    models: dict[str, nn.Module], X: Tensor, y: Tensor, ncols: int | None = None, size=3.2
):
    """One panel per model, titled with its parameter count and accuracy on ``(X, y)``."""
    from .analysis import count_parameters
    from .train import evaluate

    ncols = ncols or len(models)
    nrows = math.ceil(len(models) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax, (name, model) in zip(axes.flat, models.items()):
        acc = evaluate(model, X, y)
        plot_decision_surface(
            model, X, y, ax=ax, title=f"{name}\n{count_parameters(model)} params, {acc:.0%}"
        )
    for ax in list(axes.flat)[len(models) :]:
        ax.axis("off")
    fig.tight_layout()
    return fig


# --- plotly ----------------------------------------------------------------------------------
def quadric_surface_3d(
    A, b, c, X: Tensor | None = None, y: Tensor | None = None, bounds=(-1.5, 1.5), resolution=40
) -> go.Figure:
    """A rotatable plotly figure of the 3-D surface ``x^T A x + b·x + c = 0`` and the data."""
    A, b, c = (torch.as_tensor(v, dtype=torch.float64) for v in (A, b, c))
    fig = go.Figure()
    finite = bool(torch.isfinite(A).all() and torch.isfinite(b).all() and torch.isfinite(c))
    title = "coefficients are not finite: nothing to draw"
    if finite:
        title = classify_quadric(A, b, c).name
        patches = level_set_points(A, b, c, bounds, resolution)
        for i, (px, py, pz) in enumerate(patches):
            fig.add_trace(
                go.Surface(
                    x=px, y=py, z=pz, showscale=False, opacity=0.75, name="q(x) = 0",
                    colorscale=[[0, PALETTE["green"]], [1, PALETTE["green"]]],
                    showlegend=i == 0, hoverinfo="skip",
                )
            )  # fmt: skip
        if not patches:
            title += ": no surface in view"
    if X is not None and y is not None:
        Xn, yn = _as_numpy(X), _as_numpy(y)
        for label in np.unique(yn):
            pts = Xn[yn == label]
            fig.add_trace(
                go.Scatter3d(
                    x=pts[:, 0], y=pts[:, 1], z=pts[:, 2], mode="markers",
                    marker={"size": 2, "color": CLASS_COLORS[int(label) % 2]},
                    name=f"class {int(label)}",
                )
            )  # fmt: skip
    rng = list(bounds)
    fig.update_layout(
        title=title,
        scene={"xaxis": {"range": rng}, "yaxis": {"range": rng}, "zaxis": {"range": rng},
               "aspectmode": "cube"},
        margin={"l": 0, "r": 0, "t": 40, "b": 0}, height=450,
    )  # fmt: skip
    return fig


def slider_figure(
    make_traces: Callable[[float], list],
    values: Sequence,
    label: str = "value",
    title: Callable[[float], str] | str | None = None,
    layout: dict | None = None,
    active: int = 0,
) -> go.Figure:
    """A plotly figure whose slider switches between precomputed frames.

    Args:
        make_traces: ``value -> list of plotly traces`` for one frame (same trace count and
            kinds in every frame).
        values: the slider's steps.
        label: the slider's name.
        title: a fixed title, or ``value -> title`` per frame.
        layout: extra layout (axis ranges: fix them, so frames compare).
        active: the step shown first.

    Works in a static page: each step's ``animate`` call swaps the data in the browser.
    """
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one slider step, got none")
    if not 0 <= active < len(values):
        raise ValueError(f"active must index values (0..{len(values) - 1}), got {active}")

    def frame_title(v):
        return title(v) if callable(title) else (title or "")

    frames = [
        go.Frame(data=make_traces(v), name=f"{i}", layout=go.Layout(title_text=frame_title(v)))
        for i, v in enumerate(values)
    ]
    fig = go.Figure(data=frames[active].data, frames=frames)
    steps = [
        {
            "label": _fmt(v),
            "method": "animate",
            "args": [
                [f"{i}"],
                {
                    "mode": "immediate",
                    "frame": {"duration": 0, "redraw": True},
                    "transition": {"duration": 0},
                },
            ],
        }  # fmt: skip
        for i, v in enumerate(values)
    ]
    fig.update_layout(
        title_text=frame_title(values[active]),
        sliders=[{"active": active, "steps": steps, "currentvalue": {"prefix": f"{label} = "},
                  "pad": {"t": 40}}],
        margin={"t": 50},
        **(layout or {}),
    )  # fmt: skip
    return fig


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def conic_slider_figure(
    coefficient: str = "f",
    values: Sequence[float] = tuple(np.linspace(-1.5, 0.5, 9)),
    base: tuple[float, ...] = (1.0, 0.0, 1.0, 0.0, 0.0, -1.0),
    lim: float = 2.0,
    resolution: int = 150,
) -> go.Figure:
    """Sweep one coefficient of ``a x² + b xy + c y² + d x + e y + f = 0``; each frame shows the
    curve and names its type."""
    from .quadric import conic_coefficients_to_quadric

    names = "abcdef"
    if coefficient not in names:
        raise ValueError(f"coefficient must be one of {list(names)}, got {coefficient!r}")
    index = names.index(coefficient)

    def coefficients(v):
        return tuple(v if i == index else x for i, x in enumerate(base))

    def traces(v):
        lines = conic_points(*conic_coefficients_to_quadric(*coefficients(v)), (-lim, lim),
                             (-lim, lim), resolution)  # fmt: skip
        xs, ys = [], []
        for line in lines:  # one trace, polylines separated by None
            xs += line[:, 0].tolist() + [None]
            ys += line[:, 1].tolist() + [None]
        return [go.Scatter(x=xs, y=ys, mode="lines", line={"color": BOUNDARY_COLOR, "width": 3},
                           name="boundary")]  # fmt: skip

    def title(v):
        a, b_, c_, d, e, f = coefficients(v)
        name = classify_quadric(*conic_coefficients_to_quadric(*coefficients(v))).name
        return f"{a:.2g}x² {b_:+.2g}xy {c_:+.2g}y² {d:+.2g}x {e:+.2g}y {f:+.2g} = 0: {name}"

    axis = {"range": [-lim, lim], "zeroline": True}
    return slider_figure(
        traces, list(values), label=coefficient, title=title,
        layout={"xaxis": {**axis, "title": "x"}, "yaxis": {**axis, "title": "y",
                "scaleanchor": "x"}, "height": 520, "width": 560},
    )  # fmt: skip


def show(fig: go.Figure):
    """Display a plotly figure in a notebook, in a way that also works in the static book.

    During the book build (``DQL_BOOK_BUILD=1``) the figure is emitted as an HTML ``<div>``
    with no plotly.js inline (the book serves plotly.js once per page) and no autoplay; in
    Jupyter, Colab and VS Code it uses plotly's normal renderer.
    """
    if os.environ.get("DQL_BOOK_BUILD"):
        from IPython.display import HTML, display

        html = fig.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, auto_play=False
        )
        return display(HTML(html))
    return fig.show()


def quadric_of(module: nn.Module, index: int = 0) -> tuple[Tensor, Tensor, Tensor]:
    """``(A, b, c)`` of one neuron of a layer, for the plotting functions."""
    A, b, c = as_quadric(module)
    return A[index], b[index], c[index]
