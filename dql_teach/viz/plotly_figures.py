"""plotly figures: slider figures, conics and quadric surfaces, decision regions, Pareto plots.

A slider figure switches between precomputed frames, so it stays interactive in the static
HTML book with no kernel. Every figure starts from :func:`.style.plotly_layout` and takes its
colours and sizes from :mod:`.style`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go
from torch import Tensor, nn

from .._checks import check_int
from ..quadric import CONIC_COEFFICIENTS, classify_quadric, conic_to_quadric, normalize_quadric
from .display import conic_text
from .grids import (
    _check_data,
    _finite,
    _log_range,
    _quadric_tensors,
    conic_points,
    decision_grid,
    level_set_mesh,
    pareto_indices,
)
from .style import (
    BOUNDARY_COLOR,
    CLASS_COLORS,
    FRONT_COLOR,
    SURFACE_COLOR,
    TRACE_STYLES,
    XLABEL,
    YLABEL,
    plotly_layout,
    series_style,
)

__all__ = [
    "conic_slider_figure",
    "conic_trace",
    "data_traces",
    "decision_trace",
    "pareto_figure",
    "pareto_slider_figure",
    "pareto_traces",
    "quadric_slider_figure",
    "quadric_surface_3d",
    "slider_figure",
]


def slider_figure(
    make_traces: Callable[[Any], list],
    values: Sequence,
    label: str = "value",
    title: Callable[[Any], str] | str | None = None,
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
        layout: extra layout (axis ranges: fix them, so frames compare), merged over the
            book's defaults.
        active: the step shown first.

    Works in a static page: each step's ``animate`` call swaps the data in the browser.
    """
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one slider step, got none")
    active = check_int("active", active)
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
    fig.update_layout(plotly_layout())
    fig.update_layout(
        title_text=frame_title(values[active]),
        sliders=[{"active": active, "steps": steps, "currentvalue": {"prefix": f"{label} = "},
                  "pad": {"t": 40}}],
    )  # fmt: skip
    if layout:
        fig.update_layout(layout)  # the caller's layout last: it merges into ours, margin too
    return fig


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def conic_trace(
    A, b, c, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), resolution: int = 150, name: str = "q(x) = 0"
) -> go.Scatter:
    """The curve ``x^T A x + b·x + c = 0`` (``A (2, 2)``, ``b (2,)``, ``c ()``) as one plotly
    line trace, polylines separated by ``None``, for slider frames: every frame keeps one
    trace even when the curve vanishes or the coefficients are not finite."""
    xs, ys, sizes = [], [], []
    style = TRACE_STYLES["curve"]
    for line in conic_points(A, b, c, xlim, ylim, resolution):
        xs += line[:, 0].tolist() + [None]
        ys += line[:, 1].tolist() + [None]
        # a marker only where a "curve" is a single point (x² + y² = 0)
        sizes += [style["point_size"] if len(line) == 1 else 0] * (len(line) + 1)
    return go.Scatter(
        x=xs, y=ys, mode="lines+markers", name=name,
        line={"color": BOUNDARY_COLOR, "width": style["width"]},
        marker={"color": BOUNDARY_COLOR, "size": sizes},
    )  # fmt: skip


def _plane_layout(lim: float, **extra) -> dict:
    axis = {"range": [-lim, lim], "zeroline": True}
    return plotly_layout(
        "plane",
        xaxis={**axis, "title": XLABEL},
        yaxis={**axis, "title": YLABEL, "scaleanchor": "x"},
        **extra,
    )


def conic_slider_figure(
    coefficient: str = "c",
    values: Sequence[float] = tuple(np.linspace(-1.5, 0.5, 9)),
    base: Sequence[float] = (1.0, 0.0, 1.0, 0.0, 0.0, -1.0),
    lim: float = 2.0,
    resolution: int = 150,
) -> go.Figure:
    """Sweep one coefficient of ``a11 x1² + 2 a12 x1x2 + a22 x2² + b1 x1 + b2 x2 + c = 0``.

    Args:
        coefficient: which one, by name: ``"a11"``, ``"a12"``, ``"a22"``, ``"b1"``, ``"b2"``
            or ``"c"`` (the entries of ``A``, ``b`` and the constant, as in
            :func:`dql_teach.conic_to_quadric`).
        values: its slider steps.
        base: the six coefficients of the other steps, in that order (default: the unit
            circle).

    Each frame shows the curve; its title writes the polynomial and names its type.
    """
    if coefficient not in CONIC_COEFFICIENTS:
        raise ValueError(
            f"coefficient must be one of {list(CONIC_COEFFICIENTS)}, got {coefficient!r}"
        )
    base = tuple(base)
    if len(base) != 6:
        raise ValueError(f"base must hold the six coefficients {CONIC_COEFFICIENTS}, got {base}")
    index = CONIC_COEFFICIENTS.index(coefficient)

    def coefficients(v):
        return tuple(float(v) if i == index else x for i, x in enumerate(base))

    def traces(v):
        A, b, c = conic_to_quadric(*coefficients(v))
        return [conic_trace(A, b, c, (-lim, lim), (-lim, lim), resolution)]

    def title(v):
        name = classify_quadric(*conic_to_quadric(*coefficients(v))).name
        return f"{conic_text(*coefficients(v))} = 0: {name}"

    return slider_figure(traces, list(values), label=coefficient, title=title,
                         layout=_plane_layout(lim))  # fmt: skip


