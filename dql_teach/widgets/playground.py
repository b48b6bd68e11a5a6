"""The training playground: pick data and a network, train it, watch loss and surface.

Training is a pure function, :func:`train_playground` (a :class:`PlaygroundConfig` in, a
:class:`PlaygroundRun` out, the global random state untouched); :class:`TrainingPlayground`
is the widget around it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter
from torch import Tensor, nn

from .. import DATASETS, FORMS, make_dataset, make_layer, make_mlp, viz
from .._checks import check_int, check_number, check_positive_int, check_seed
from .base import Explorer, reused_axes

__all__ = [
    "PlaygroundConfig",
    "PlaygroundRun",
    "TrainingPlayground",
    "build_playground_model",
    "train_playground",
]


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything one playground run depends on; checked when it is made.

    Attributes:
        dataset: a 2-D dataset of :data:`dql_teach.DATASETS`.
        noise: the dataset's noise.
        form: the hidden layer's form (a name of :data:`dql_teach.FORMS`; ``lowrank`` with
            rank 1), or of the single neuron when ``hidden`` is 0.
        hidden: hidden neurons, each followed by a ReLU, then a linear read-out; 0: one
            neuron of ``form``, no hidden layer.
        lr, epochs: of full-batch Adam (:func:`dql_teach.fit`).
        seed: of the data and of the initial weights.
        n_samples: points in the dataset.
    """

    dataset: str = "circles"
    noise: float = 0.05
    form: str = "full"
    hidden: int = 0
    lr: float = 0.05
    epochs: int = 300
    seed: int = 0
    n_samples: int = 400

    def __post_init__(self) -> None:
        names = tuple(name for name, spec in DATASETS.items() if spec.dim == 2)
        if self.dataset not in names:
            raise ValueError(f"dataset must be one of {list(names)}, got {self.dataset!r}")
        if self.form not in FORMS:
            raise ValueError(f"form must be one of {list(FORMS)}, got {self.form!r}")
        check_number("noise", self.noise, minimum=0)
        check_int("hidden", self.hidden, minimum=0)
        check_number("lr", self.lr, minimum=0, exclusive_minimum=True)
        check_positive_int("epochs", self.epochs)
        check_seed("seed", self.seed)
        check_positive_int("n_samples", self.n_samples)

    def data(self) -> tuple[Tensor, Tensor]:
        """``(X (N, 2), y (N,))`` of this configuration."""
        return make_dataset(
            self.dataset, n_samples=self.n_samples, noise=self.noise, seed=self.seed
        )


@dataclass
class PlaygroundRun:
    """What one run of :func:`train_playground` gives.

    Attributes:
        model: the trained network.
        history: :func:`dql_teach.fit`'s :class:`~dql_teach.History`; ``None`` if it diverged.
        accuracy: on the training data (NaN if it diverged).
        parameters: the network's parameter count.
        message: why the run stopped early (a diverged loss), else ``None``.
    """

    model: nn.Module
    history: Any
    accuracy: float
    parameters: int
    message: str | None = None


def build_playground_model(config: PlaygroundConfig) -> nn.Module:
    """A fresh network for ``config``: one neuron of its form, or ``hidden`` neurons + ReLU +
    a linear read-out (:func:`dql_teach.make_mlp`)."""
    # rank: one factor for the forms whose rank is an option; the others ignore it
    if config.hidden == 0:
        return make_layer(config.form, 2, 1, rank=1)
    return make_mlp([2, config.hidden, 1], [config.form, "linear"], rank=1)


def train_playground(
    config: PlaygroundConfig,
    data: tuple[Tensor, Tensor] | None = None,
    callback: Callable[[int, nn.Module], object] | None = None,
    build: Callable[[PlaygroundConfig], nn.Module] = build_playground_model,
) -> PlaygroundRun:
    """Train a fresh network for ``config`` and measure it.

    The weights start from ``torch.manual_seed(config.seed)`` inside
    ``torch.random.fork_rng``: the same config gives the same run, and the caller's random
    state is left as it was. A run whose loss diverges is returned with its ``message``, not
    raised.

    Args:
        data: ``(X, y)``, if already made (else :meth:`PlaygroundConfig.data`).
        callback: called as ``callback(epoch, model)`` after every epoch.
        build: makes the network from the config.

    Example:
        >>> run = train_playground(PlaygroundConfig(epochs=100))
        >>> run.parameters, run.accuracy > 0.9
        (6, True)
    """
    from .. import count_parameters, evaluate, fit

    X, y = config.data() if data is None else data
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = build(config)
        parameters = count_parameters(model)
        try:
            history = fit(model, X, y, epochs=config.epochs, lr=config.lr, progress=False,
                          callback=callback)  # fmt: skip
        except FloatingPointError as error:  # a diverged run is drawn, not raised
            return PlaygroundRun(model, None, float("nan"), parameters, str(error))
    return PlaygroundRun(model, history, evaluate(model, X, y), parameters)


