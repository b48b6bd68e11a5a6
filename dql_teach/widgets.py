"""Slider widgets ("explorers") for the book, built on :mod:`dql_teach.viz`.

Each explorer is a small controller: its state lives in plain attributes, ``update(**values)``
changes them and redraws ``figure`` (a matplotlib or plotly figure from a pure ``viz``
function), and displaying it in Jupyter, JupyterLab, VS Code or Colab shows core ipywidgets
controls wired to ``update``. Only core ipywidgets are used (Colab renders ipywidgets 7.7;
the code runs on 7.7 and 8.x), imported lazily so ``import dql_teach`` stays light.

In the static HTML book (``DQL_BOOK_BUILD=1``) an explorer shows a picture of its current
state instead of sliders that could not do anything without a kernel.
"""

from __future__ import annotations

import io
import math
import os
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from . import viz
from .data import dataset_names, make_dataset
from .neurons import make_layer
from .quadric import conic_coefficients_to_quadric

__all__ = ["ConicExplorer", "NeuronFormExplorer", "QuadricSurfaceExplorer", "TrainingPlayground"]


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
        self._set(values)
        self.redraw()

    # -- state ----------------------------------------------------------------------------
    def _set(self, values: dict[str, Any]) -> None:
        known = set(self.ranges) | set(self.choices) | set(self._extra_names())
        for name, value in values.items():
            if name not in known:
                raise TypeError(
                    f"{type(self).__name__} got an unknown argument {name!r}; "
                    f"it takes {sorted(known)}"
                )
            if name in self.ranges:
                low, high, _ = self.ranges[name]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise TypeError(f"{name} must be a number, got {value!r}")
                if not low <= value <= high:
                    raise ValueError(f"{name} must be between {low} and {high}, got {value}")
            if name in self.choices and value not in self.choices[name]:
                raise ValueError(f"{name} must be one of {list(self.choices[name])}, got {value!r}")
            setattr(self, name, value)

    def _extra_names(self) -> tuple[str, ...]:
        return ()

    def update(self, **values: Any):
        """Set some values and redraw; returns the new figure."""
        self._set(values)
        for name, value in values.items():  # keep the sliders in step with the state
            control = self._controls.get(name)
            if control is not None and control.value != value:
                control.value = value
        self.redraw()
        return self.figure

    def redraw(self) -> None:
        raise NotImplementedError

    # -- display ------------------------------------------------------------------------------
    def _make_controls(self, widgets) -> dict[str, Any]:
        controls = {}
        for name, (low, high, step) in self.ranges.items():
            controls[name] = widgets.FloatSlider(
                value=float(getattr(self, name)), min=low, max=high, step=step,
                description=name, continuous_update=False,
            )  # fmt: skip
        for name, options in self.choices.items():
            controls[name] = widgets.Dropdown(
                options=list(options), value=getattr(self, name), description=name
            )
        return controls

    def widget(self):
        """The ipywidgets view: controls above the figure."""
        import ipywidgets as widgets

        self._controls = self._make_controls(widgets)
        self._output = widgets.Output()
        for name, control in self._controls.items():
            if hasattr(control, "value"):
                control.observe(lambda change, n=name: self._on_change(n, change), names="value")
        self._render_output()
        controls = list(self._controls.values())
        rows = [widgets.HBox(controls[i : i + 3]) for i in range(0, len(controls), 3)]
        return widgets.VBox([*rows, self._output])

    def _on_change(self, name: str, change: dict) -> None:
        if getattr(self, name) == change["new"]:
            return
        self._set({name: change["new"]})
        self.redraw()
        self._render_output()

    def _render_output(self) -> None:
        if self._output is None:
            return
        from IPython.display import display

        self._output.clear_output(wait=True)
        with self._output:
            if isinstance(self.figure, plt.Figure):
                display(self.figure)
            else:
                viz.show(self.figure)

    def png(self) -> bytes:
        """A PNG snapshot of the current matplotlib figure."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        if os.environ.get("DQL_BOOK_BUILD"):  # static page: a picture of the current state
            if isinstance(self.figure, plt.Figure):
                display(Image(self.png()))
            else:
                viz.show(self.figure)
            return
        display(self.widget())


def _new_axes(figure, size=(4.5, 4.5)):
    if figure is None:
        figure = plt.figure(figsize=size)
        plt.close(figure)  # managed here, not by pyplot's global state
    figure.clf()
    return figure, figure.add_subplot(111)


class ConicExplorer(_Explorer):
    """The 2-D quadric neuron ``a x² + b xy + c y² + d x + e y + f`` and the curve it draws.

    ``mode="coefficients"`` moves the six coefficients; ``mode="eigen"`` moves the eigenvalues
    ``lambda1, lambda2`` and the rotation ``angle`` (degrees) of ``A`` instead, with ``d, e, f``.

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

    def coefficients(self) -> tuple[float, ...]:
        """``(a, b, c, d, e, f)`` of the current state (from the eigen form in eigen mode)."""
        if self.mode == "eigen":
            t = math.radians(self.angle)
            R = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
            A = R @ np.diag([self.lambda1, self.lambda2]) @ R.T
            return (A[0, 0], 2 * A[0, 1], A[1, 1], self.d, self.e, self.f)
        return (self.a, self.b, self.c, self.d, self.e, self.f)

    def quadric(self):
        return conic_coefficients_to_quadric(*self.coefficients())

    def redraw(self) -> None:
        self.figure, ax = _new_axes(self.figure)
        viz.plot_conic(*self.quadric(), ax=ax)

    def _make_controls(self, widgets):
        controls = super()._make_controls(widgets)
        hidden = ("lambda1", "lambda2", "angle") if self.mode == "coefficients" else ("a", "b", "c")
        for name in hidden:
            controls[name].layout.display = "none"
        return controls


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

    def __init__(self, **values: Any) -> None:
        self.l1, self.l2, self.l3, self.bz, self.c, self.angle = 1.0, 1.0, 1.0, 0.0, -1.0, 0.0
        self.resolution = 30
        super().__init__(**values)

    def quadric(self):
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
    ``parameters()``. The title names the conic it draws: a Hadamard neuron never reaches an
    ellipse, whatever the sliders say.

    Example:
        >>> NeuronFormExplorer(form="linear").parameter_names
        ['weight[0]', 'weight[1]', 'bias[0]']
    """

    choices = {"form": ("full", "fan", "hadamard", "diagonal", "lowrank", "linear")}
    max_parameters = 9

    def __init__(self, **values: Any) -> None:
        self.form = "full"
        self.values: list[float] | None = None
        super().__init__(**values)

    def _extra_names(self) -> tuple[str, ...]:
        return tuple(f"p{i}" for i in range(self.max_parameters))

    def _set(self, values: dict[str, Any]) -> None:
        params = {k: v for k, v in values.items() if k.startswith("p") and k[1:].isdigit()}
        rest = {k: v for k, v in values.items() if k not in params}
        if "form" in rest and rest["form"] != getattr(self, "form", None):
            self.values = None  # a new form starts from its own default parameters
        super()._set(rest)
        self.layer = make_layer(self.form, 2, 1, **({"rank": 1} if self.form == "lowrank" else {}))
        if self.values is None:
            with torch.no_grad():
                self._default_parameters()
            self.values = torch.cat(
                [p.detach().reshape(-1) for p in self.layer.parameters()]
            ).tolist()
        for key, value in params.items():
            index = int(key[1:])
            if index >= len(self.values):
                raise ValueError(f"{key}: the {self.form} neuron has {len(self.values)} parameters")
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{key} must be a finite number, got {value!r}")
            self.values[index] = float(value)
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.tensor(self.values), self.layer.parameters())

    def _default_parameters(self) -> None:
        # a readable start: each form's parameters set so that it draws something visible
        for name, p in self.layer.named_parameters():
            p.fill_(0.0)
            if name in ("weight_sq", "weight_a", "weight_r", "weight_q"):
                p.copy_(torch.linspace(1.0, 0.5, p.numel()).reshape(p.shape))
            if name in ("weight_b", "weight_g"):
                p.copy_(torch.linspace(-0.5, 1.0, p.numel()).reshape(p.shape))
            if name == "eigenvalues":
                p.fill_(1.0)
            if name == "bias":
                p.fill_(-0.5)
        if isinstance(self.layer, nn.Linear):
            self.layer.weight.data = torch.tensor([[1.0, 0.5]])

    @property
    def parameter_names(self) -> list[str]:
        return [
            f"{name}[{i}]" for name, p in self.layer.named_parameters() for i in range(p.numel())
        ]

    def redraw(self) -> None:
        self.figure, ax = _new_axes(self.figure)
        viz.plot_conic(*viz.quadric_of(self.layer), ax=ax)
        ax.set_title(f"{self.form}: {ax.get_title()}")

    def _make_controls(self, widgets):
        controls = super()._make_controls(widgets)
        for i, (name, value) in enumerate(zip(self.parameter_names, self.values)):
            controls[f"p{i}"] = widgets.FloatSlider(
                value=value, min=-2.0, max=2.0, step=0.05, description=name,
                continuous_update=False,
            )  # fmt: skip
        return controls


class TrainingPlayground(_Explorer):
    """Train a small network on a toy dataset and watch its decision surface.

    Choose ``dataset``, ``noise``, ``form`` of the hidden layer (or ``linear``), ``hidden``
    neurons (0: a single neuron, no hidden layer), ``lr`` and ``epochs``; :meth:`train` (the
    Train button) fits it with :func:`dql_teach.train.fit` and draws the loss curve and the
    surface. Sizes are capped so one run takes a few seconds on a laptop CPU.

    Example:
        >>> pg = TrainingPlayground(dataset="circles", form="full", hidden=0, epochs=100)
        >>> pg.train().accuracy > 0.9
        True
    """

    ranges = {"noise": (0.0, 0.5, 0.01), "hidden": (0, 16, 1), "lr": (1e-4, 1.0, 1e-3),
              "epochs": (10, 2000, 10)}  # fmt: skip
    choices = {
        "dataset": tuple(n for n in dataset_names() if n != "shells"),
        "form": ("linear", "full", "fan", "hadamard", "diagonal", "lowrank"),
    }

    def __init__(self, **values: Any) -> None:
        self.dataset, self.noise, self.form = "circles", 0.05, "full"
        self.hidden, self.lr, self.epochs = 0, 0.05, 300
        self.seed = 0
        self.history = None
        self.accuracy = float("nan")
        super().__init__(**values)

    def _extra_names(self) -> tuple[str, ...]:
        return ("seed",)

    def build_model(self) -> nn.Module:
        options = {"rank": 1} if self.form == "lowrank" else {}
        hidden = int(self.hidden)
        if hidden == 0:
            return make_layer(self.form, 2, 1, **options)
        return nn.Sequential(
            make_layer(self.form, 2, hidden, **options), nn.ReLU(), nn.Linear(hidden, 1)
        )

    def train(self) -> TrainingPlayground:
        """Fit a fresh model with the current settings and redraw."""
        from .analysis import count_parameters
        from .train import evaluate, fit

        X, y = make_dataset(self.dataset, n_samples=400, noise=self.noise, seed=self.seed)
        torch.manual_seed(self.seed)
        self.model = self.build_model()
        try:
            self.history = fit(self.model, X, y, epochs=int(self.epochs), lr=self.lr,
                               progress=False)  # fmt: skip
            self.accuracy = evaluate(self.model, X, y)
            self.message = None
        except FloatingPointError as error:  # a diverged run is drawn, not raised
            self.history, self.accuracy, self.message = None, float("nan"), str(error)
        self.parameters = count_parameters(self.model)
        self.data = (X, y)
        self.redraw()
        self._render_output()
        return self

    def redraw(self) -> None:
        self.figure = self.figure or plt.figure(figsize=(8, 3.8))
        plt.close(self.figure)
        self.figure.clf()
        ax_loss, ax_surface = self.figure.subplots(1, 2)
        if self.history is None:
            X, y = make_dataset(self.dataset, n_samples=400, noise=self.noise, seed=self.seed)
            ax_surface.scatter(*X.T, c=[viz.CLASS_COLORS[int(v)] for v in y], s=8)
            ax_surface.set(aspect="equal", title=getattr(self, "message", None) or "press Train")
            ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
            return
        ax_loss.plot(self.history.loss, color=viz.PALETTE["blue"])
        ax_loss.set(xlabel="epoch", ylabel="loss", yscale="log", title="training loss")
        viz.plot_decision_surface(
            self.model, *self.data, ax=ax_surface, resolution=100,
            title=f"{self.form}: {self.parameters} params, {self.accuracy:.0%}",
        )  # fmt: skip
        self.figure.tight_layout()

    def _make_controls(self, widgets):
        controls = super()._make_controls(widgets)
        controls["hidden"] = widgets.IntSlider(value=int(self.hidden), min=0, max=16,
                                               description="hidden")  # fmt: skip
        controls["epochs"] = widgets.IntSlider(value=int(self.epochs), min=10, max=2000,
                                               step=10, description="epochs")  # fmt: skip
        controls["lr"] = widgets.FloatLogSlider(value=self.lr, base=10, min=-4, max=0,
                                                description="lr")  # fmt: skip
        button = widgets.Button(description="Train")
        button.on_click(lambda _: self.train())
        controls["train"] = button
        return controls
