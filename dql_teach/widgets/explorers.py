"""Explorers of one quadric: a conic, a quadric surface, one neuron of each form.

Each is an :class:`~.base.Explorer`: plain attributes for its state, checked before they are
stored, and a figure from :mod:`dql_teach.viz`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .. import FORMS, make_layer, viz
from .._checks import check_int, check_number
from ..conic import conic_to_quadric, eigen_to_matrix, matrix_to_eigen
from .base import _STYLE, Explorer, reused_axes

__all__ = ["ConicExplorer", "NeuronFormExplorer", "QuadricSurfaceExplorer"]


def _clamp(value: float, low: float, high: float) -> float:
    return float(min(max(value, low), high))


def _is_slot(name: str) -> bool:
    """Whether ``name`` is a parameter slider's, ``p0``, ``p1``, ..."""
    return name[:1] == "p" and name[1:].isdigit()


class ConicExplorer(Explorer):
    """The 2-D quadric neuron ``a11 x1² + 2 a12 x1x2 + a22 x2² + b1 x1 + b2 x2 + c`` and the
    curve it draws; ``a11, a12, a22`` are the entries of ``A``, ``b1, b2`` of ``b``.

    ``mode="coefficients"`` moves the six coefficients; ``mode="eigen"`` moves the eigenvalues
    ``lambda1, lambda2`` and the rotation ``angle`` (degrees) of ``A`` instead, with ``b1, b2,
    c``. Switching the mode converts the current state, so the picture stays where it was.

    Example:
        >>> explorer = ConicExplorer(a11=1.0, a22=-1.0)
        >>> explorer.figure.axes[0].get_title()
        'hyperbola'
    """

    ranges = {
        "a11": (-3.0, 3.0, 0.1), "a12": (-3.0, 3.0, 0.05), "a22": (-3.0, 3.0, 0.1),
        "b1": (-3.0, 3.0, 0.1), "b2": (-3.0, 3.0, 0.1), "c": (-3.0, 3.0, 0.1),
        "lambda1": (-3.0, 3.0, 0.1), "lambda2": (-3.0, 3.0, 0.1), "angle": (-90.0, 90.0, 5.0),
    }  # fmt: skip
    choices = {"mode": ("coefficients", "eigen")}
    #: the sliders of A in each mode (the other mode's are hidden)
    matrix_names = {"coefficients": ("a11", "a12", "a22"), "eigen": ("lambda1", "lambda2", "angle")}

    def __init__(self, **values: Any) -> None:
        self.a11, self.a12, self.a22, self.b1, self.b2, self.c = 1.0, 0.0, 1.0, 0.0, 0.0, -1.0
        self.lambda1, self.lambda2, self.angle = 1.0, 1.0, 0.0
        self.mode = "coefficients"
        super().__init__(**values)

    def _plan(self, values: dict[str, Any]) -> dict[str, Any]:
        checked = self._check(values)
        mode = checked.get("mode", self.mode)
        # a mode switch carries the current picture over; the call's other values apply after
        changes = self._converted(mode) if mode != self.mode else {}
        changes.update(checked)
        return changes

    def _converted(self, mode: str) -> dict[str, float]:
        """The other mode's sliders for the current ``A``."""
        if mode == "coefficients":  # the entries of R diag(l1, l2) R^T: always in their ranges
            A = eigen_to_matrix([self.lambda1, self.lambda2], self.angle, dtype=torch.float64)
            return {"a11": float(A[0, 0]), "a12": float(A[0, 1]), "a22": float(A[1, 1])}
        (lambda1, lambda2), angle = matrix_to_eigen(
            conic_to_quadric(self.a11, self.a12, self.a22)[0]
        )
        lows = {name: self.ranges[name][:2] for name in ("lambda1", "lambda2", "angle")}
        return {  # eigenvalues of a matrix in range can leave the sliders' range: clamp
            "lambda1": _clamp(lambda1, *lows["lambda1"]),
            "lambda2": _clamp(lambda2, *lows["lambda2"]),
            "angle": _clamp(angle, *lows["angle"]),
        }

    def coefficients(self) -> tuple[float, ...]:
        """``(a11, a12, a22, b1, b2, c)`` of the current state (from the eigen form in eigen
        mode)."""
        if self.mode == "eigen":
            A = eigen_to_matrix([self.lambda1, self.lambda2], self.angle, dtype=torch.float64)
            return (float(A[0, 0]), float(A[0, 1]), float(A[1, 1]), self.b1, self.b2, self.c)
        return (self.a11, self.a12, self.a22, self.b1, self.b2, self.c)

    def quadric(self):
        """``(A (2, 2), b (2,), c ())`` of the current state."""
        return conic_to_quadric(*self.coefficients())

    def redraw(self) -> None:
        self.figure, (ax,) = reused_axes(self.figure)
        viz.plot_conic(*self.quadric(), ax=ax)

    def _sync_controls(self) -> None:
        super()._sync_controls()
        hidden = self.matrix_names["eigen" if self.mode == "coefficients" else "coefficients"]
        for name in (*self.matrix_names["coefficients"], *self.matrix_names["eigen"]):
            if name in self._controls:
                self._controls[name].layout.display = "none" if name in hidden else None


