"""The numbers behind the figures, with no drawing: grids, conic curves, 3-D level sets.

TensorFlow Playground computes its boundary grid before drawing it; so does the book. Every
function here returns NumPy arrays or tensors that :mod:`.mpl_figures` and
:mod:`.plotly_figures` draw and that tests check against the quadric itself.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import torch
from contourpy import contour_generator
from torch import Tensor, nn

from .._checks import check_int, check_number
from ..quadric import as_quadric, classify_quadric, default_tolerance, normalize_quadric

__all__ = [
    "conic_grid",
    "conic_points",
    "data_limits",
    "decision_grid",
    "level_set_mesh",
    "pareto_indices",
    "quadric_of",
    "simplify_mesh",
]


def _as_numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, Tensor) else np.asarray(t)


def _finite(*tensors: Tensor) -> bool:
    return all(bool(torch.isfinite(t).all()) for t in tensors)


def _quadric_tensors(A, b, c, n: int, caller: str) -> tuple[Tensor, Tensor, Tensor]:
    """``(A (n, n), b (n,), c ())`` as float64 CPU tensors, for a figure of ``n`` variables.

    A quadric of another dimension is an error, not a slice: a 3-D quadric given to a 2-D
    figure would be drawn as its ``x1``-``x2`` plane and titled with its 3-D name.
    """
    A = torch.as_tensor(_as_numpy(A), dtype=torch.float64)
    b = torch.zeros(A.shape[:1], dtype=torch.float64) if b is None else b
    c = 0.0 if c is None else c
    b, c = (torch.as_tensor(_as_numpy(v), dtype=torch.float64) for v in (b, c))
    if A.shape != (n, n) or b.shape != (n,) or c.numel() != 1:
        raise ValueError(
            f"{caller} draws a quadric of {n} variables and needs A ({n}, {n}), b ({n},), c (); "
            f"got {tuple(A.shape)}, {tuple(b.shape)}, {tuple(c.shape)}"
        )
    return A, b, c.reshape(())


def _check_data(X, y, dim: int, caller: str) -> tuple[np.ndarray, np.ndarray]:
    """``X (N, dim)`` and ``y (N,)`` as NumPy arrays, or a ``ValueError`` naming them."""
    Xn, yn = _as_numpy(X), _as_numpy(y)
    if Xn.ndim != 2 or Xn.shape[1] != dim:
        raise ValueError(f"{caller} needs X of shape (N, {dim}), got {tuple(Xn.shape)}")
    if yn.shape != (len(Xn),):
        raise ValueError(
            f"{caller} needs y of shape (N,) with N = len(X) = {len(Xn)}, got {tuple(yn.shape)}"
        )
    return Xn, yn


def _check_box(name: str, lim) -> tuple[float, float]:
    if not isinstance(lim, (tuple, list, np.ndarray)) or len(lim) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {lim!r}")
    low, high = (check_number(name, v) for v in lim)
    if not low < high:
        raise ValueError(f"{name} must be a pair (low, high) with low < high, got {lim!r}")
    return low, high


def data_limits(X: Tensor | None, margin: float = 0.25) -> tuple[tuple, tuple]:
    """``(xlim, ylim)`` around the first two columns of ``X (N, d)``, padded by ``margin``
    times their spread; ``(-1.5, 1.5)`` each when there is no data."""
    if X is None or len(X) == 0:
        return (-1.5, 1.5), (-1.5, 1.5)
    Xn = _as_numpy(X)
    lo, hi = Xn[:, :2].min(0).tolist(), Xn[:, :2].max(0).tolist()
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
        ``xs (R,)``, ``ys (R,)`` and ``scores (R, R)`` (rows follow y): the logit for a
        one-output model (its zero level is the boundary), else ``logit[1] - logit[0]`` for
        two outputs (for more classes: the winning class index as float).
    """
    resolution = check_int("resolution", resolution, minimum=2)
    xlim, ylim = _check_box("xlim", xlim), _check_box("ylim", ylim)
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
    return _as_numpy(xs), _as_numpy(ys), _as_numpy(scores.float()).astype(np.float64)