_PLAIN_NUMBER = FuncFormatter(lambda value, _: f"{value:g}")


class TrainingPlayground(Explorer):
    """Train a small network on a toy dataset and watch its decision surface.

    Choose ``dataset``, ``noise``, ``form`` of the hidden layer (or ``linear``), ``hidden``
    neurons (0: a single neuron, no hidden layer), ``lr``, ``epochs`` and ``seed``;
    :meth:`train` (the Train button) runs :func:`train_playground` (full batch, 400 points)
    and draws the loss curve and the surface, also a few times while it learns when
    displayed. Sizes are capped so one run takes a few seconds at most on a laptop CPU.
    Changing the data or the model clears the result; changing ``lr`` or ``epochs`` keeps it
    until the next run.

    Example:
        >>> pg = TrainingPlayground(dataset="circles", form="full", hidden=0, epochs=100)
        >>> pg.train().accuracy > 0.9
        True
    """

    ranges = {"noise": (0.0, 0.5, 0.01), "lr": (1e-4, 1.0, 1e-3)}
    integers = {"hidden": (0, 16, 1), "epochs": (10, 2000, 10)}
    choices = {
        "dataset": tuple(name for name, spec in DATASETS.items() if spec.dim == 2),
        "form": tuple(FORMS),
    }
    n_samples = PlaygroundConfig.n_samples
    #: how many times the picture is redrawn during one run, when the widget is on screen
    live_frames = 8

    def __init__(self, resolution: int = 200, **values: Any) -> None:
        self.resolution = check_int("resolution", resolution, minimum=2)
        defaults = PlaygroundConfig()
        self.dataset, self.noise, self.form = defaults.dataset, defaults.noise, defaults.form
        self.hidden, self.lr, self.epochs = defaults.hidden, defaults.lr, defaults.epochs
        self.seed = defaults.seed
        self.data: tuple[Tensor, Tensor] | None = None
        self.run: PlaygroundRun | None = None
        self._data_key = None
        self._trained_on = None
        self._live: tuple[int, nn.Module] | None = None  # (epoch, model) while training
        self._runs = 0  # trainings so far: part of the cached grid's key
        self._grid, self._grid_key = None, None
        super().__init__(**values)

    def _extra_names(self) -> tuple[str, ...]:
        return ("seed",)

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        checked = super()._check({k: v for k, v in values.items() if k != "seed"})
        if "seed" in values:
            checked["seed"] = check_seed("seed", values["seed"])
        return checked

    def config(self, **changes: Any) -> PlaygroundConfig:
        """The :class:`PlaygroundConfig` of the current settings (with ``changes``)."""
        names = ("dataset", "noise", "form", "hidden", "lr", "epochs", "seed")
        current = {name: getattr(self, name) for name in names}
        return PlaygroundConfig(**{**current, **changes, "n_samples": self.n_samples})

    def _plan(self, values: dict[str, Any]) -> dict[str, Any]:
        changes = self._check(values)
        config = self.config(**changes)  # checks the combination too
        data_key = (config.dataset, config.noise, config.seed)
        if data_key != self._data_key:
            changes.update(data=config.data(), _data_key=data_key)
        if self.run is not None and self._setup(config) != self._trained_on:
            # new data or another model: the drawn result would be stale
            changes.update(run=None, _trained_on=None)
        return changes

    @staticmethod
    def _setup(config: PlaygroundConfig) -> tuple:
        return (config.dataset, config.noise, config.seed, config.form, config.hidden)

    # the result of the last run, as attributes
    model = property(lambda self: self.run.model if self.run else None)
    history = property(lambda self: self.run.history if self.run else None)
    message = property(lambda self: self.run.message if self.run else None)
    accuracy = property(lambda self: self.run.accuracy if self.run else float("nan"))
    parameters = property(lambda self: self.run.parameters if self.run else 0)

    @property
    def live_epoch(self) -> int | None:
        """The epoch being drawn while a displayed playground trains, else ``None``."""
        return self._live[0] if self._live else None

    def build_model(self) -> nn.Module:
        """A fresh model for the current settings (:func:`build_playground_model`)."""
        return build_playground_model(self.config())

    def train(self) -> TrainingPlayground:
        """Fit a fresh model with the current settings and redraw."""
        config = self.config()
        every = max(1, config.epochs // self.live_frames)
        self._runs += 1

        def live(epoch: int, model: nn.Module) -> None:
            # only when on screen: tests and scripts train at full speed
            if self._output is not None and (epoch + 1) % every == 0 and epoch + 1 < config.epochs:
                self._live = (epoch + 1, model)
                self.redraw()
                self._render_output()

        try:
            self.run = train_playground(config, self.data, live, build=lambda _: self.build_model())
        finally:
            self._live = None
        self._trained_on = self._setup(config)
        self.redraw()
        self._render_output()
        return self

    def redraw(self) -> None:
        self.figure, (ax_loss, ax_surface) = reused_axes(
            self.figure, 2, size=(8, 3.8), left=0.08, right=0.98, top=0.88, bottom=0.14,
            wspace=0.3,
        )  # fmt: skip
        X, y = self.data
        ax_loss.set(xlabel="epoch", ylabel="loss", title="training loss", yscale="linear")
        model = self._live[1] if self._live else self.model
        if model is None or (self.message and not self._live):  # nothing sensible to draw yet
            viz.plot_data(X, y, ax=ax_surface)
            xlim, ylim = viz.data_limits(X)  # set, not autoscaled: the axes are reused
            ax_surface.set(
                aspect="equal", xlim=xlim, ylim=ylim, xlabel=viz.XLABEL, ylabel=viz.YLABEL
            )
            ax_loss.text(0.5, 0.5, "no run yet", ha="center", transform=ax_loss.transAxes)
            ax_surface.set_title(self.message or "press Train", wrap=True)
            return
        if self.history is not None and not self._live:
            ax_loss.plot(self.history.loss, color=viz.PALETTE["blue"])
            ax_loss.set_yscale("log")
            # plain tick labels: the log axis's default "10^k" goes through mathtext, a
            # quarter of the time a slider move takes
            ax_loss.yaxis.set_major_formatter(_PLAIN_NUMBER)
            ax_loss.yaxis.set_minor_formatter(NullFormatter())
            # a loss that falls by less than a decade had no labelled tick at all (Figure 4.5):
            # there every digit (0.2, 0.3, ...) or, within a factor 1.5, a few even steps;
            # else 1, 2 and 5 times the powers of ten
            loss = [v for v in self.history.loss if v > 0 and math.isfinite(v)]
            spread = max(loss) / min(loss) if loss else 10.0
            locator = (MaxNLocator(3) if spread < 1.5
                       else LogLocator(base=10, subs=(1.0, 2.0, 5.0)) if spread >= 10
                       else LogLocator(base=10, subs=tuple(range(1, 10))))  # fmt: skip
            ax_loss.yaxis.set_major_locator(locator)
        if self._live:
            title = f"{self.form}: training… epoch {self._live[0]}/{int(self.epochs)}"
        else:
            title = f"{self.form}: {self.parameters} params, accuracy {self.accuracy:.0%}"
        key = (id(model), self._runs, self._live[0] if self._live else None)
        if self._grid_key != key:  # evaluate the model only when it changed
            xlim, ylim = viz.data_limits(X)
            self._grid = viz.decision_grid(model, xlim, ylim, self.resolution)
            self._grid_key = key
        viz.plot_decision_surface(model, X, y, ax=ax_surface, title=title, grid=self._grid)

    def _make_controls(self, widgets):
        controls = super()._make_controls(widgets)
        controls["lr"] = widgets.FloatLogSlider(value=self.lr, base=10, min=-4, max=0,
                                                description="lr")  # fmt: skip
        button = widgets.Button(description="Train", button_style="primary")
        button.on_click(lambda _: self.train())
        controls["train"] = button
        return controls