class QuadricSurfaceExplorer(Explorer):
    """A 3-D quadric ``x^T A x + b·x + c`` with ``A`` of eigenvalues ``lambda1, lambda2,
    lambda3`` turned by ``angle`` degrees about the ``x3`` axis, and ``b = (0, 0, b3)``:
    ellipsoids, hyperboloids, paraboloids, cylinders and cones (plotly, rotatable).

    Example:
        >>> QuadricSurfaceExplorer(lambda3=-1.0, c=-0.5).figure.layout.title.text
        'hyperboloid of one sheet'
    """

    ranges = {
        "lambda1": (-2.0, 2.0, 0.1), "lambda2": (-2.0, 2.0, 0.1), "lambda3": (-2.0, 2.0, 0.1),
        "b3": (-2.0, 2.0, 0.1), "c": (-2.0, 2.0, 0.1), "angle": (-90.0, 90.0, 5.0),
    }  # fmt: skip

    def __init__(self, resolution: int = 30, **values: Any) -> None:
        self.resolution = check_int("resolution", resolution, minimum=2)
        self.lambda1, self.lambda2, self.lambda3 = 1.0, 1.0, 1.0
        self.b3, self.c, self.angle = 0.0, -1.0, 0.0
        super().__init__(**values)

    def quadric(self):
        """``(A (3, 3), b (3,), c)`` of the current state, float64."""
        eigenvalues = [self.lambda1, self.lambda2, self.lambda3]
        A = eigen_to_matrix(eigenvalues, self.angle, dtype=torch.float64)
        return A, torch.tensor([0.0, 0.0, self.b3], dtype=torch.float64), float(self.c)

    def redraw(self) -> None:
        self.figure = viz.quadric_surface_3d(*self.quadric(), resolution=self.resolution)