def data_traces(
    X: Tensor, y: Tensor, size: int | None = None, axis: str = "", showlegend: bool = True
) -> list[go.Scatter]:
    """The classes of a 2-D dataset (``X (N, 2)``, ``y (N,)``) as plotly markers, in the
    book's class colours; ``axis`` (``""``, ``"2"``, ...) puts them on another subplot."""
    Xn, yn = _check_data(X, y, 2, "data_traces")
    size = TRACE_STYLES["data"]["size"] if size is None else size
    return [
        go.Scatter(
            x=Xn[yn == k, 0],
            y=Xn[yn == k, 1],
            mode="markers",
            name=f"class {k}",
            marker={"size": size, "color": CLASS_COLORS[k % 2]},
            xaxis="x" + axis,
            yaxis="y" + axis,
            showlegend=showlegend,
            legendgroup=f"class {k}",
        )  # fmt: skip
        for k in np.unique(yn).tolist()
    ]


def decision_trace(
    model: nn.Module,
    xlim: tuple[float, float] = (-1.5, 1.5),
    ylim: tuple[float, float] = (-1.5, 1.5),
    resolution: int = 80,
    axis: str = "",
) -> go.Contour:
    """A 2-D model's decision regions as a filled plotly contour in the class colours
    (:func:`.grids.decision_grid` underneath); ``axis`` picks the subplot as in
    :func:`data_traces`."""
    xs, ys, scores = decision_grid(model, xlim, ylim, resolution)
    style = TRACE_STYLES["decision"]
    return go.Contour(
        x=xs, y=ys, z=(np.nan_to_num(scores) > 0).astype(float), showscale=False,
        contours={"start": 0.5, "end": 0.5, "size": 1, "coloring": "fill"},
        colorscale=[[0, CLASS_COLORS[0]], [1, CLASS_COLORS[1]]],
        opacity=style["opacity"], line={"width": style["line_width"], "color": BOUNDARY_COLOR},
        hoverinfo="skip", xaxis="x" + axis, yaxis="y" + axis, name="decision regions",
    )  # fmt: skip


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
    for step, snapshot in quadrics.items():
        if not isinstance(snapshot, (tuple, list)) or len(snapshot) != 3:
            raise ValueError(f"quadrics[{step!r}] must be a triple (A, b, c), got {snapshot!r}")
        _quadric_tensors(*snapshot, 2, f"quadric_slider_figure (step {step!r})")
    dots = data_traces(X, y) if X is not None and y is not None else []

    def traces(step):
        return dots + [conic_trace(*quadrics[step], (-lim, lim), (-lim, lim), resolution)]

    def title(step):
        finite = _finite(*_quadric_tensors(*quadrics[step], 2, "quadric_slider_figure"))
        name = classify_quadric(*quadrics[step]).name if finite else "not finite"
        return f"{label} {step}: {name}"

    axis = {"range": [-lim, lim]}
    layout = plotly_layout("plane", xaxis={**axis, "title": XLABEL},
                           yaxis={**axis, "title": YLABEL, "scaleanchor": "x"})  # fmt: skip
    return slider_figure(traces, list(quadrics), label=label, title=title, layout=layout)


