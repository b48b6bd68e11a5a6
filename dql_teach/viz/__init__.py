"""Figures of the book: decision surfaces, conics, 3-D quadrics, slider figures, Pareto plots.

Split by what the parts do, as in TensorFlow Playground:

- :mod:`.grids`: numbers only (decision grids, conic curves, 3-D level sets, limits, fronts);
- :mod:`.mpl_figures`: matplotlib figures (``plot_*``, panels of decision surfaces);
- :mod:`.plotly_figures`: plotly figures, whose sliders switch between precomputed frames so
  they stay interactive in the static HTML book with no kernel; :mod:`.pareto_figures`: the
  Pareto plots of accuracy against parameters;
- :mod:`.display`: where output goes (:func:`show`, :func:`markdown_table`) and figure text;
- :mod:`.style`: every colour (Okabe–Ito, colour-blind safe), marker and plotly layout default;
- :func:`playground`: the in-page playground of :mod:`dql_teach.playground` (JavaScript that
  trains in the reader's browser), re-exported here beside the figures.

Everything public is re-exported here: ``dql_teach.viz.plot_conic`` and so on.
"""

from ..playground import playground
from .display import (
    conic_text,
    figure_html,
    markdown_table,
    polynomial_text,
    seed_table,
    show,
    signed_numbers,
)
from .grids import (
    conic_grid,
    conic_points,
    data_limits,
    decision_grid,
    level_set_mesh,
    pareto_indices,
    quadric_of,
    simplify_mesh,
)
from .mpl_figures import (
    book_style,
    compare_decision_surfaces,
    plot_conic,
    plot_data,
    plot_decision_panels,
    plot_decision_surface,
    subplots,
)
from .pareto_figures import log_ticks, pareto_figure, pareto_slider_figure, pareto_traces
from .plotly_figures import (
    conic_slider_figure,
    conic_trace,
    data_traces,
    decision_trace,
    quadric_slider_figure,
    quadric_surface_3d,
    slider_figure,
)
from .style import (
    AXIS_COLOR,
    BOUNDARY_COLOR,
    CLASS_COLORS,
    CLASS_MARKERS,
    CLASS_SYMBOLS,
    MPL_RC,
    PALETTE,
    PLOTLY_CONFIG,
    PLOTLY_LAYOUTS,
    PLOTLY_TEMPLATE,
    SERIES_COLORS,
    SERIES_DASHES,
    SERIES_LINESTYLES,
    TRACE_STYLES,
    XLABEL,
    YLABEL,
    plotly_config,
    plotly_layout,
    series_style,
)

__all__ = [
    "AXIS_COLOR",
    "BOUNDARY_COLOR",
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "CLASS_SYMBOLS",
    "MPL_RC",
    "PALETTE",
    "PLOTLY_CONFIG",
    "PLOTLY_LAYOUTS",
    "PLOTLY_TEMPLATE",
    "SERIES_COLORS",
    "SERIES_DASHES",
    "SERIES_LINESTYLES",
    "TRACE_STYLES",
    "XLABEL",
    "YLABEL",
    "book_style",
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
    "figure_html",
    "level_set_mesh",
    "log_ticks",
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
    "plotly_config",
    "plotly_layout",
    "polynomial_text",
    "quadric_of",
    "quadric_slider_figure",
    "quadric_surface_3d",
    "seed_table",
    "series_style",
    "show",
    "signed_numbers",
    "simplify_mesh",
    "slider_figure",
    "subplots",
]
