"""plotly figures: slider figures, conics and quadric surfaces, decision regions.

A slider figure switches between precomputed frames, so it stays interactive in the static
HTML book with no kernel. Every figure starts from :func:`.style.plotly_layout` (with the
book's slim template, not plotly's default one) and takes its colours, markers and sizes from
:mod:`.style`. Pareto plots are in :mod:`.pareto_figures`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from torch import Tensor, nn

from .._checks import check_int
from ..conic import CONIC_COEFFICIENTS, conic_to_quadric
from ..quadric import classify_quadric, normalize_quadric
from .display import conic_text
from .grids import (
    _check_data,
    _finite,
    _quadric_tensors,
    conic_points,
    decision_grid,
    level_set_mesh,
    simplify_mesh,
)
from .style import (
    BOUNDARY_COLOR,
    CLASS_COLORS,
    CLASS_SYMBOLS,
    PLOTLY_TEMPLATE,
    SURFACE_COLOR,
    TRACE_STYLES,
    XLABEL,
    YLABEL,
    plotly_layout,
)

__all__ = [
    "conic_slider_figure",
    "conic_trace",
    "data_traces",
    "decision_trace",
    "quadric_slider_figure",
    "quadric_surface_3d",
    "slider_figure",
]

CLASS_SYMBOLS_3D = ("circle", "diamond")
"""The class markers in a 3-D scene (WebGL has no triangle)."""


def _figure(data=None, frames=None) -> go.Figure:
    """A figure with the book's template from the start (plotly's default one, 7 kB of JSON
    in every figure, is never attached)."""
    return go.Figure(data=data, frames=frames, layout={"template": PLOTLY_TEMPLATE})


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

    traces = [list(make_traces(v)) for v in values]
    first = traces[active]
    # a trace that is the same in every frame (the data under a moving curve) is sent once:
    # the frames carry only the traces that change (plotly's frame.traces)
    moving = list(range(len(first)))
    if len({len(frame) for frame in traces}) == 1 and len(values) > 1:
        keys = [[_key(t) for t in frame] for frame in traces]
        moving = [i for i in moving if len({k[i] for k in keys}) > 1] or moving
    frames = [
        go.Frame(data=[frame[i] for i in moving], name=f"{k}",
                 traces=moving if len(moving) < len(first) else None,
                 layout=go.Layout(title_text=frame_title(v)))
        for k, (frame, v) in enumerate(zip(traces, values))
    ]  # fmt: skip
    fig = _figure(data=first, frames=frames)
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


def _key(trace) -> str:
    """A trace's JSON, to compare traces (numpy arrays included)."""
    from plotly.io.json import to_json_plotly

    obj = trace.to_plotly_json() if hasattr(trace, "to_plotly_json") else trace
    return to_json_plotly(obj)


def _view_note(name: str, lines: list, xlim, ylim) -> str:
    """What the window hides of a conic: ``": no curve in view"`` where no point of it is in
    the window, ``", cut by the window"`` where a closed curve (ellipse, circle) leaves it."""
    if name in ("empty", "no curve", "zero everywhere", "not finite"):
        return ""
    if not lines:
        return ": no curve in view"
    if name in ("ellipse", "circle"):
        pts = np.concatenate([np.asarray(line, float) for line in lines])
        edge = (np.isclose(pts[:, :1], np.asarray(xlim, float)).any()
                or np.isclose(pts[:, 1:], np.asarray(ylim, float)).any())  # fmt: skip
        if edge:
            return ", cut by the window"
    return ""


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

    window = (-lim, lim)

    def traces(v):
        A, b, c = conic_to_quadric(*coefficients(v))
        return [conic_trace(A, b, c, window, window, resolution)]

    def title(v):
        A, b, c = conic_to_quadric(*coefficients(v))
        name = classify_quadric(A, b, c).name
        note = _view_note(name, conic_points(A, b, c, window, window, resolution), *[window] * 2)
        return f"{conic_text(*coefficients(v))} = 0: {name}{note}"

    return slider_figure(traces, list(values), label=coefficient, title=title,
                         layout=_plane_layout(lim))  # fmt: skip


