"""Figures of the book: decision surfaces, conics, 3-D quadrics, slider figures.

Three layers, as in TensorFlow Playground: functions ending in ``_grid``/``_points`` compute
numbers only; ``plot_*`` functions draw them (matplotlib, onto a given axis or a new one);
plotly functions return figures whose sliders switch between precomputed frames, so they stay
interactive in the static HTML book with no kernel. One palette (Okabe–Ito, colour-blind safe)
is used everywhere.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import torch
from contourpy import contour_generator
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
from torch import Tensor, nn

from .compat import plotly_renderer
from .quadric import as_quadric, classify_quadric

__all__ = [
    "CLASS_COLORS",
    "PALETTE",
    "compare_decision_surfaces",
    "conic_points",
    "conic_slider_figure",
    "conic_trace",
    "data_traces",
    "decision_grid",
    "level_set_mesh",
    "markdown_table",
    "polynomial_text",
    "plot_conic",
    "plot_decision_surface",
    "quadric_of",
    "quadric_slider_figure",
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
AXIS_COLOR = PALETTE["vermillion"]
# plain Unicode, not "$x_1$": mathtext parsing was a third of a widget's redraw time
XLABEL, YLABEL = "x₁", "x₂"


# --- numbers ---------------------------------------------------------------------------------
def _as_numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, Tensor) else np.asarray(t)


def _normalised(A: Tensor, b: Tensor, c: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``(A, b, c) / max|coefficient|``: the same curve, with no overflow or underflow.

    ``q = 0`` does not change when ``q`` is scaled, so huge (1e30) and tiny (1e-30) coefficients
    draw and classify like ordinary ones.
    """
    scale = max(float(A.abs().max()), float(b.abs().max()), float(c.abs().max()))
    if scale == 0 or not math.isfinite(scale):
        return A, b, c
    return A / scale, b / scale, c / scale


def _classified(A: Tensor, b: Tensor, c: Tensor, tol: float):
    """The same quadric scaled by :func:`_normalised`, and its :class:`QuadricInfo`: scaled
    first, because the tolerance for a zero eigenvalue is relative only above magnitude 1, so
    tiny coefficients would otherwise all count as zero. Every figure classifies through here."""
    A, b, c = _normalised(A, b, c)
    return A, b, c, classify_quadric(A, b, c, tol=tol)


def _float64(A, b, c) -> tuple[Tensor, Tensor, Tensor, float]:
    """``(A, b, c)`` in float64 for drawing, and the classification tolerance of their own dtype:
    a rank-one ``A`` computed in float32 has a rounding-size second eigenvalue that must still
    count as zero (a low-rank neuron must not be called an ellipse)."""
    dtypes = [v.dtype for v in (A, b, c) if isinstance(v, Tensor) and v.is_floating_point()]
    eps = max((torch.finfo(d).eps for d in dtypes), default=torch.finfo(torch.float64).eps)
    if any(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in (A, b, c)):
        eps = max(eps, float(np.finfo(np.float32).eps))
    A, b, c = (torch.as_tensor(v, dtype=torch.float64) for v in (A, b, c))
    return A, b, c, 100 * eps


def _finite(*tensors: Tensor) -> bool:
    return all(bool(torch.isfinite(t).all()) for t in tensors)