def conic_grid(A, b, c, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), resolution: int = 200):
    """``q`` of the conic ``x^T A x + b·x + c`` on a grid, and the curve ``q = 0`` in it.

    ``A (2, 2)``, ``b (2,)``, ``c ()``. The quadric is normalised first
    (:func:`dql_teach.quadric.normalize_quadric`): the same curve, with no overflow.

    Returns:
        ``xs (R,)``, ``ys (R,)``, ``q (R, R)`` (rows follow y, scaled so that the largest
        coefficient is 1; ``None`` for non-finite coefficients) and the curve's polylines
        ``(P, 2)``: the contour of ``q = 0`` traced by contourpy (what matplotlib's ``contour``
        uses), plus the sets ``q`` only touches without changing sign (a point, a double
        line), which a contour cannot find. A polyline of one point is a point.
    """
    resolution = check_int("resolution", resolution, minimum=2)
    xlim, ylim = _check_box("xlim", xlim), _check_box("ylim", ylim)
    tol = default_tolerance(A, b, c)  # of the caller's dtype: float32 rounding is no curve
    A, b, c = _quadric_tensors(A, b, c, 2, "a conic figure")
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    if not _finite(A, b, c):
        return xs, ys, None, []
    A, b, c = normalize_quadric(A, b, c)
    A = (A + A.T) / 2
    # q on the grid as an outer sum: a11 x² + 2 a12 xy + a22 y² + b1 x + b2 y + c
    X, Y = xs[None, :], ys[:, None]
    a11, a12, a22 = float(A[0, 0]), float(A[0, 1]), float(A[1, 1])
    b1, b2, c0 = float(b[0]), float(b[1]), float(c)
    z = (a11 * X + b1) * X + (2 * a12 * X + a22 * Y + b2) * Y + c0  # (R, R)
    lines = []
    if np.ptp(z) > 0:
        lines = [line for line in contour_generator(xs, ys, z).lines(0.0) if len(line) > 1]
    return xs, ys, z, lines + _touching_set(A, b, c, tol, xlim, ylim)


def conic_points(
    A, b, c, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), resolution: int = 200
) -> list[np.ndarray]:
    """Points of the curve ``x^T A x + b·x + c = 0`` inside the box, as polylines ``(P, 2)``.

    The polylines of :func:`conic_grid`: each point lies on the curve up to the grid's
    linear interpolation (exactly, for a point or a double line). Empty when the curve misses
    the box or the coefficients are not finite.
    """
    return conic_grid(A, b, c, xlim, ylim, resolution)[3]


