"""The look of every figure, in one place: colours, markers, line styles, plotly's layout and
template, and the matplotlib settings the ``plot_*`` functions draw with.

Restyle the book here (for phones, for print, for dark pages): every figure module takes its
colours from :data:`PALETTE` (through the named roles below), every plotly figure starts from
:func:`plotly_layout` (which carries the slim :data:`PLOTLY_TEMPLATE` instead of plotly's own
default template) and is shown with :func:`plotly_config`, and every matplotlib figure of the
library is drawn under :data:`MPL_RC` at a width that fits the book's column. Nothing here
imports matplotlib or plotly.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = [
    "AXIS_COLOR",
    "BOUNDARY_COLOR",
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "CLASS_SYMBOLS",
    "COLUMN_WIDTH_IN",
    "DARK_COLORS",
    "FRONT_COLOR",
    "HOVER_FORMAT",
    "MPL_RC",
    "PALETTE",
    "PLOTLY_CONFIG",
    "PLOTLY_LAYOUTS",
    "PLOTLY_TEMPLATE",
    "REGION_TINTS",
    "SERIES_COLORS",
    "SERIES_DASHES",
    "SERIES_LINESTYLES",
    "SERIES_SYMBOLS",
    "SURFACE_COLOR",
    "TEXT_COLOR",
    "TRACE_STYLES",
    "XLABEL",
    "YLABEL",
    "plotly_config",
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
CLASS_SYMBOLS = ("circle", "triangle-up")
"""plotly marker symbols of class 0 and class 1: the class shows without its colour too."""
CLASS_MARKERS = ("o", "^")
"""The same two shapes as matplotlib markers."""
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
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
"""plotly line dashes of the series, in order: lines differ by more than their colour."""
SERIES_LINESTYLES = ("-", "--", ":", "-.", (0, (8, 3)), (0, (8, 3, 1, 3)))
"""The same dashes as matplotlib line styles."""

TEXT_COLOR = "#444444"
"""Titles, labels and ticks of plotly figures on a light page."""
DARK_COLORS = {
    "#444444": "#d0d6dc",  # text
    "#000000": "#eeeeee",  # boundaries, the first series
    "#999999": "#8a8a8a",  # what recedes
}
"""What a colour of a plotly figure becomes on a dark page: the book's figure script swaps
them (exact strings, in the data, the layout and every frame) when the reader picks the dark
theme; the other colours of :data:`PALETTE` read on both."""

# plain Unicode, not "$x_1$": mathtext parsing was a third of a widget's redraw time
XLABEL, YLABEL = "x₁", "x₂"

HOVER_FORMAT = ".3~g"
"""d3 format of the numbers in hover labels: three significant digits, no SI prefix
("0.0134", "-9.28e-9"; plotly's default printed "0.01342282" and "-9.276557n")."""


def series_style(index: int) -> dict[str, str]:
    """``{"color", "symbol"}`` of the ``index``-th series of a figure (cycling); its line dash
    is ``SERIES_DASHES[index % len(SERIES_DASHES)]``."""
    return {
        "color": SERIES_COLORS[index % len(SERIES_COLORS)],
        "symbol": SERIES_SYMBOLS[index % len(SERIES_SYMBOLS)],
    }


TRACE_STYLES: dict[str, dict[str, Any]] = {
    # the curve q(x) = 0 in plotly (line width; marker size where the "curve" is a point)
    "curve": {"width": 3, "point_size": 9},
    # a 2-D dataset's markers (a class-1 triangle is drawn one size larger: same ink)
    "data": {"size": 5},
    # a 3-D dataset's markers
    "data3d": {"size": 2.5},
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

_GRID = "rgba(128, 128, 128, 0.25)"  # reads on a light and on a dark page
_AXIS = {
    "ticks": "",  # the grid marks the values
    # an equal-scale plane narrows its plot instead of widening its range: the window shows
    # the ranges asked for, where a figure computed its curves and regions (not empty bands)
    "constrain": "domain",
    "gridcolor": _GRID,
    "zerolinecolor": "rgba(128, 128, 128, 0.6)",
    "linecolor": "rgba(128, 128, 128, 0.6)",
    "hoverformat": HOVER_FORMAT,
    "exponentformat": "power",  # 10⁻⁹, never plotly's SI "n"
    "automargin": True,
    "title": {"standoff": 8},
}
_AXIS3 = {k: v for k, v in _AXIS.items() if k not in ("automargin", "title", "constrain")}
_AXIS3["showbackground"] = False
PLOTLY_TEMPLATE: dict[str, Any] = {
    "layout": {
        "font": {"family": '"Open Sans", verdana, arial, sans-serif', "size": 13,
                 "color": TEXT_COLOR},
        "colorway": list(SERIES_COLORS),
        # transparent: the page's own background shows, light or dark
        "paper_bgcolor": "rgba(0, 0, 0, 0)",
        "plot_bgcolor": "rgba(0, 0, 0, 0)",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        # the camera further out and lower than plotly's (1.25, 1.25, 1.25): the tick labels
        # of the lower edges stay inside the scene (WebGL clips them at its edge), clear of a
        # slider below it
        "scene": {**{k: _AXIS3 for k in ("xaxis", "yaxis", "zaxis")},
                  "camera": {"eye": {"x": 1.75, "y": 1.75, "z": 0.9}}},
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": 13}},
    }
}  # fmt: skip
"""The template of every plotly figure: a few hundred bytes instead of plotly's default one
(about 7 kB of JSON in every figure and every page)."""

PLOTLY_LAYOUTS: dict[str, dict[str, Any]] = {
    # every plotly figure of the book: no width (the figure fills the column at any screen
    # size), the legend above the plot, the title above the legend, no drag-to-zoom (on a
    # phone a swipe over the figure then scrolls the page, TOOLCHAIN.md)
    "base": {
        "template": PLOTLY_TEMPLATE,
        "font": {"size": 13},
        "colorway": list(SERIES_COLORS),
        "autosize": True,
        "margin": {"l": 50, "r": 30, "t": 50, "b": 40},
        "title": {"x": 0, "xanchor": "left", "xref": "paper", "y": 1, "yanchor": "top",
                  "yref": "container", "pad": {"t": 12}, "automargin": True},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                   "yanchor": "bottom"},
        "dragmode": False,
    },
    # a 2-D plane of x1, x2 (conics, decision regions), equal scales: at most this tall (the
    # book's figure script lowers the height where the column is narrower than the plot)
    "plane": {"height": 520},
    # a 3-D scene of a quadric surface; no hover labels in 3-D (viz.show sets this on every
    # 3-D figure): picking reads the scene back from the GPU at every mouse move ("GPU stall
    # due to ReadPixels" in the console), for labels that add little
    "scene": {"margin": {"l": 0, "r": 0, "t": 50, "b": 0}, "height": 480, "hovermode": False},
    # a chart with a legend
    "chart": {"height": 500, "margin": {"t": 60}},
    # added by viz.show during the book build
    "book": {"width": None},
}  # fmt: skip
"""Named plotly layout defaults; :func:`plotly_layout` merges them."""

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,  # follow the column's width when the window or the phone turns
    "scrollZoom": False,  # the mouse wheel scrolls the page, also over a 3-D scene
    "doubleClick": False,  # a tap is no double click that resets the axes (TOOLCHAIN.md)
    "showTips": False,
}
"""plotly's figure config (mode bar, interactions), given to every figure that is shown."""

