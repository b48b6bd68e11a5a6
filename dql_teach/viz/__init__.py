"""Figures of the book: decision surfaces, conics, 3-D quadrics, slider figures, Pareto plots.

Split by what the parts do, as in TensorFlow Playground:

- :mod:`.grids`: numbers only (decision grids, conic curves, 3-D level sets, limits, fronts);
- :mod:`.mpl_figures`: matplotlib figures (``plot_*``, panels of decision surfaces);
- :mod:`.plotly_figures`: plotly figures, whose sliders switch between precomputed frames so
  they stay interactive in the static HTML book with no kernel;
- :mod:`.display`: where output goes (:func:`show`, :func:`markdown_table`) and figure text;
- :mod:`.style`: every colour (Okabe–Ito, colour-blind safe), marker and plotly layout default;
- :func:`playground`: the in-page playground of :mod:`dql_teach.playground` (JavaScript that
  trains in the reader's browser), re-exported here beside the figures.

Everything public is re-exported here: ``dql_teach.viz.plot_conic`` and so on.
"""

from ..playground import playground
from .display import conic_text, markdown_table, polynomial_text, seed_table, show
from .grids import (
    conic_grid,
    conic_points,
    data_limits,
    decision_grid,
    level_set_mesh,
    pareto_indices,
    quadric_of,
)
from .mpl_figures import (
    compare_decision_surfaces,
    plot_conic,
    plot_data,
    plot_decision_panels,
    plot_decision_surface,
)
from .plotly_figures import (
    conic_slider_figure,
    conic_trace,
    data_traces,
    decision_trace,
    pareto_figure,
    pareto_slider_figure,
    pareto_traces,
    quadric_slider_figure,
    quadric_surface_3d,
    slider_figure,
)
from .style import (
    AXIS_COLOR,
    BOUNDARY_COLOR,
    CLASS_COLORS,
    PALETTE,
    PLOTLY_CONFIG,
    PLOTLY_LAYOUTS,
    SERIES_COLORS,
    TRACE_STYLES,
    XLABEL,
    YLABEL,
    plotly_layout,
    series_style,
)

__all__ = [
    "AXIS_COLOR",
    "BOUNDARY_COLOR",
    "CLASS_COLORS",
    "PALETTE",
    "PLOTLY_CONFIG",
    "PLOTLY_LAYOUTS",
    "SERIES_COLORS",
    "TRACE_STYLES",
    "XLABEL",
    "YLABEL",
    "compare_decision_surfaces",
    "conic_grid",
    "conic_points",
    "conic_slider_figure",
    "conic_text",
    "conic_trace",
    "data_limits",
    "data_traces",
    "decision_grid",
    "decision_trace",
    "level_set_mesh",
    "markdown_table",
    "pareto_figure",
    "pareto_indices",
    "pareto_slider_figure",
    "pareto_traces",
    "plot_conic",
    "plot_data",
    "plot_decision_panels",
    "plot_decision_surface",
    "playground",
    "plotly_layout",
    "polynomial_text",
    "quadric_of",
    "quadric_slider_figure",
    "quadric_surface_3d",
    "seed_table",
    "series_style",
    "show",
    "slider_figure",
]