def _touching_set(A: Tensor, b: Tensor, c: Tensor, tol: float, xlim, ylim) -> list[np.ndarray]:
    """The zero set of a (normalised) conic that ``q`` only touches: a point, a double line.
    ``[]`` for every other conic."""
    info = classify_quadric(A, b, c, tol=tol)
    if info.name == "point":
        return [torch.linalg.solve(A, -b / 2).numpy()[None]]
    if info.name == "double line":
        k = int(info.eigenvalues.abs().argmax())
        lam, normal = info.eigenvalues[k], info.eigenvectors[:, k]  # q = lam (n·x - t0)^2
        t0 = float(-(b @ normal) / (2 * lam))
        span = 2 * max(abs(xlim[1] - xlim[0]), abs(ylim[1] - ylim[0]))
        along = torch.stack([-normal[1], normal[0]])
        return [torch.stack([t0 * normal - span * along, t0 * normal + span * along]).numpy()]
    return []


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

    ``A (3, 3)``, ``b (3,)``, ``c ()``, finite. Marching tetrahedra on a ``resolution³`` grid,
    vectorised: every grid cube is cut into 6 tetrahedra, and every tetrahedron whose corners
    disagree on the sign of ``q`` gets one or two triangles. Their vertices sit where ``q``
    changes sign along a grid edge, found *exactly* (``q`` restricted to a segment is a
    quadratic), so every vertex lies on the surface to rounding. Triangles are oriented along
    ``∇q`` so the surface shades smoothly.

    Returns:
        ``vertices (V, 3)`` and ``faces (F, 3)`` (vertex indices); both empty when the surface
        misses the cube.
    """
    R = check_int("resolution", resolution, minimum=2)
    bounds = _check_box("bounds", bounds)
    A, b, c = (t.numpy() for t in _quadric_tensors(A, b, c, 3, "level_set_mesh"))
    A, c = (A + A.T) / 2, float(c)
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


def simplify_mesh(
    vertices: np.ndarray,
    faces: np.ndarray,
    A,
    b,
    c,
    spacing: float,
    bounds: tuple[float, float] = (-1.5, 1.5),
) -> tuple[np.ndarray, np.ndarray]:
    """The same surface with fewer vertices, for a lighter page.

    Each vertex of :func:`level_set_mesh` joins the grid point nearest to it (the grid
    ``bounds[0] + k * spacing``); the vertices of one grid point become one, the member nearest
    to their mean (so every vertex still lies exactly on ``q = 0``). Vertices on the faces of
    the ``bounds`` cube stay as they are (the cut edge stays straight). Triangles that collapse
    are dropped and the rest oriented along ``∇q``. Marching tetrahedra cut slivers near the
    grid points: about half the vertices go, and the shaded surfaces look the same.

    Example:
        >>> v, f = level_set_mesh(np.eye(3), np.zeros(3), -1.0, resolution=20)
        >>> v2, f2 = simplify_mesh(v, f, np.eye(3), np.zeros(3), -1.0, 3 / 19)
        >>> len(v2) < 0.6 * len(v), float(np.abs((v2 ** 2).sum(1) - 1).max()) < 1e-12
        (True, True)
    """
    if len(faces) == 0:
        return vertices, faces
    A, b, c = (t.numpy() for t in _quadric_tensors(A, b, c, 3, "simplify_mesh"))
    A = (A + A.T) / 2
    low, high = _check_box("bounds", bounds)
    key = np.round((vertices - low) / spacing).astype(np.int64)
    edge = (np.abs(vertices - low) < 1e-9).any(1) | (np.abs(vertices - high) < 1e-9).any(1)
    alone = np.where(edge, np.arange(len(vertices)), -1)[:, None]
    _, cluster = np.unique(np.hstack([key, alone]), axis=0, return_inverse=True)
    cluster = cluster.reshape(-1)
    mean = np.zeros((cluster.max() + 1, 3))
    np.add.at(mean, cluster, vertices)
    mean /= np.bincount(cluster)[:, None]
    # the member nearest to its cluster's mean represents the cluster
    order = np.lexsort((((vertices - mean[cluster]) ** 2).sum(1), cluster))
    first = np.r_[True, cluster[order][1:] != cluster[order][:-1]]
    keep = vertices[order[first]]  # (clusters, 3), one per cluster in cluster order
    faces = cluster[faces]
    faces = faces[(faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2])
                  & (faces[:, 0] != faces[:, 2])]  # fmt: skip
    _, once = np.unique(np.sort(faces, 1), axis=0, return_index=True)
    used, faces = np.unique(faces[np.sort(once)], return_inverse=True)
    vertices, faces = keep[used], faces.reshape(-1, 3)
    corners = vertices[faces]  # (F, 3, 3)
    normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    flip = np.einsum("ni,ni->n", normal, corners.mean(1) @ (2 * A) + b) < 0
    faces[flip] = faces[flip][:, [0, 2, 1]]
    return vertices, faces


def quadric_of(module: nn.Module, index: int = 0) -> tuple[Tensor, Tensor, Tensor]:
    """``(A, b, c)`` of one neuron of a layer, for the plotting functions."""
    A, b, c = as_quadric(module)
    index = check_int("index", index, minimum=0, maximum=len(A) - 1)
    return A[index], b[index], c[index]


def pareto_indices(
    params: Sequence[float], means: Sequence[float], spreads: Sequence[float] | None = None
) -> list[int]:
    """The points on the Pareto front of accuracy against size, when accuracies are uncertain.

    Point ``i`` (``params[i]`` parameters, accuracy ``means[i] ± spreads[i]``) is *beaten* by
    ``j`` when ``j`` is no larger and better even at the ends of both intervals:
    ``params[j] <= params[i]`` and ``means[j] - spreads[j] >= means[i] + spreads[i]``, one of
    them strictly. The front is every point nobody beats: a larger model whose accuracy a
    smaller one matches only within the spread stays on it. With no spreads this is the usual
    front.

    Returns:
        The indices of the front, by increasing size (then decreasing accuracy).

    Example:
        >>> pareto_indices([10, 50, 60], [0.80, 0.90, 0.85])
        [0, 1]
        >>> pareto_indices([10, 50, 60], [0.80, 0.90, 0.85], [0.01, 0.01, 0.05])
        [0, 1, 2]
    """
    p = [check_number(f"params[{i}]", v) for i, v in enumerate(params)]
    m = [check_number(f"means[{i}]", v) for i, v in enumerate(means)]
    s = [0.0] * len(p) if spreads is None else list(spreads)
    s = [check_number(f"spreads[{i}]", v, minimum=0) for i, v in enumerate(s)]
    if not len(p) == len(m) == len(s):
        raise ValueError(
            f"params, means and spreads must have one entry per point, got {len(p)}, "
            f"{len(m)}, {len(s)}"
        )

    def beats(j: int, i: int) -> bool:
        low_j, high_i = m[j] - s[j], m[i] + s[i]
        no_worse = p[j] <= p[i] and low_j >= high_i
        return no_worse and (p[j] < p[i] or low_j > high_i)

    front = [i for i in range(len(p)) if not any(beats(j, i) for j in range(len(p)))]
    return sorted(front, key=lambda i: (p[i], -m[i], i))


def _log_range(values: Sequence[float], pad: float = 1.5) -> list[float]:
    """A plotly log-axis range (in decades) around positive ``values``."""
    low, high = min(values), max(values)
    return [math.log10(low / pad), math.log10(high * pad)]