def _shade_regions(ax, xs: np.ndarray, ys: np.ndarray, positive: np.ndarray) -> None:
    """Tint ``q > 0`` and ``q < 0`` (``positive (R, R)`` bool) with the two class colours.

    An image, not ``contourf``: a slider redraw stays well under 50 ms.
    """
    extent = (xs[0], xs[-1], ys[0], ys[-1])
    ax.imshow(
        positive.astype(float), extent=extent, origin="lower", cmap=_REGION_CMAP, vmin=0, vmax=1,
        interpolation="nearest", aspect="auto", zorder=0,
    )  # fmt: skip


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

    Traced on a ``resolution x resolution`` grid with contourpy (what matplotlib's ``contour``
    uses), so each point lies on the curve up to the grid's linear interpolation. Empty when
    the curve misses the box or the coefficients are not finite.
    """
    return _conic_grid(A, b, c, xlim, ylim, resolution)[3]


def _touching_set(A: Tensor, b: Tensor, info, xlim, ylim) -> list[np.ndarray]:
    """The zero set of a conic that ``q`` only touches (a point, a double line): contours of a
    sign change cannot find it, so it is computed. ``[]`` for every other conic."""
    if info.name == "point":
        return [torch.linalg.solve((A + A.T) / 2, -b / 2).numpy()[None]]
    if info.name == "double line":
        k = int(info.eigenvalues.abs().argmax())
        lam, normal = info.eigenvalues[k], info.eigenvectors[:, k]  # q = lam (n·x - t0)^2
        t0 = float(-(b @ normal) / (2 * lam))
        span = 2 * max(abs(xlim[1] - xlim[0]), abs(ylim[1] - ylim[0]))
        along = torch.stack([-normal[1], normal[0]])
        return [torch.stack([t0 * normal - span * along, t0 * normal + span * along]).numpy()]
    return []


def _conic_grid(A, b, c, xlim, ylim, resolution):
    """``xs (R,)``, ``ys (R,)``, ``q (R, R)`` on the grid (rows follow y) and the curve's
    polylines; ``q`` is ``None`` for non-finite coefficients."""
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    A, b, c = (torch.as_tensor(v, dtype=torch.float64) for v in (A, b, c))
    if not _finite(A, b, c):
        return xs, ys, None, []
    A, b, c = _normalised(A, b, c)
    A = (A + A.T) / 2
    # q on the grid as an outer sum: a x² + 2h xy + c y² + d x + e y + f, no (R, R, 2) tensor
    X, Y = xs[None, :], ys[:, None]
    a, h, cc = float(A[0, 0]), float(A[0, 1]), float(A[1, 1])
    d, e, f = float(b[0]), float(b[1]), float(c)
    z = (a * X + d) * X + (2 * h * X + cc * Y + e) * Y + f  # (R, R)
    if not np.all(np.isfinite(z)) or np.ptp(z) == 0:
        return xs, ys, z, []
    lines = [line for line in contour_generator(xs, ys, z).lines(0.0) if len(line) > 1]
    return xs, ys, z, lines


# the 6 edges of a tetrahedron, as pairs of its corners 0..3
_TET_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))


def _tetrahedron_table() -> np.ndarray:
    """Sign pattern of a tetrahedron's corners (bit i set: ``q > 0`` at corner i) -> up to two
    triangles, each as three indices into ``_TET_EDGES`` (-1: no triangle). Shape (16, 2, 3)."""
    table = -np.ones((16, 2, 3), dtype=np.int64)
    edge = {e: k for k, e in enumerate(_TET_EDGES)}
    for pattern in range(16):
        pos = [i for i in range(4) if pattern >> i & 1]
        neg = [i for i in range(4) if not pattern >> i & 1]
        if len(pos) in (1, 3):  # one corner alone on its side: one triangle around it
            lone, others = (pos[0], neg) if len(pos) == 1 else (neg[0], pos)
            table[pattern, 0] = [edge[tuple(sorted((lone, o)))] for o in others]
        elif len(pos) == 2:  # two and two: a quadrilateral, as two triangles
            (i, j), (k, l) = pos, neg
            e = {pair: edge[tuple(sorted(pair))] for pair in ((i, k), (i, l), (j, k), (j, l))}
            table[pattern, 0] = [e[i, k], e[i, l], e[j, l]]
            table[pattern, 1] = [e[i, k], e[j, l], e[j, k]]
    return table


_TET_TABLE = _tetrahedron_table()
# a cube as 6 tetrahedra (Kuhn): from corner 000 to 111 along the axes in each order
_KUHN = np.array(
    [[np.zeros(3), np.eye(3)[a], np.eye(3)[a] + np.eye(3)[b], np.ones(3)]
     for a, b, _ in itertools.permutations(range(3))],
    dtype=np.int64,
)  # (6 tetrahedra, 4 corners, 3)  # fmt: skip


def level_set_mesh(
    A, b, c, bounds: tuple[float, float] = (-1.5, 1.5), resolution: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """A triangle mesh of the 3-D surface ``x^T A x + b·x + c = 0`` inside a cube.

    Marching tetrahedra on a ``resolution³`` grid, vectorised: every grid cube is cut into 6
    tetrahedra, and every tetrahedron whose corners disagree on the sign of ``q`` gets one or two
    triangles. Their vertices sit where ``q`` changes sign along a grid edge, found *exactly*
    (``q`` restricted to a segment is a quadratic), so every vertex lies on the surface to
    rounding. Triangles are oriented along ``∇q`` so the surface shades smoothly.

    Returns:
        ``vertices (V, 3)`` and ``faces (F, 3)`` (vertex indices); both empty when the surface
        misses the cube.
    """
    A, b = np.asarray(_as_numpy(A), float), np.asarray(_as_numpy(b), float)
    A, c = (A + A.T) / 2, float(_as_numpy(c))
    R = int(resolution)
    grid = np.linspace(*bounds, R)
    P = np.stack(np.meshgrid(grid, grid, grid, indexing="ij"), -1).reshape(-1, 3)  # (R³, 3)
    q = np.einsum("ni,ij,nj->n", P, A, P) + P @ b + c  # (R³,)
    # only the cubes the surface passes through (a few percent of them) are cut up
    positive = (q > 0).reshape(R, R, R)
    corners = [positive[i : R - 1 + i, j : R - 1 + j, k : R - 1 + k]
               for i, j, k in itertools.product((0, 1), repeat=3)]  # fmt: skip
    mixed = np.logical_or.reduce(corners) & ~np.logical_and.reduce(corners)
    cubes = np.argwhere(mixed).reshape(-1, 1, 1, 3)
    tets = ((cubes + _KUHN) @ np.array([R * R, R, 1])).reshape(-1, 4)  # (cubes*6, 4) point ids
    pattern = (q[tets] > 0) @ np.array([1, 2, 4, 8])
    cut = (pattern != 0) & (pattern != 15)
    tets, pattern = tets[cut], pattern[cut]
    triangles = _TET_TABLE[pattern].reshape(-1, 3)  # (2T, 3) edge indices
    owner = np.repeat(np.arange(len(tets)), 2)
    real = triangles[:, 0] >= 0
    triangles, owner = triangles[real], owner[real]
    if len(triangles) == 0:
        return np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)
    ends = np.array(_TET_EDGES)
    start = tets[owner[:, None], ends[triangles, 0]]  # (F, 3) point ids
    stop = tets[owner[:, None], ends[triangles, 1]]
    # one vertex per grid edge, shared by the triangles around it
    keys = np.minimum(start, stop) * R**3 + np.maximum(start, stop)
    edges, faces = np.unique(keys.reshape(-1), return_inverse=True)
    e0, e1 = edges // R**3, edges % R**3
    p0, d = P[e0], P[e1] - P[e0]
    # q(p0 + t d) = alpha t² + beta t + gamma changes sign once on [0, 1]: solve it exactly
    alpha = np.einsum("ni,ij,nj->n", d, A, d)
    beta = 2 * np.einsum("ni,ij,nj->n", p0, A, d) + d @ b
    gamma = q[e0]
    t_lin = gamma / (gamma - q[e1])
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(np.maximum(beta**2 - 4 * alpha * gamma, 0))
        candidates = np.stack([2 * gamma / (-beta - root), 2 * gamma / (-beta + root)])
    candidates = np.where(np.isfinite(candidates), candidates, np.inf)  # no cancellation form
    t = candidates[np.argmin(np.abs(candidates - t_lin), 0), np.arange(len(t_lin))]
    t = np.where((t >= -1e-9) & (t <= 1 + 1e-9), t, t_lin)
    vertices = p0 + t[:, None] * d
    faces = faces.reshape(-1, 3)
    corners = vertices[faces]  # (F, 3, 3)
    normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    flip = np.einsum("ni,ni->n", normal, corners.mean(1) @ (2 * A) + b) < 0
    faces[flip] = faces[flip][:, [0, 2, 1]]
    return vertices, faces


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
    grid: tuple | None = None,
):
    """Filled decision regions, the boundary as a contour and the data, for a 2-D input model.

    The grid comes from :func:`decision_grid` (one batched forward pass on the model's device),
    or pass its result as ``grid`` to redraw without evaluating the model again (a widget whose
    model did not change). A model whose outputs are NaN (a diverged run) still draws: the
    title says so.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    if grid is None:
        auto_x, auto_y = _limits(X)
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
        _scatter(ax, X, y)
    ax.set(xlim=xlim, ylim=ylim, xlabel=XLABEL, ylabel=YLABEL, aspect="equal")
    if message or title:
        ax.set_title(" · ".join(s for s in (title, message) if s))
    return ax


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

    ``A (2, 2)``, ``b (2,)``, ``c ()``. The region ``q > 0`` is tinted orange (class 1), ``q < 0``
    blue (class 0). The principal axes (eigenvectors of ``A``) are drawn dashed through the
    centre when there is one (ellipse, hyperbola); a small legend says which tint is which.
    Degenerate, huge, tiny or non-finite
    coefficients still draw, with a message in the title.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.set(xlim=xlim, ylim=ylim, xlabel=XLABEL, ylabel=YLABEL, aspect="equal")
    A, b, c, tol = _float64(A, b, c)
    if A.shape != (2, 2) or b.shape != (2,) or c.numel() != 1:
        raise ValueError(
            f"plot_conic needs A (2, 2), b (2,), c (); got {tuple(A.shape)}, {tuple(b.shape)}, "
            f"{tuple(c.shape)}"
        )
    if not _finite(A, b, c):
        ax.set_title("coefficients are not finite: nothing to draw")
        return ax
    A, b, c, info = _classified(A, b, c, tol)
    xs, ys, z, lines = _conic_grid(A, b, c, xlim, ylim, resolution)
    if info.name == "zero everywhere":  # no side is q > 0 or q < 0: leave the plane untinted
        ax.set_facecolor("#eeeeee")
    else:
        _shade_regions(ax, xs, ys, z > 0)
    for line in lines:
        ax.plot(*line.T, color=BOUNDARY_COLOR, lw=2)
    # q touches 0 without changing sign there: contouring cannot see these, draw them directly
    for extra in _touching_set(A, b, info, xlim, ylim):
        ax.plot(*extra.T, "o" if len(extra) == 1 else "-", color=BOUNDARY_COLOR, lw=2, ms=6)
        lines = [*lines, extra]
    if axes and info.rank == 2:
        center = torch.linalg.solve((A + A.T) / 2, -b / 2)
        half = 0.25 * (xlim[1] - xlim[0])
        for vec in info.eigenvectors.T:
            seg = torch.stack([center - half * vec, center + half * vec]).numpy()
            ax.plot(*seg.T, ls="--", lw=1, color=AXIS_COLOR)
    if legend:  # which tint is which side: the two classes the neuron separates
        handles = [
            Patch(color=_REGION_CMAP(1.0), label="q(x) > 0"),
            Patch(color=_REGION_CMAP(0.0), label="q(x) < 0"),
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.85)
    title = info.name
    if info.degenerate and info.name not in ("degenerate", "empty", "no curve", "zero everywhere"):
        title += " (degenerate)"
    if info.name == "zero everywhere":
        title += ": all coefficients 0"
    elif info.name in ("empty", "no curve") or np.ptp(z) == 0:
        sign = ">" if z.mean() > 0 else "<" if z.mean() < 0 else "="
        title += f": q {sign} 0 everywhere, one region"
    elif not lines:
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
_SURFACE_LIGHT = {"ambient": 0.6, "diffuse": 0.6, "specular": 0.1, "roughness": 0.8}


def quadric_surface_3d(
    A, b, c, X: Tensor | None = None, y: Tensor | None = None, bounds=(-1.5, 1.5), resolution=30
) -> go.Figure:
    """A rotatable plotly figure of the 3-D surface ``x^T A x + b·x + c = 0`` and the data.

    ``A (3, 3)``, ``b (3,)``, ``c ()``; ``X (N, 3)``, ``y (N,)`` optional. The surface is the
    exact-vertex mesh of :func:`level_set_mesh` (one ``Mesh3d`` trace); the title names it.
    """
    A, b, c, tol = _float64(A, b, c)
    fig = go.Figure()
    opacity = 0.55 if X is not None else 0.95  # see the data through the surface
    title = "coefficients are not finite: nothing to draw"
    if _finite(A, b, c):
        A, b, c, info = _classified(A, b, c, tol)  # same surface; huge or tiny ones draw too
        title = info.name
        vertices, faces = level_set_mesh(A, b, c, bounds, resolution)
        if len(faces):
            fig.add_trace(
                go.Mesh3d(
                    x=vertices[:, 0], y=vertices[:, 1], z=vertices[:, 2],
                    i=faces[:, 0], j=faces[:, 1], k=faces[:, 2],
                    color=PALETTE["green"], opacity=opacity, lighting=_SURFACE_LIGHT,
                    name="q(x) = 0", showlegend=True, hoverinfo="skip",
                )
            )  # fmt: skip
        else:
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
    )  # fmt: skip
    fig.update_layout(margin={"t": 50})
    if layout:
        fig.update_layout(layout)  # the caller's layout last: it merges into ours, margin too
    return fig


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


