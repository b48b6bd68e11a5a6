"""The quadric neuron forms as ``nn.Module``s, one class per published form, grouped by how
they parametrise ``A``: :mod:`.base` (the shared base class), :mod:`.monomial` (diagonal and
full: ``A`` entry by entry), :mod:`.factored` (Fan, Hadamard, low rank: ``A`` from a few
vectors) and :mod:`.registry` (the forms by name, their facts, and the builders)."""

from .base import QuadricForm
from .factored import FanQuadric, HadamardQuadric, LowRankQuadric
from .monomial import DiagonalQuadric, QuadricLinear
from .registry import (
    FORMS,
    QUADRALIB_TYPES,
    QUADRIC_FORMS,
    LinearFacts,
    form_facts,
    forms_markdown,
    make_layer,
    make_mlp,
    quadratic_param_groups,
    randomize_,
)

__all__ = [
    "FORMS",
    "QUADRALIB_TYPES",
    "QUADRIC_FORMS",
    "DiagonalQuadric",
    "FanQuadric",
    "HadamardQuadric",
    "LinearFacts",
    "LowRankQuadric",
    "QuadricForm",
    "QuadricLinear",
    "form_facts",
    "forms_markdown",
    "make_layer",
    "make_mlp",
    "quadratic_param_groups",
    "randomize_",
]