def quadric_surface_3d(
    A, b, c, X: Tensor | None = None, y: Tensor | None = None, bounds=(-1.5, 1.5), resolution=30
) -> go.Figure:
    """A rotatable plotly figure of the 3-D surface ``x^T A x + b·x + c = 0`` and the data.

    ``A (3, 3)``, ``b (3,)``, ``c ()``; ``X (N, 3)``, ``y (N,)`` optional. The surface is the
    exact-vertex mesh of :func:`.grids.level_set_mesh` (one ``Mesh3d`` trace); the title
    names it.
    """
    A64, b64, c64 = _quadric_tensors(A, b, c, 3, "quadric_surface_3d")
    data = None
    if X is not None and y is not None:
        data = _check_data(X, y, 3, "quadric_surface_3d")
    fig = go.Figure()
    style = TRACE_STYLES["surface"]
    title = "coefficients are not finite: nothing to draw"
    if _finite(A64, b64, c64):
        title = classify_quadric(A, b64 if b is None else b, c64 if c is None else c).name
        # the same surface with coefficients of size 1: huge or tiny ones draw too
        vertices, faces = level_set_mesh(*normalize_quadric(A64, b64, c64), bounds, resolution)
        if len(faces):
            fig.add_trace(
                go.Mesh3d(
                    x=vertices[:, 0], y=vertices[:, 1], z=vertices[:, 2],
                    i=faces[:, 0], j=faces[:, 1], k=faces[:, 2], color=SURFACE_COLOR,
                    opacity=style["opacity_over_data" if data else "opacity"],
                    lighting=style["lighting"], name="q(x) = 0", showlegend=True,
                    hoverinfo="skip",
                )
            )  # fmt: skip
        else:
            title += ": no surface in view"
    if data is not None:
        Xn, yn = data
        for label in np.unique(yn):
            pts = Xn[yn == label]
            fig.add_trace(
                go.Scatter3d(
                    x=pts[:, 0], y=pts[:, 1], z=pts[:, 2], mode="markers",
                    marker={"size": TRACE_STYLES["data3d"]["size"],
                            "color": CLASS_COLORS[int(label) % 2]},
                    name=f"class {int(label)}",
                )
            )  # fmt: skip
    rng = list(bounds)
    cube = {"xaxis": {"range": rng}, "yaxis": {"range": rng}, "zaxis": {"range": rng},
            "aspectmode": "cube"}  # fmt: skip
    fig.update_layout(plotly_layout("scene", title=title, scene=cube))
    return fig


# --- Pareto plots ----------------------------------------------------------------------------
class _Point(NamedTuple):
    name: str
    params: float
    mean: float
    std: float
    accuracies: tuple


def _point(entry, family: str) -> _Point:
    """One result as a :class:`_Point`: an object with ``.params``, ``.mean`` (and ``.std``,
    ``.name``, ``.accuracies``), a dict with those keys, or a tuple ``(params, mean[, std])``."""
    if isinstance(entry, Mapping):
        get = entry.get
    elif hasattr(entry, "params") and hasattr(entry, "mean"):

        def get(key, default=None):
            return getattr(entry, key, default)
    elif isinstance(entry, (tuple, list)) and len(entry) in (2, 3):
        values = dict(zip(("params", "mean", "std"), entry))
        get = values.get
    else:
        raise TypeError(
            f"a result of {family!r} must have .params and .mean (a SeedResult), be a dict with "
            f"those keys, or a tuple (params, mean[, std]); got {entry!r}"
        )
    params, mean = get("params"), get("mean")
    if params is None or mean is None:
        raise TypeError(f"a result of {family!r} needs params and mean, got {entry!r}")
    name = get("name") or f"{family} ({params} params)"
    accuracies = tuple(float(a) for a in (get("accuracies") or ()))
    return _Point(str(name), float(params), float(mean), float(get("std") or 0.0), accuracies)


def _points(families: Mapping[str, Sequence]) -> dict[str, list[_Point]]:
    if not isinstance(families, Mapping) or not families:
        raise ValueError(
            f"families must be a non-empty dict {{family: [results]}}, got {families!r}"
        )
    points = {str(f): sorted((_point(r, f) for r in rs), key=lambda p: p.params)
              for f, rs in families.items()}  # fmt: skip
    if not any(points.values()):
        raise ValueError("families must hold at least one result, got none")
    return points


