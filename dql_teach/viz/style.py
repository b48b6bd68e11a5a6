"""The look of every figure, in one place: colours, markers, and plotly's layout defaults.

Restyle the book here (for phones, for print): every figure module takes its colours from
:data:`PALETTE` (through the named roles below) and every plotly figure starts from
:func:`plotly_layout`, shown with :data:`PLOTLY_CONFIG`. Nothing here imports matplotlib or
plotly.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = [
    "AXIS_COLOR",
    "BOUNDARY_COLOR",
    "CLASS_COLORS",
    "PALETTE",
    "PLOTLY_CONFIG",
    "PLOTLY_LAYOUTS",
    "REGION_TINTS",
    "SERIES_COLORS",
    "TRACE_STYLES",
    "FRONT_COLOR",
    "SURFACE_COLOR",
    "SERIES_SYMBOLS",
    "XLABEL",
    "YLABEL",
    "plotly_layout",
    "series_style",
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
    "grey": "#999999",  # not one of the eight: for what must recede (a front, a truth)
}

CLASS_COLORS = (PALETTE["blue"], PALETTE["orange"])
"""Class 0 and class 1, in every figure of the book."""
REGION_TINTS = ("#b9d3ea", "#f6d9a3")
"""Light tints of the two class colours, for the regions ``q < 0`` and ``q > 0``."""
BOUNDARY_COLOR = PALETTE["black"]
"""The curve ``q(x) = 0`` and every decision boundary."""
AXIS_COLOR = PALETTE["vermillion"]
"""Principal axes (eigenvectors of ``A``)."""
SURFACE_COLOR = PALETTE["green"]
"""A 3-D quadric surface."""
FRONT_COLOR = PALETTE["grey"]
"""A Pareto front."""
SERIES_COLORS = tuple(PALETTE[k] for k in ("black", "blue", "orange", "vermillion", "green",
                                           "purple", "sky", "yellow"))  # fmt: skip
"""Colours of the series of one figure (model families...), in order."""
SERIES_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star",
                  "hexagon")  # fmt: skip
"""plotly marker symbols of the series, in order: a second cue beside the colour."""

# plain Unicode, not "$x_1$": mathtext parsing was a third of a widget's redraw time
XLABEL, YLABEL = "x₁", "x₂"


def series_style(index: int) -> dict[str, str]:
    """``{"color", "symbol"}`` of the ``index``-th series of a figure (cycling)."""
    return {
        "color": SERIES_COLORS[index % len(SERIES_COLORS)],
        "symbol": SERIES_SYMBOLS[index % len(SERIES_SYMBOLS)],
    }


TRACE_STYLES: dict[str, dict[str, Any]] = {
    # the curve q(x) = 0 in plotly (line width; marker size where the "curve" is a point)
    "curve": {"width": 3, "point_size": 9},
    # a 2-D dataset's markers
    "data": {"size": 4},
    # a 3-D dataset's markers
    "data3d": {"size": 2},
    # decision regions as a filled contour: translucent, so the data shows through
    "decision": {"opacity": 0.35, "line_width": 2},
    # a quadric surface: nearly opaque alone, see-through over data
    "surface": {"opacity": 0.95, "opacity_over_data": 0.55,
                "lighting": {"ambient": 0.6, "diffuse": 0.6, "specular": 0.1,
                             "roughness": 0.8}},
    # the results of a family in a Pareto figure, their seeds, and the front
    "family": {"size": 9},
    "seed": {"size": 5, "opacity": 0.4},
    "front": {"width": 8, "opacity": 0.3},
}  # fmt: skip
"""Sizes and opacities of the plotly traces, by role (their colours are the ones above)."""

PLOTLY_LAYOUTS: dict[str, dict[str, Any]] = {
    # every plotly figure of the book (values equal to plotly's own defaults are spelt out,
    # so that a restyle has one place to change them)
    "base": {
        "font": {"family": '"Open Sans", verdana, arial, sans-serif', "size": 12},
        "colorway": list(SERIES_COLORS),
        "margin": {"t": 50},
        "legend": {},
    },
    # a 2-D plane of x1, x2 (conics, decision regions), equal scales
    "plane": {"height": 520, "width": 560},
    # a 3-D scene of a quadric surface
    "scene": {"margin": {"l": 0, "r": 0, "t": 40, "b": 0}, "height": 450},
    # a chart with a legend: the legend above the plot, so figures fit the book's column
    "chart": {
        "height": 520,
        "margin": {"t": 90},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
    },
    # added by viz.show during the book build: the page shows the mode bar at all times;
    # upright at the right edge it leaves the titles readable
    "book": {"modebar": {"orientation": "v"}},
}
"""Named plotly layout defaults; :func:`plotly_layout` merges them."""

PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False}
"""plotly's figure config (mode bar, interactions), given to every figure that is shown."""


def plotly_layout(*kinds: str, **overrides: Any) -> dict[str, Any]:
    """The layout a plotly figure starts from: ``"base"``, then each of ``kinds`` (keys of
    :data:`PLOTLY_LAYOUTS`), then ``overrides``, merged key by key (nested dicts too).

    Example:
        >>> layout = plotly_layout("chart", height=300)
        >>> layout["legend"]["orientation"], layout["height"]
        ('h', 300)
    """
    layout: dict[str, Any] = {}
    for kind in ("base", *kinds):
        if kind not in PLOTLY_LAYOUTS:
            raise ValueError(f"kind must be one of {sorted(PLOTLY_LAYOUTS)}, got {kind!r}")
        _merge(layout, PLOTLY_LAYOUTS[kind])
    return _merge(layout, overrides)


def _merge(into: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into
