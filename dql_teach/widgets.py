"""Slider widgets ("explorers") for the book, built on :mod:`dql_teach.viz`.

Each explorer is a small controller: its state lives in plain attributes, ``update(**values)``
changes them and redraws ``figure`` (a matplotlib or plotly figure from a pure ``viz``
function), and displaying it in Jupyter, JupyterLab, VS Code or Colab shows core ipywidgets
controls wired to ``update`` with ``observe`` (no ``interact``: see TOOLCHAIN.md). Only core
ipywidgets are used (Colab renders ipywidgets 7.7; the code runs on 7.7 and 8.x), imported
lazily so ``import dql_teach`` stays light.

In the static HTML book (``DQL_BOOK_BUILD=1``) an explorer shows a picture of its current
state instead of sliders that could not do anything without a kernel.
"""

from __future__ import annotations

import base64
import io
import math
import os
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.ticker import FuncFormatter, NullFormatter
from torch import nn

from . import compat, viz
from .compare import make_mlp
from .data import DATASETS, make_dataset
from .forms import make_layer
from .quadric import conic_coefficients_to_quadric

__all__ = ["ConicExplorer", "NeuronFormExplorer", "QuadricSurfaceExplorer", "TrainingPlayground"]

# descriptions such as "weight_sq[0]" are cut off at ipywidgets' default width (7 and 8 alike)
_STYLE = {"description_width": "initial"}