class NeuronFormExplorer(Explorer):
    """One neuron of a chosen form on two inputs, with its actual parameters on sliders.

    ``form`` is any name of :data:`dql_teach.FORMS` (``lowrank`` with rank 1); the sliders
    ``p0, p1, ...`` are the neuron's free parameters in the order of ``parameters()``, their
    values in :attr:`values`. The title names the conic it draws and the line under the plot
    says which conics the form can and cannot reach: a Hadamard neuron never draws an
    ellipse, whatever the sliders say.

    Example:
        >>> NeuronFormExplorer(form="linear").parameter_names
        ['weight[0]', 'weight[1]', 'bias[0]']
    """

    choices = {"form": tuple(FORMS)}
    #: form -> what one neuron on two inputs can draw, and what it never can (from its A)
    reach = {
        "full": "any conic: A is any symmetric matrix",
        "fan": "any conic: A = sym(u vᵀ) + diag(q) reaches every conic type",
        "diagonal": "axis-aligned conics only: no x₁x₂ term, so never a tilted ellipse or x₁x₂ = 0",
        "hadamard": "hyperbolas, parabolas, line pairs; never an ellipse: det A ≤ 0",
        "lowrank": "parabolas, parallel lines or one line (or none); never an ellipse or "
        "hyperbola: rank A ≤ 1",
        "linear": "a straight line only: A = 0",
    }

    def __init__(self, **values: Any) -> None:
        self.form = "full"
        self.layer: nn.Module | None = None
        self.values: list[float] = []
        self._built_form: str | None = None
        super().__init__(**values)

    def _extra_names(self) -> tuple[str, ...]:
        return tuple(f"p{i}" for i in range(len(self.values)))

    def value_of(self, name: str) -> Any:
        if _is_slot(name):  # a slider of one parameter
            index = int(name[1:])
            return self.values[index] if index < len(self.values) else None
        return super().value_of(name)

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        # p0, p1, ... are checked in _plan, against the parameters of the form they will set
        slots = {k: v for k, v in values.items() if _is_slot(k)}
        return {**super()._check({k: v for k, v in values.items() if k not in slots}), **slots}

    def _plan(self, values: dict[str, Any]) -> dict[str, Any]:
        changes = self._check(values)
        form = changes.get("form", self.form)
        if form != self._built_form:  # a new form starts from its own default parameters
            layer = self._default_layer(form)
            current = torch.cat([p.detach().reshape(-1) for p in layer.parameters()]).tolist()
        else:
            layer, current = self.layer, list(self.values)
        for name in [k for k in changes if _is_slot(k)]:
            value = changes.pop(name)
            if int(name[1:]) >= len(current):
                raise ValueError(f"{name}: the {form} neuron has {len(current)} parameters")
            current[int(name[1:])] = check_number(name, value)
        return {**changes, "layer": layer, "values": current, "_built_form": form}

    def _commit(self, changes: dict[str, Any]) -> None:
        super()._commit(changes)
        with torch.no_grad():
            vector = torch.tensor(self.values, dtype=next(self.layer.parameters()).dtype)
            torch.nn.utils.vector_to_parameters(vector, self.layer.parameters())

    @staticmethod
    def _default_layer(form: str) -> nn.Module:
        """A neuron of ``form`` on two inputs whose parameters draw something visible."""
        layer = make_layer(form, 2, 1, rank=1)  # one factor where the rank is an option
        with torch.no_grad():
            for name, p in layer.named_parameters():
                p.fill_(0.0)
                if name in ("weight_sq", "weight_quad", "weight_u", "weight_q"):
                    p.copy_(torch.linspace(1.0, 0.5, p.numel()).reshape(p.shape))
                if name == "weight_v":
                    p.copy_(torch.linspace(-0.5, 1.0, p.numel()).reshape(p.shape))
                if name == "weight_lambda":
                    p.fill_(1.0)
                if name == "bias":
                    p.fill_(-0.5)
            if isinstance(layer, nn.Linear):
                layer.weight.copy_(torch.tensor([[1.0, 0.5]]))
        return layer

    @property
    def parameter_names(self) -> list[str]:
        """``name[i]`` of every free parameter, in the order of the sliders ``p0, p1, ...``."""
        return [
            f"{name}[{i}]" for name, p in self.layer.named_parameters() for i in range(p.numel())
        ]

    def redraw(self) -> None:
        self.figure, (ax,) = reused_axes(self.figure, size=(4.5, 4.9), bottom=0.17)
        viz.plot_conic(*viz.quadric_of(self.layer), ax=ax)
        ax.set_title(f"{self.form}: {ax.get_title()}")
        reach = self.reach.get(self.form, "")
        self.figure.text(0.5, 0.015, reach, ha="center", fontsize=8, wrap=True)

    def _make_controls(self, widgets):
        controls = super()._make_controls(widgets)
        for i, (name, value) in enumerate(zip(self.parameter_names, self.values)):
            controls[f"p{i}"] = widgets.FloatSlider(
                value=value, min=-2.0, max=2.0, step=0.05, description=name,
                continuous_update=False, style=_STYLE,
            )  # fmt: skip
        return controls

    def update(self, **values: Any):
        rebuild = "form" in values and values["form"] != self.form
        figure = super().update(**values)
        if rebuild and self._box is not None:  # another form has other parameters: new sliders
            self._build_controls()
        return figure