def pareto_traces(
    families: Mapping[str, Sequence], front: Sequence | None = None, seeds: bool = True
) -> list[go.Scatter]:
    """Accuracy against parameters, one series per family, and the Pareto front.

    Args:
        families: ``{family: [result, ...]}``; a result is an object with ``.params`` and
            ``.mean`` (and optionally ``.std``, ``.name``, ``.accuracies``:
            :class:`dql_teach.SeedResult` has them all), a dict with those keys, or a tuple
            ``(params, mean[, std])``.
        front: the results on the front, to draw instead of computing it: by default every
            result that no result of any family beats beyond both spreads
            (:func:`.grids.pareto_indices`).
        seeds: also draw one small dot per seed where results have ``.accuracies``.

    Returns:
        Per family a ``markers+lines`` trace with ``± std`` error bars (hover: the result's
        name) and a trace of its seeds, then the front: ``2 * len(families) + 1`` traces,
        the same number for every input, as slider frames need.
    """
    points = _points(families)
    traces = []
    for i, (family, mine) in enumerate(points.items()):
        style = series_style(i)
        traces.append(go.Scatter(
            x=[p.params for p in mine], y=[p.mean for p in mine], mode="markers+lines",
            error_y={"array": [p.std for p in mine]}, text=[p.name for p in mine], name=family,
            legendgroup=family, hovertemplate="%{text}<br>%{x} params, %{y:.1%}<extra></extra>",
            marker={"size": TRACE_STYLES["family"]["size"], **style},
            line={"color": style["color"]},
        ))  # fmt: skip
        dots = [(p.params, a) for p in mine for a in p.accuracies] if seeds else []
        traces.append(go.Scatter(
            x=[x for x, _ in dots], y=[a for _, a in dots], mode="markers", name=f"{family} seeds",
            legendgroup=family, showlegend=False, hoverinfo="skip",
            marker={"size": TRACE_STYLES["seed"]["size"], "color": style["color"],
                    "opacity": TRACE_STYLES["seed"]["opacity"]},
        ))  # fmt: skip
    if front is None:
        every = [p for mine in points.values() for p in mine]
        idx = pareto_indices([p.params for p in every], [p.mean for p in every],
                             [p.std for p in every])  # fmt: skip
        on_front = [every[i] for i in idx]
    else:
        on_front = sorted((_point(r, "front") for r in front), key=lambda p: (p.params, -p.mean))
    style = TRACE_STYLES["front"]
    traces.append(go.Scatter(
        x=[p.params for p in on_front], y=[p.mean for p in on_front], mode="lines",
        name="Pareto front", text=[p.name for p in on_front], hoverinfo="text",
        line={"color": FRONT_COLOR, "width": style["width"]}, opacity=style["opacity"],
    ))  # fmt: skip
    return traces


def _pareto_axes(points: dict[str, list[_Point]], y_title: str | None) -> dict:
    every = [p for mine in points.values() for p in mine]
    low = min(min((p.mean - p.std, *p.accuracies)) for p in every)
    if y_title is None:
        runs = {len(p.accuracies) for p in every}
        seeds = f", {runs.pop()} seeds" if len(runs) == 1 and 0 not in runs else ""
        y_title = f"test accuracy (mean ± sd{seeds})"
    positive = [p.params for p in every if p.params > 0]
    xaxis = {"type": "log", "title": "parameters"}
    if positive:
        xaxis["range"] = _log_range(positive)
    yaxis = {"range": [low - 0.02, 1.02], "tickformat": ".0%", "title": y_title}
    return {"xaxis": xaxis, "yaxis": yaxis}


def pareto_figure(
    families: Mapping[str, Sequence],
    front: Sequence | None = None,
    title: str | None = None,
    seeds: bool = True,
    y_title: str | None = None,
) -> go.Figure:
    """Test accuracy (mean ± spread) against the number of parameters (log scale), one series
    per family, and the Pareto front: the traces of :func:`pareto_traces` (same arguments).

    Example:
        >>> fig = pareto_figure({"linear": [(10, 0.8, 0.01), (40, 0.9, 0.02)],
        ...                      "quadric": [(20, 0.95, 0.01)]})
        >>> list(fig.data[-1].x)  # the quadric beats the larger linear one beyond the spreads
        [10.0, 20.0]
    """
    points = _points(families)
    fig = go.Figure(pareto_traces(families, front, seeds))
    fig.update_layout(plotly_layout("chart", title=title or "", **_pareto_axes(points, y_title)))
    return fig


def pareto_slider_figure(
    datasets: Mapping[str, Mapping[str, Sequence]],
    fronts: Mapping[str, Sequence] | None = None,
    label: str = "dataset",
    title: Callable[[str], str] | None = None,
    seeds: bool = True,
    y_title: str | None = None,
) -> go.Figure:
    """:func:`pareto_figure` for several datasets ``{dataset: {family: [results]}}``, one
    slider step each, with the axes fitted to each dataset; ``fronts``: ``{dataset: front}``
    to draw instead of computing them."""
    if not isinstance(datasets, Mapping) or not datasets:
        raise ValueError(
            f"datasets must be a non-empty dict {{dataset: families}}, got {datasets!r}"
        )
    fronts = fronts or {}
    names = list(datasets)

    def traces(name):
        return pareto_traces(datasets[name], fronts.get(name), seeds)

    def frame_title(name):
        return title(name) if title else f"{name}: test accuracy against parameters"

    fig = slider_figure(traces, names, label=label, title=frame_title,
                        layout=plotly_layout("chart"))  # fmt: skip
    for frame, name in zip(fig.frames, names):
        frame.layout.update(_pareto_axes(_points(datasets[name]), y_title))
    fig.update_layout(xaxis=fig.frames[0].layout.xaxis, yaxis=fig.frames[0].layout.yaxis)
    return fig