_CONIC_MONOMIALS = ("x²", "xy", "y²", "x", "y", "")


def polynomial_text(coefficients: Sequence[float], monomials: Sequence[str]) -> str:
    """A polynomial as a reader writes it: ``(1, 0.5, 2, 0, 0, -1)`` with the conic's
    monomials gives ``"x² + 0.5xy + 2y² − 1"``; zero terms dropped, unit coefficients bare.

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
        A, b, c = conic_coefficients_to_quadric(*coefficients(v))
        return [conic_trace(A, b, c, (-lim, lim), (-lim, lim), resolution)]

    def title(v):
        A, b, c, tol = _float64(*conic_coefficients_to_quadric(*coefficients(v)))
        name = _classified(A, b, c, tol)[3].name
        return f"{polynomial_text(coefficients(v), _CONIC_MONOMIALS)} = 0: {name}"

    axis = {"range": [-lim, lim], "zeroline": True}
    return slider_figure(
        traces, list(values), label=coefficient, title=title,
        layout={"xaxis": {**axis, "title": "x"}, "yaxis": {**axis, "title": "y",
                "scaleanchor": "x"}, "height": 520, "width": 560},
    )  # fmt: skip


def conic_trace(
    A, b, c, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), resolution: int = 150, name: str = "q(x) = 0"
) -> go.Scatter:
    """The curve ``x^T A x + b·x + c = 0`` as one plotly line trace (polylines separated by
    ``None``), for slider frames: every frame keeps one trace even when the curve vanishes."""
    xs, ys = [], []
    lines = conic_points(A, b, c, xlim, ylim, resolution)
    A, b, c, tol = _float64(A, b, c)
    if _finite(A, b, c) and A.shape == (2, 2):
        A, b, c, info = _classified(A, b, c, tol)
        lines += _touching_set(A, b, info, xlim, ylim)
    for line in lines:
        xs += line[:, 0].tolist() + [None]
        ys += line[:, 1].tolist() + [None]
    return go.Scatter(
        x=xs, y=ys, mode="lines+markers", name=name, line={"color": BOUNDARY_COLOR, "width": 3},
        # a marker only where a "curve" is a single point (x² + y² = 0)
        marker={"color": BOUNDARY_COLOR, "size": [9 if len(line) == 1 else 0 for line in lines
                                                   for _ in range(len(line) + 1)]},
    )  # fmt: skip


def data_traces(X: Tensor, y: Tensor, size: int = 4) -> list[go.Scatter]:
    """The two classes of a 2-D dataset as plotly markers, in the book's class colours."""
    Xn, yn = _as_numpy(X), _as_numpy(y)
    return [
        go.Scatter(
            x=Xn[yn == k, 0],
            y=Xn[yn == k, 1],
            mode="markers",
            name=f"class {k}",
            marker={"size": size, "color": CLASS_COLORS[k % 2]},
        )  # fmt: skip
        for k in np.unique(yn).tolist()
    ]