class _Explorer:
    """Shared plumbing: validation, the ipywidgets view, and the static snapshot."""

    #: name -> (min, max, step) of each numeric slider
    ranges: dict[str, tuple[float, float, float]] = {}
    #: name -> allowed values of each choice
    choices: dict[str, tuple] = {}

    def __init__(self, **values: Any) -> None:
        self.figure = None
        self._controls: dict[str, Any] = {}
        self._output = None
        self._box = None
        self._set(values)
        self.redraw()

    # -- state ----------------------------------------------------------------------------
    def _set(self, values: dict[str, Any]) -> None:
        known = set(self.ranges) | set(self.choices) | set(self._extra_names())
        for name in values:  # check every name before changing anything
            if name not in known:
                raise TypeError(
                    f"{type(self).__name__} got an unknown argument {name!r}; "
                    f"it takes {sorted(known)}"
                )
        for name, value in values.items():
            if name in self.ranges:
                low, high, _ = self.ranges[name]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise TypeError(f"{name} must be a number, got {value!r}")
                if not low <= value <= high:
                    raise ValueError(f"{name} must be between {low} and {high}, got {value}")
            if name in self.choices and value not in self.choices[name]:
                raise ValueError(f"{name} must be one of {list(self.choices[name])}, got {value!r}")
        for name, value in values.items():
            setattr(self, name, value)

    def _extra_names(self) -> tuple[str, ...]:
        return ()

    def update(self, **values: Any):
        """Set some values and redraw; returns the new figure."""
        self._set(values)
        self.redraw()
        self._sync_controls()
        return self.figure

    def redraw(self) -> None:
        raise NotImplementedError

    # -- display ------------------------------------------------------------------------------
    def _make_controls(self, widgets) -> dict[str, Any]:
        controls = {}
        for name, (low, high, step) in self.ranges.items():
            controls[name] = widgets.FloatSlider(
                value=float(getattr(self, name)), min=low, max=high, step=step,
                description=name, continuous_update=False, style=_STYLE,
            )  # fmt: skip
        for name, options in self.choices.items():
            controls[name] = widgets.Dropdown(
                options=list(options), value=getattr(self, name), description=name
            )
        return controls

    def widget(self):
        """The ipywidgets view: controls above an ``Output`` holding the figure.

        Every control's ``observe`` calls the same code as :meth:`update`, so setting a
        control's ``.value`` in Python (as a test does) acts exactly like dragging it.
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
        for name, control in self._controls.items():
            value = getattr(self, name, None)
            if hasattr(control, "value") and value is not None and control.value != value:
                control.value = value

    def _on_change(self, name: str, change: dict) -> None:
        if getattr(self, name) == change["new"]:
            return  # the state moved the control (update() or _sync_controls), not the reader
        self._set({name: change["new"]})
        self.redraw()
        self._sync_controls()
        self._render_output()

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


_PLAIN_NUMBER = FuncFormatter(lambda value, _: f"{value:g}")


def _axes(figure, ncols: int = 1, size=(4.5, 4.5), **margins):
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


def _clamp(value: float, name: str, ranges: dict) -> float:
    low, high, _ = ranges[name]
    return float(min(max(value, low), high))


class ConicExplorer(_Explorer):
    """The 2-D quadric neuron ``a x² + b xy + c y² + d x + e y + f`` and the curve it draws.

    ``mode="coefficients"`` moves the six coefficients; ``mode="eigen"`` moves the eigenvalues
    ``lambda1, lambda2`` and the rotation ``angle`` (degrees) of ``A`` instead, with ``d, e, f``.
    Switching the mode converts the current state, so the picture stays where it was.

    Example:
        >>> explorer = ConicExplorer(a=1.0, c=-1.0)
        >>> explorer.figure.axes[0].get_title()
        'hyperbola'
    """

    ranges = {
        "a": (-3.0, 3.0, 0.1), "b": (-3.0, 3.0, 0.1), "c": (-3.0, 3.0, 0.1),
        "d": (-3.0, 3.0, 0.1), "e": (-3.0, 3.0, 0.1), "f": (-3.0, 3.0, 0.1),
        "lambda1": (-3.0, 3.0, 0.1), "lambda2": (-3.0, 3.0, 0.1), "angle": (-90.0, 90.0, 5.0),
    }  # fmt: skip
    choices = {"mode": ("coefficients", "eigen")}

    def __init__(self, **values: Any) -> None:
        self.a, self.b, self.c, self.d, self.e, self.f = 1.0, 0.0, 1.0, 0.0, 0.0, -1.0
        self.lambda1, self.lambda2, self.angle = 1.0, 1.0, 0.0
        self.mode = "coefficients"
        super().__init__(**values)

    def _set(self, values: dict[str, Any]) -> None:
        new_mode = values.get("mode", self.mode)
        if new_mode != self.mode:
            # carry the picture over: the other mode's sliders start from the current A
            rest = {k: v for k, v in values.items() if k != "mode"}
            super()._set({"mode": new_mode})
            self._convert(to=new_mode)
            values = rest
        super()._set(values)

    def _convert(self, to: str) -> None:
        if to == "coefficients":  # a, b, c of R diag(l1, l2) R^T: always inside the ranges
            self.mode = "eigen"
            self.a, self.b, self.c = (float(v) for v in self.coefficients()[:3])
        else:  # eigen-decompose A; clamp to the sliders' ranges
            A = np.array([[self.a, self.b / 2], [self.b / 2, self.c]])
            lam, vec = np.linalg.eigh(A)
            angle = math.degrees(math.atan2(vec[1, 0], vec[0, 0]))
            angle = (angle + 90.0) % 180.0 - 90.0  # an axis, not an arrow: (-90, 90]
            self.lambda1 = _clamp(float(lam[0]), "lambda1", self.ranges)
            self.lambda2 = _clamp(float(lam[1]), "lambda2", self.ranges)
            self.angle = _clamp(angle, "angle", self.ranges)
        self.mode = to

    def coefficients(self) -> tuple[float, ...]:
        """``(a, b, c, d, e, f)`` of the current state (from the eigen form in eigen mode)."""
        if self.mode == "eigen":
            t = math.radians(self.angle)
            R = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
            A = R @ np.diag([self.lambda1, self.lambda2]) @ R.T
            return (A[0, 0], 2 * A[0, 1], A[1, 1], self.d, self.e, self.f)
        return (self.a, self.b, self.c, self.d, self.e, self.f)

    def quadric(self):
        """``(A (2, 2), b (2,), c ())`` of the current state."""
        return conic_coefficients_to_quadric(*self.coefficients())

    def redraw(self) -> None:
        self.figure, (ax,) = _axes(self.figure)
        viz.plot_conic(*self.quadric(), ax=ax)

    def _sync_controls(self) -> None:
        super()._sync_controls()
        hidden = ("lambda1", "lambda2", "angle") if self.mode == "coefficients" else ("a", "b", "c")
        for name in ("a", "b", "c", "lambda1", "lambda2", "angle"):
            if name in self._controls:
                self._controls[name].layout.display = "none" if name in hidden else None


class QuadricSurfaceExplorer(_Explorer):
    """A 3-D quadric ``x^T A x + b·x + c`` with diagonal ``A``, a rotation about ``z`` and a
    linear term along ``z``: ellipsoids, hyperboloids, paraboloids, cylinders and cones
    (plotly, rotatable).

    Example:
        >>> QuadricSurfaceExplorer(l3=-1.0, c=-0.5).figure.layout.title.text
        'hyperboloid of one sheet'
    """

    ranges = {
        "l1": (-2.0, 2.0, 0.1), "l2": (-2.0, 2.0, 0.1), "l3": (-2.0, 2.0, 0.1),
        "bz": (-2.0, 2.0, 0.1), "c": (-2.0, 2.0, 0.1), "angle": (-90.0, 90.0, 5.0),
    }  # fmt: skip

    def __init__(self, resolution: int = 30, **values: Any) -> None:
        if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
            raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
        self.l1, self.l2, self.l3, self.bz, self.c, self.angle = 1.0, 1.0, 1.0, 0.0, -1.0, 0.0
        self.resolution = resolution
        super().__init__(**values)

    def quadric(self):
        """``(A (3, 3), b (3,), c)`` of the current state, float64."""
        t = math.radians(self.angle)
        R = torch.tensor(
            [[math.cos(t), -math.sin(t), 0.0], [math.sin(t), math.cos(t), 0.0], [0, 0, 1.0]],
            dtype=torch.float64,
        )
        A = R @ torch.diag(torch.tensor([self.l1, self.l2, self.l3], dtype=torch.float64)) @ R.T
        return A, torch.tensor([0.0, 0.0, self.bz], dtype=torch.float64), float(self.c)

    def redraw(self) -> None:
        self.figure = viz.quadric_surface_3d(*self.quadric(), resolution=self.resolution)


class NeuronFormExplorer(_Explorer):
    """One neuron of a chosen form on two inputs, with its actual parameters on sliders.

    ``form`` picks ``linear``, ``full``, ``fan``, ``hadamard``, ``diagonal`` or ``lowrank``
    (rank 1); the sliders ``p0, p1, ...`` are the neuron's free parameters in the order of
    ``parameters()``. The title names the conic it draws and the line under the plot says which
    conics the form can and cannot reach: a Hadamard neuron never draws an ellipse, whatever
    the sliders say.

    Example:
        >>> NeuronFormExplorer(form="linear").parameter_names
        ['weight[0]', 'weight[1]', 'bias[0]']
    """

    choices = {"form": ("full", "fan", "hadamard", "diagonal", "lowrank", "linear")}
    max_parameters = 9
    #: form -> what one neuron on two inputs can draw, and what it never can (from its A)
    reach = {
        "full": "any conic: A is any symmetric matrix",
        "fan": "any conic: A = sym(u vᵀ) + diag(q) reaches every conic type",
        "diagonal": "axis-aligned conics only: no xy term, so never a tilted ellipse or x₁x₂ = 0",
        "hadamard": "hyperbolas, parabolas, line pairs; never an ellipse: det A ≤ 0",
        "lowrank": "parabolas and parallel lines; never an ellipse or hyperbola: rank A ≤ 1",
        "linear": "a straight line only: A = 0",
    }

    def __init__(self, **values: Any) -> None:
        self.form = "full"
        self.values: list[float] | None = None
        super().__init__(**values)

    def _extra_names(self) -> tuple[str, ...]:
        return tuple(f"p{i}" for i in range(self.max_parameters))

    def _set(self, values: dict[str, Any]) -> None:
        params = {k: v for k, v in values.items() if k.startswith("p") and k[1:].isdigit()}
        rest = {k: v for k, v in values.items() if k not in params}
        built = getattr(self, "_built_form", None)
        super()._set(rest)
        if self.form != built:  # a new form starts from its own default parameters
            options = {"rank": 1} if self.form == "lowrank" else {}
            self.layer = make_layer(self.form, 2, 1, **options)
            self._built_form = self.form
            with torch.no_grad():
                self._default_parameters()
            self.values = torch.cat(
                [p.detach().reshape(-1) for p in self.layer.parameters()]
            ).tolist()
        for key, value in params.items():  # check them all before changing any
            if int(key[1:]) >= len(self.values):
                raise ValueError(f"{key}: the {self.form} neuron has {len(self.values)} parameters")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{key} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{key} must be a finite number, got {value!r}")
        for key, value in params.items():
            self.values[int(key[1:])] = float(value)
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.tensor(self.values), self.layer.parameters())

    def __getattr__(self, name: str):
        # the p* "attributes" are views of self.values, so the sliders can sync with the state
        if name.startswith("p") and name[1:].isdigit() and "values" in self.__dict__:
            index = int(name[1:])
            if self.values is not None and index < len(self.values):
                return self.values[index]
            return None
        raise AttributeError(name)

    def _default_parameters(self) -> None:
        # a readable start: each form's parameters set so that it draws something visible
        for name, p in self.layer.named_parameters():
            p.fill_(0.0)
            if name in ("weight_sq", "weight_quad", "weight_u", "weight_q"):
                p.copy_(torch.linspace(1.0, 0.5, p.numel()).reshape(p.shape))
            if name == "weight_v":
                p.copy_(torch.linspace(-0.5, 1.0, p.numel()).reshape(p.shape))
            if name == "weight_lambda":
                p.fill_(1.0)
            if name == "bias":
                p.fill_(-0.5)
        if isinstance(self.layer, nn.Linear):
            self.layer.weight.data = torch.tensor([[1.0, 0.5]])

    @property
    def parameter_names(self) -> list[str]:
        """``name[i]`` of every free parameter, in the order of the sliders ``p0, p1, ...``."""
        return [
            f"{name}[{i}]" for name, p in self.layer.named_parameters() for i in range(p.numel())
        ]

    def redraw(self) -> None:
        self.figure, (ax,) = _axes(self.figure, size=(4.5, 4.9), bottom=0.17)
        viz.plot_conic(*viz.quadric_of(self.layer), ax=ax)
        ax.set_title(f"{self.form}: {ax.get_title()}")
        self.figure.text(0.5, 0.015, self.reach[self.form], ha="center", fontsize=8, wrap=True)

    def _make_controls(self, widgets):
        controls = super()._make_controls(widgets)
        for i, (name, value) in enumerate(zip(self.parameter_names, self.values)):
            controls[f"p{i}"] = widgets.FloatSlider(
                value=value, min=-2.0, max=2.0, step=0.05, description=name,
                continuous_update=False, style=_STYLE,
            )  # fmt: skip
        return controls

    def _on_change(self, name: str, change: dict) -> None:
        rebuild = name == "form" and change["new"] != self.form
        super()._on_change(name, change)
        if rebuild:  # another form has other parameters: new sliders
            self._build_controls()

    def update(self, **values: Any):
        rebuild = "form" in values and values["form"] != self.form
        figure = super().update(**values)
        if rebuild and self._box is not None:
            self._build_controls()
        return figure


class TrainingPlayground(_Explorer):
    """Train a small network on a toy dataset and watch its decision surface.

    Choose ``dataset``, ``noise``, ``form`` of the hidden layer (or ``linear``), ``hidden``
    neurons (0: a single neuron, no hidden layer), ``lr`` and ``epochs``; :meth:`train` (the
    Train button) fits it with :func:`dql_teach.train.fit` (full batch, 400 points) and draws
    the loss curve and the surface, also a few times while it learns when displayed. Sizes are
    capped so one run takes a few seconds at most on a laptop CPU. Changing the data or the
    model clears the result; changing ``lr`` or ``epochs`` keeps it until the next run.

    Example:
        >>> pg = TrainingPlayground(dataset="circles", form="full", hidden=0, epochs=100)
        >>> pg.train().accuracy > 0.9
        True
    """

    ranges = {"noise": (0.0, 0.5, 0.01), "hidden": (0, 16, 1), "lr": (1e-4, 1.0, 1e-3),
              "epochs": (10, 2000, 10)}  # fmt: skip
    choices = {
        "dataset": tuple(name for name, spec in DATASETS.items() if spec.dim == 2),
        "form": ("linear", "full", "fan", "hadamard", "diagonal", "lowrank"),
    }
    n_samples = 400
    #: how many times the picture is redrawn during one run, when the widget is on screen
    live_frames = 8

    def __init__(self, resolution: int = 200, **values: Any) -> None:
        if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
            raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
        self.dataset, self.noise, self.form = "circles", 0.05, "full"
        self.hidden, self.lr, self.epochs = 0, 0.05, 300
        self.seed = 0
        self.resolution = resolution
        self.history = None
        self.model = None
        self.message = None
        self.accuracy = float("nan")
        self.parameters = 0
        self.data = None
        self._data_key = None
        self._trained_on = None
        self._live_epoch = None
        self._runs = 0  # trainings so far: part of the cached grid's key
        self._grid, self._grid_key = None, None
        super().__init__(**values)

    def _extra_names(self) -> tuple[str, ...]:
        return ("seed",)

    def _set(self, values: dict[str, Any]) -> None:
        super()._set(values)
        data_key = (self.dataset, self.noise, self.seed)
        if data_key != self._data_key:
            self.data = make_dataset(
                self.dataset, n_samples=self.n_samples, noise=self.noise, seed=self.seed
            )
            self._data_key = data_key
        if self.model is not None and self._setup() != self._trained_on:
            # new data or another model: the drawn result would be stale
            self.history, self.model, self.message = None, None, None
            self.accuracy, self._trained_on = float("nan"), None

    def _setup(self) -> tuple:
        return (self.dataset, self.noise, self.seed, self.form, int(self.hidden))

    def build_model(self) -> nn.Module:
        """A fresh model for the current settings: one neuron, or ``hidden`` neurons + ReLU +
        a linear read-out."""
        options = {"rank": 1} if self.form == "lowrank" else {}
        hidden = int(self.hidden)
        if hidden == 0:
            return make_layer(self.form, 2, 1, **options)
        return make_mlp([2, hidden, 1], [self.form, "linear"], **options)

    def train(self) -> TrainingPlayground:
        """Fit a fresh model with the current settings and redraw."""
        from .analysis import count_parameters
        from .train import evaluate, fit

        X, y = self.data
        torch.manual_seed(self.seed)
        self._runs += 1
        self.model = self.build_model()
        self.parameters = count_parameters(self.model)
        self.history, self.message = None, None
        epochs = int(self.epochs)
        every = max(1, epochs // self.live_frames)

        def live(epoch: int, model: nn.Module) -> None:
            # only when on screen: tests and scripts train at full speed
            if self._output is not None and (epoch + 1) % every == 0 and epoch + 1 < epochs:
                self._live_epoch = epoch + 1
                self.redraw()
                self._render_output()

        try:
            self.history = fit(
                self.model, X, y, epochs=epochs, lr=self.lr, progress=False, callback=live
            )
            self.accuracy = evaluate(self.model, X, y)
        except FloatingPointError as error:  # a diverged run is drawn, not raised
            self.accuracy, self.message = float("nan"), str(error)
        self._live_epoch = None
        self._trained_on = self._setup()
        self.redraw()
        self._render_output()
        return self

    def redraw(self) -> None:
        self.figure, (ax_loss, ax_surface) = _axes(
            self.figure, 2, size=(8, 3.8), left=0.08, right=0.98, top=0.88, bottom=0.14,
            wspace=0.3,
        )  # fmt: skip
        X, y = self.data
        ax_loss.set(xlabel="epoch", ylabel="loss", title="training loss", yscale="linear")
        live_epoch = self._live_epoch
        if self.model is None or self.message:  # nothing (sensible) to draw yet
            viz._scatter(ax_surface, X, y)
            xlim, ylim = viz._limits(X)  # set, not autoscaled: the axes are reused
            ax_surface.set(
                aspect="equal", xlim=xlim, ylim=ylim, xlabel=viz.XLABEL, ylabel=viz.YLABEL
            )
            ax_loss.text(0.5, 0.5, "no run yet", ha="center", transform=ax_loss.transAxes)
            ax_surface.set_title(self.message or "press Train", wrap=True)
            return
        if self.history is not None:
            ax_loss.plot(self.history.loss, color=viz.PALETTE["blue"])
            ax_loss.set_yscale("log")
            # plain tick labels: the log axis's default "10^k" goes through mathtext, a
            # quarter of the time a slider move takes
            ax_loss.yaxis.set_major_formatter(_PLAIN_NUMBER)
            ax_loss.yaxis.set_minor_formatter(NullFormatter())
        if live_epoch is not None:
            title = f"{self.form}: training… epoch {live_epoch}/{int(self.epochs)}"
        else:
            title = f"{self.form}: {self.parameters} params, accuracy {self.accuracy:.0%}"
        key = (id(self.model), self._runs, live_epoch)
        if self._grid_key != key:  # evaluate the model only when it changed
            xlim, ylim = viz._limits(X)
            self._grid = viz.decision_grid(self.model, xlim, ylim, self.resolution)
            self._grid_key = key
        viz.plot_decision_surface(self.model, X, y, ax=ax_surface, title=title, grid=self._grid)

    def _make_controls(self, widgets):
        controls = super()._make_controls(widgets)
        controls["hidden"] = widgets.IntSlider(value=int(self.hidden), min=0, max=16,
                                               description="hidden")  # fmt: skip
        controls["epochs"] = widgets.IntSlider(value=int(self.epochs), min=10, max=2000,
                                               step=10, description="epochs")  # fmt: skip
        controls["lr"] = widgets.FloatLogSlider(value=self.lr, base=10, min=-4, max=0,
                                                description="lr")  # fmt: skip
        button = widgets.Button(description="Train", button_style="primary")
        button.on_click(lambda _: self.train())
        controls["train"] = button
        return controls
