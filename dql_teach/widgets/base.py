"""The plumbing every explorer shares: checked state, the ipywidgets view, the static snapshot.

An explorer is a small controller. Its state lives in plain attributes; :meth:`Explorer.update`
checks *every* new value first and computes everything that follows from them (a converted
mode, a new layer, new data), and only then commits them all at once, so an update that is
rejected changes nothing. Its picture comes from a pure :mod:`dql_teach.viz` function.
Displayed in Jupyter, JupyterLab, VS Code or Colab, it shows core ipywidgets controls wired to
the same update with ``observe`` (no ``interact``: see TOOLCHAIN.md); ipywidgets is imported
only there, so ``import dql_teach`` stays light, and the code runs on ipywidgets 7.7 (what
Colab renders) and 8.x alike (see :mod:`dql_teach.compat`).

In the static HTML book (``DQL_BOOK_BUILD=1``) an explorer shows a picture of its current
state instead of sliders that could not do anything without a kernel.
"""

from __future__ import annotations

import base64
import io
import os
from typing import Any

import matplotlib.pyplot as plt

from .. import compat, viz
from .._checks import check_int, check_number

__all__ = ["Explorer"]

# descriptions such as "weight_sq[0]" are cut off at ipywidgets' default width (7 and 8 alike)
_STYLE = {"description_width": "initial"}


