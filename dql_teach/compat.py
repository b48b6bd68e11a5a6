"""The one place for code that differs between the versions dql_teach supports.

Two runtimes are tested (``make test`` and ``make test-colab``): the newest releases, and
Google Colab's pinned runtime (tests/colab-constraints.txt: plotly 5.24, ipywidgets 7.7,
IPython 7.34, torch 2.11 there, 2.13 here). What differs, and what each helper does about it:

- **plotly's renderer in a Jupyter kernel.** plotly 6+ picks ``"plotly_mimetype"`` in an
  ipykernel: one ``application/vnd.plotly.v1+json`` output, drawn by the plotly extension that
  JupyterLab, Notebook 7 and VS Code load. plotly 5 picks ``"plotly_mimetype+notebook"``, and its
  ``notebook`` renderer displays all of plotly.js (4.5 MB of HTML) into the current cell every
  time a figure is rendered: once per figure, and once per slider move of a plotly explorer.
  plotly 5 ships the same extension, so :func:`plotly_renderer` makes plotly 6's choice there.
  Colab's own renderer (``"colab"``: HTML that loads plotly.js from a CDN, which plotly 5 picks
  when ``google.colab`` imports and plotly 6+ when ``COLAB_NOTEBOOK_ID`` is set) and any renderer
  the reader chose are kept. :func:`plotly_mimebundle` renders with it and nothing else.
- **ipywidgets 7 and 8.** The parts :mod:`dql_teach.widgets` uses (``FloatSlider``,
  ``FloatLogSlider``, ``IntSlider``, ``Dropdown``, ``Button``, ``HBox``/``VBox``, ``Output``
  with ``outputs`` set directly, ``observe(names="value")``, ``layout.display``) behave the same
  on both, so no helper is needed; tests/test_compat.py asserts each behaviour the explorers
  rely on, on whichever version is installed. The one difference is how a widget displays
  itself: ipywidgets 7 through ``_ipython_display_``, 8 through ``_repr_mimebundle_``. IPython's
  ``display()`` handles either, so the explorers display their widget with it and never call
  either method themselves.
- **torch.** The most recent torch API dql_teach calls is ``torch.compiler.is_compiling``
  (torch 2.3), so pyproject.toml asks for ``torch>=2.3``, and no supported torch needs a code
  path of its own. (``torch.load``'s ``weights_only`` default, which changed in torch 2.6,
  does not matter: dql_teach loads no files; its tests pass ``weights_only=True``.)

Only the standard library is imported here at module level: ``import dql_teach`` stays light.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["plotly_mimebundle", "plotly_renderer"]


# plotly 5's choice in an ipykernel (outside Colab, VS Code, Kaggle, ...), and plotly 6+'s
_PLOTLY5_KERNEL_DEFAULT = "plotly_mimetype+notebook"
_PLOTLY6_KERNEL_DEFAULT = "plotly_mimetype"


def _in_ipykernel() -> bool:
    """Whether this runs in a Jupyter kernel (ipykernel), as plotly 6+ tells it."""
    ipython = sys.modules.get("IPython")  # never imported here: a kernel has imported it
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__module__.startswith("ipykernel.")


def plotly_renderer() -> str:
    """The plotly renderer string dql_teach displays figures with.

    plotly's own default (``plotly.io.renderers.default``), except in a Jupyter kernel where
    plotly 5 chose ``"plotly_mimetype+notebook"``: there it is ``"plotly_mimetype"``, what
    plotly 6+ chooses (see the module docstring). ``""`` outside a notebook.
    """
    import plotly.io as pio

    default = pio.renderers.default
    if default == _PLOTLY5_KERNEL_DEFAULT and _in_ipykernel():
        return _PLOTLY6_KERNEL_DEFAULT
    return default


def plotly_mimebundle(fig) -> dict[str, Any]:
    """The mime bundle that :func:`plotly_renderer` gives for ``fig`` (a plotly ``Figure``).

    What a notebook frontend needs to draw the figure: the plotly JSON in Jupyter and VS Code,
    HTML in Colab. Renderers that draw elsewhere (``"browser"``: a web browser tab) contribute
    nothing, so the bundle is ``{}`` outside a notebook. Unlike ``fig._repr_mimebundle_()``,
    it never displays plotly.js into the current cell as a side effect on plotly 5.
    """
    import plotly.io as pio

    bundle: dict[str, Any] = {}
    fig_dict = fig.to_dict()
    for name in filter(None, plotly_renderer().split("+")):
        renderer = pio.renderers[name]
        if hasattr(renderer, "to_mimebundle"):  # a mime-type renderer, not an external one
            renderer.activate()  # what plotly does before rendering (no-op for most)
            bundle.update(renderer.to_mimebundle(fig_dict))
    return bundle