def data_traces(
    X: Tensor, y: Tensor, size: int | None = None, axis: str = "", showlegend: bool = True
) -> list[go.Scatter]:
    """The classes of a 2-D dataset (``X (N, 2)``, ``y (N,)``) as plotly markers, in the
    book's class colours and shapes (:data:`.style.CLASS_SYMBOLS`); ``axis`` (``""``,
    ``"2"``, ...) puts them on another subplot."""
    Xn, yn = _check_data(X, y, 2, "data_traces")
    size = TRACE_STYLES["data"]["size"] if size is None else size
    return [
        go.Scatter(
            x=Xn[yn == k, 0],
            y=Xn[yn == k, 1],
            mode="markers",
            name=f"class {k}",
            # a shape per class as well as a colour; a triangle one size up: the same ink
            marker={
                "size": size + k % 2,
                "color": CLASS_COLORS[k % 2],
                "symbol": CLASS_SYMBOLS[k % 2],
            },
            hovertemplate=f"class {k}<br>(%{{x:.3~g}}, %{{y:.3~g}})<extra></extra>",
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
    data and the curve; its title names the conic, and says so where the window shows none of
    it or cuts a closed one."""
    if not quadrics:
        raise ValueError("quadrics must hold at least one snapshot {step: (A, b, c)}, got none")
    for step, snapshot in quadrics.items():
        if not isinstance(snapshot, (tuple, list)) or len(snapshot) != 3:
            raise ValueError(f"quadrics[{step!r}] must be a triple (A, b, c), got {snapshot!r}")
        _quadric_tensors(*snapshot, 2, f"quadric_slider_figure (step {step!r})")
    dots = data_traces(X, y) if X is not None and y is not None else []

    window = (-lim, lim)

    def traces(step):
        return dots + [conic_trace(*quadrics[step], window, window, resolution)]

    def title(step):
        finite = _finite(*_quadric_tensors(*quadrics[step], 2, "quadric_slider_figure"))
        if not finite:
            return f"{label} {step}: not finite"
        name = classify_quadric(*quadrics[step]).name
        lines = conic_points(*quadrics[step], window, window, resolution)
        return f"{label} {step}: {name}{_view_note(name, lines, window, window)}"

    axis = {"range": [-lim, lim]}
    layout = plotly_layout("plane", xaxis={**axis, "title": XLABEL},
                           yaxis={**axis, "title": YLABEL, "scaleanchor": "x"})  # fmt: skip
    return slider_figure(traces, list(quadrics), label=label, title=title, layout=layout)


def quadric_surface_3d(
    A, b, c, X: Tensor | None = None, y: Tensor | None = None, bounds=(-1.5, 1.5), resolution=30
) -> go.Figure:
    """A rotatable plotly figure of the 3-D surface ``x^T A x + b·x + c = 0`` and the data.

    ``A (3, 3)``, ``b (3,)``, ``c ()``; ``X (N, 3)``, ``y (N,)`` optional. The surface is the
    exact-vertex mesh of :func:`.grids.level_set_mesh`, thinned by :func:`.grids.simplify_mesh`
    to about half of its vertices, all still on the surface (one ``Mesh3d`` trace: a page
    of five such frames weighed 1.2 MB); the title names it.
    """
    A64, b64, c64 = _quadric_tensors(A, b, c, 3, "quadric_surface_3d")
    data = None
    if X is not None and y is not None:
        data = _check_data(X, y, 3, "quadric_surface_3d")
    fig = _figure()
    style = TRACE_STYLES["surface"]
    title = "coefficients are not finite: nothing to draw"
    if _finite(A64, b64, c64):
        title = classify_quadric(A, b64 if b is None else b, c64 if c is None else c).name
        # the same surface with coefficients of size 1: huge or tiny ones draw too
        unit = normalize_quadric(A64, b64, c64)
        vertices, faces = level_set_mesh(*unit, bounds, resolution)
        cell = (bounds[1] - bounds[0]) / max(resolution - 1, 1)
        vertices, faces = simplify_mesh(vertices, faces, *unit, cell, bounds)
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
                            "color": CLASS_COLORS[int(label) % 2],
                            "symbol": CLASS_SYMBOLS_3D[int(label) % 2]},
                    name=f"class {int(label)}",
                )
            )  # fmt: skip
    rng = list(bounds)
    cube = {"xaxis": {"range": rng}, "yaxis": {"range": rng}, "zaxis": {"range": rng},
            "aspectmode": "cube"}  # fmt: skip
    fig.update_layout(plotly_layout("scene", title=title, scene=cube))
    return fig