class Explorer:
    """Shared plumbing: checking, committing, the ipywidgets view and the static snapshot.

    Subclasses set their defaults as attributes, then call ``super().__init__(**values)``,
    and implement :meth:`redraw`; :meth:`_plan` may add the state that follows from the new
    values (it must not change ``self``).
    """

    #: name -> (min, max, step) of each float slider
    ranges: dict[str, tuple[float, float, float]] = {}
    #: name -> (min, max, step) of each integer slider
    integers: dict[str, tuple[int, int, int]] = {}
    #: name -> allowed values of each choice
    choices: dict[str, tuple] = {}

    def __init__(self, **values: Any) -> None:
        self.figure = None
        self._controls: dict[str, Any] = {}
        self._output = None
        self._box = None
        self._commit(self._plan(values))
        self.redraw()

    # -- state ----------------------------------------------------------------------------
    def names(self) -> tuple[str, ...]:
        """Every name :meth:`update` accepts."""
        return (*self.ranges, *self.integers, *self.choices, *self._extra_names())

    def _extra_names(self) -> tuple[str, ...]:
        return ()

    def value_of(self, name: str) -> Any:
        """The current value of a control (what its slider shows)."""
        return getattr(self, name)

    def state(self) -> dict[str, Any]:
        """``{name: value}`` of every control."""
        return {name: self.value_of(name) for name in self.names()}

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values, checked and normalised (floats, ints); raises before anything changes."""
        known = self.names()
        for name in values:  # every name before any value
            if name not in known:
                raise TypeError(
                    f"{type(self).__name__} got an unknown argument {name!r}; "
                    f"it takes {sorted(known)}"
                )
        checked = {}
        for name, value in values.items():
            if name in self.ranges:
                low, high, _ = self.ranges[name]
                value = check_number(name, value)
                if not low <= value <= high:
                    raise ValueError(f"{name} must be between {low} and {high}, got {value:g}")
            elif name in self.integers:
                low, high, _ = self.integers[name]
                value = check_int(name, value, minimum=low, maximum=high)
            elif name in self.choices and value not in self.choices[name]:
                raise ValueError(f"{name} must be one of {list(self.choices[name])}, got {value!r}")
            checked[name] = value
        return checked

    def _plan(self, values: dict[str, Any]) -> dict[str, Any]:
        """Every attribute to set for these new values: by default the checked values."""
        return self._check(values)

    def _commit(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def update(self, **values: Any):
        """Set some values and redraw; returns the new figure.

        Every value is checked (and what follows from it computed) before any is stored: an
        update that raises leaves the explorer as it was.
        """
        self._commit(self._plan(values))
        self.redraw()
        self._sync_controls()
        self._render_output()
        return self.figure

    def redraw(self) -> None:
        raise NotImplementedError

    # -- display ------------------------------------------------------------------------------
    def _make_controls(self, widgets) -> dict[str, Any]:
        controls = {}
        for name, (low, high, step) in self.ranges.items():
            controls[name] = widgets.FloatSlider(
                value=float(self.value_of(name)), min=low, max=high, step=step,
                description=name, continuous_update=False, style=_STYLE,
            )  # fmt: skip
        for name, (low, high, step) in self.integers.items():
            controls[name] = widgets.IntSlider(
                value=int(self.value_of(name)), min=low, max=high, step=step,
                description=name, continuous_update=False, style=_STYLE,
            )  # fmt: skip
        for name, options in self.choices.items():
            controls[name] = widgets.Dropdown(
                options=list(options), value=self.value_of(name), description=name
            )
        return controls

    def widget(self):
        """The ipywidgets view: controls above an ``Output`` holding the figure.

        Every control's ``observe`` calls :meth:`update`, so setting a control's ``.value`` in
        Python (as a test does) acts exactly like dragging it.
        """
        import ipywidgets as widgets

        self._output = widgets.Output()
        self._box = widgets.VBox()
        self._build_controls()
        self._render_output()
        return self._box

    def _build_controls(self) -> None:
        import ipywidgets as widgets

        self._controls = self._make_controls(widgets)
        for name, control in self._controls.items():
            if hasattr(control, "value"):
                control.observe(lambda change, n=name: self._on_change(n, change), names="value")
        controls = list(self._controls.values())
        rows = [widgets.HBox(controls[i : i + 3]) for i in range(0, len(controls), 3)]
        self._box.children = (*rows, self._output)
        self._sync_controls()

    def _sync_controls(self) -> None:
        """Move the controls to the state (after ``update()``); their observers see no change."""
        names = set(self.names())
        for name, control in self._controls.items():
            if name not in names or not hasattr(control, "value"):
                continue
            value = self.value_of(name)
            if value is not None and control.value != value:
                control.value = value

    def _on_change(self, name: str, change: dict) -> None:
        if self.value_of(name) == change["new"]:
            return  # the state moved the control (update() or _sync_controls), not the reader
        self.update(**{name: change["new"]})

    def _render_output(self) -> None:
        if self._output is None:
            return
        # set the Output's contents directly instead of capturing display() in ``with
        # output:``: the frontend gets one state update, and notebook runners have no output
        # capture to route (nbclient then never stalls on it, jupyter/nbclient#312)
        self._output.outputs = ({"output_type": "display_data", "data": self._bundle(),
                                 "metadata": {}},)  # fmt: skip

    def _bundle(self) -> dict[str, Any]:
        """The current figure as a mime bundle, for the ``Output``."""
        if isinstance(self.figure, plt.Figure):
            # our own PNG: the figure has fixed margins, so skip the inline backend's
            # bbox_inches="tight" pass (a third of the time a slider move takes)
            png = base64.b64encode(self.png(tight=False)).decode("ascii")
            return {"image/png": png, "text/plain": f"<{type(self).__name__} figure>"}
        # plotly's renderer for this frontend (JupyterLab: its JSON, Colab: HTML), as compat
        # picks it: not fig._repr_mimebundle_(), which on plotly 5 also displays 4.5 MB of
        # plotly.js into the cell at every slider move; not display(fig), which would print the
        # figure in the cell instead of the Output
        bundle = compat.plotly_mimebundle(self.figure)
        bundle.setdefault("text/plain", f"<{type(self).__name__} figure>")
        return bundle

    def png(self, dpi: int = 100, tight: bool = True) -> bytes:
        """A PNG snapshot of the current (matplotlib) figure."""
        buffer = io.BytesIO()
        self.figure.savefig(
            buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None,
            # zlib's fastest level: a fifth more bytes, a third of the encoding time
            pil_kwargs={"compress_level": 1},
        )  # fmt: skip
        return buffer.getvalue()

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        if os.environ.get("DQL_BOOK_BUILD"):  # static page: a picture of the current state
            if isinstance(self.figure, plt.Figure):
                display(Image(self.png()))
            else:  # a plotly figure stays rotatable in the page, no kernel needed
                viz.show(self.figure)
            return
        display(self.widget())


def reused_axes(figure, ncols: int = 1, size=(4.5, 4.5), **margins):
    """The figure's ``ncols`` axes, emptied of data but kept, or a new figure with them.

    Keeping the axes (ticks, labels, layout) and replacing only what they show makes a redraw
    several times faster than ``clf()``; a slider then feels live.
    """
    if figure is None:
        figure = plt.figure(figsize=size)
        plt.close(figure)  # managed here, not by pyplot's global state
    if len(figure.axes) != ncols:
        figure.clf()
        # fixed margins: tight_layout would cost more than everything else in a redraw
        figure.subplots_adjust(**{"left": 0.14, "right": 0.96, "top": 0.9, "bottom": 0.11,
                                  **margins})  # fmt: skip
        for ax in figure.subplots(1, ncols, squeeze=False).flat:
            ax.locator_params(nbins=5)  # each tick label costs ~1 ms to render
    for ax in figure.axes:
        for artist in [*ax.images, *ax.lines, *ax.collections, *ax.texts, *ax.patches]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set_title("")
    for text in list(figure.texts):
        text.remove()
    return figure, figure.axes