BOOK_CONFIG: dict[str, Any] = {"displayModeBar": False}
"""What the built book adds to :data:`PLOTLY_CONFIG`: no mode bar (it covered legends and
titles; with drag-zoom off it offered little; a 3-D figure gets its own "reset view")."""


def plotly_config(book: bool = False) -> dict[str, Any]:
    """The config a figure is shown with: :data:`PLOTLY_CONFIG`, plus :data:`BOOK_CONFIG` in
    the built book."""
    return {**PLOTLY_CONFIG, **(BOOK_CONFIG if book else {})}


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


# --- matplotlib ------------------------------------------------------------------------------
COLUMN_WIDTH_IN = 7.2
"""The widest matplotlib figure of the library, in inches at 100 dpi: about the book's text
column on a desktop (720 of its ~730 px), so the image is shown at its own size and 9 pt text
is 12.5 px on the screen (a wider image is scaled down, and its text with it)."""

# titles, labels, ticks in a mid grey: 4.3:1 against the light page (white), 4.5:1 against
# the dark one (#121212), so one PNG reads on both
_MPL_TEXT = "#7a7a7a"
MPL_RC: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    # transparent around the axes: on a dark page the book shows no white card
    "figure.facecolor": (1, 1, 1, 0),
    "savefig.facecolor": "auto",
    "savefig.transparent": False,
    "text.color": _MPL_TEXT,
    "axes.labelcolor": _MPL_TEXT,
    "axes.titlecolor": _MPL_TEXT,
    "axes.edgecolor": "#8c8c8c",
    "axes.facecolor": (1, 1, 1, 0),
    "xtick.color": _MPL_TEXT,
    "ytick.color": _MPL_TEXT,
    "legend.framealpha": 0.85,
    "legend.edgecolor": "#cccccc",
    "lines.linewidth": 1.8,
}
"""rcParams the library's matplotlib figures are created under (``plt.rc_context``): at least
9 pt text at :data:`COLUMN_WIDTH_IN`, grey text and a transparent figure background that
read in the light and the dark theme. Nothing global changes."""