def quadric_slider_figure(
    quadrics: dict,
    X: Tensor | None = None,
    y: Tensor | None = None,
    label: str = "epoch",
    lim: float = 1.5,
    resolution: int = 150,
) -> go.Figure:
    """A slider over snapshots ``{step: (A (2, 2), b (2,), c ())}`` of one 2-D neuron, e.g.
    recorded every few epochs by a :func:`dql_teach.train.fit` callback. Each frame shows the
    data and the curve; its title names the conic."""
    if not quadrics:
        raise ValueError("quadrics must hold at least one snapshot {step: (A, b, c)}, got none")
    dots = data_traces(X, y) if X is not None and y is not None else []

    def traces(step):
        return dots + [conic_trace(*quadrics[step], (-lim, lim), (-lim, lim), resolution)]

    def title(step):
        A, b, c, tol = _float64(*quadrics[step])
        name = _classified(A, b, c, tol)[3].name if _finite(A, b, c) else "not finite"
        return f"{label} {step}: {name}"

    axis = {"range": [-lim, lim]}
    return slider_figure(
        traces, list(quadrics), label=label, title=title,
        layout={"xaxis": {**axis, "title": XLABEL}, "yaxis": {**axis, "title": YLABEL,
                "scaleanchor": "x"}, "height": 520, "width": 560},
    )  # fmt: skip


def show(fig: go.Figure):
    """Display a plotly figure in a notebook, in a way that also works in the static book.

    During the book build (``DQL_BOOK_BUILD=1``) the figure is emitted as an HTML ``<div>``
    with no plotly.js inline (the book serves plotly.js once per page) and no autoplay; in
    Jupyter, Colab and VS Code it uses plotly's normal renderer, as
    :func:`dql_teach.compat.plotly_renderer` picks it (on plotly 5 in Jupyter: without the
    4.5 MB of plotly.js per figure).
    """
    if os.environ.get("DQL_BOOK_BUILD"):
        from IPython.display import HTML, display

        # the page shows the mode bar at all times: upright at the right edge, it leaves the
        # title (which names the conic of each slider step) readable
        fig.update_layout(modebar={"orientation": "v"})
        html = fig.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, auto_play=False
        )
        return display(HTML(html))
    return fig.show(renderer=plotly_renderer() or None)


def quadric_of(module: nn.Module, index: int = 0) -> tuple[Tensor, Tensor, Tensor]:
    """``(A, b, c)`` of one neuron of a layer, for the plotting functions."""
    A, b, c = as_quadric(module)
    return A[index], b[index], c[index]


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
