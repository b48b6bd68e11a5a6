"""plotly Pareto plots: test accuracy against parameters, one series per model family.

Each family is drawn in its own colour, marker and line dash (:mod:`.style`), so the series
differ by more than colour; the x axis is logarithmic with plain-number ticks at 1, 2 and 5
times the powers of ten.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import plotly.graph_objects as go

from .grids import _log_range, pareto_indices
from .plotly_figures import _figure, slider_figure
from .style import FRONT_COLOR, SERIES_DASHES, TRACE_STYLES, plotly_layout, series_style

__all__ = ["log_ticks", "pareto_figure", "pareto_slider_figure", "pareto_traces"]


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
            line={"color": style["color"], "dash": SERIES_DASHES[i % len(SERIES_DASHES)]},
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
        xaxis.update(tickmode="array", tickvals=log_ticks(*(10**r for r in xaxis["range"])))
        xaxis["ticktext"] = [f"{v:,.0f}" if v >= 1 else f"{v:g}" for v in xaxis["tickvals"]]
    yaxis = {"range": [low - 0.02, 1.02], "tickformat": ".0%", "title": y_title}
    return {"xaxis": xaxis, "yaxis": yaxis}


def log_ticks(low: float, high: float, most: int = 8) -> list[float]:
    """Ticks of a log axis from ``low`` to ``high`` as plain numbers: 1, 2, 5 times the powers
    of ten, thinned to 1 and 3 or to the powers alone when there are more than ``most``
    (plotly's own ticks on a short log axis read "7 8 9 2 3 4": digits of unnamed decades).

    Example:
        >>> log_ticks(30, 3000)
        [50, 100, 200, 500, 1000, 2000]
    """
    if not 0 < low < high:
        raise ValueError(f"log_ticks needs 0 < low < high, got {low}, {high}")
    for mantissas in ((1, 2, 5), (1, 3), (1,)):
        decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        ticks = [m * 10**e for e in decades for m in mantissas if low <= m * 10**e <= high]
        if len(ticks) <= most:
            break
    return [int(t) if t >= 1 else t for t in ticks]


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
    fig = _figure(pareto_traces(families, front, seeds))
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
