"""The quadric neuron forms as ``nn.Module``s, one class per published form, grouped by how
they parametrise ``A``: :mod:`.base` (the shared base class), :mod:`.monomial` (diagonal and
full: ``A`` entry by entry), :mod:`.factored` (Fan, Hadamard: ``A`` from two factors),
:mod:`.lowrank` (``k`` eigen-directions), :mod:`.variants` (the published option sets, each
with its facts) and :mod:`.registry` (the forms by name, their facts, and the builders)."""

from .base import QuadricForm
from .factored import FanQuadric, HadamardQuadric
from .lowrank import LowRankQuadric, orthonormal_rows
from .monomial import DiagonalQuadric, QuadricLinear
from .registry import (
    FAN_CODE_SLR,
    FORMS,
    QUADRALIB_CODE_TYPES,
    QUADRALIB_TYPES,
    QUADRIC_FORMS,
    VARIANTS,
    CodeLearningRates,
    FormVariant,
    LinearFacts,
    form_facts,
    forms_markdown,
    make_layer,
    make_mlp,
    quadratic_param_groups,
    randomize_,
)

__all__ = [
    "FAN_CODE_SLR",
    "FORMS",
    "QUADRALIB_CODE_TYPES",
    "QUADRALIB_TYPES",
    "QUADRIC_FORMS",
    "VARIANTS",
    "CodeLearningRates",
    "DiagonalQuadric",
    "FanQuadric",
    "FormVariant",
    "HadamardQuadric",
    "LinearFacts",
    "LowRankQuadric",
    "QuadricForm",
    "QuadricLinear",
    "form_facts",
    "forms_markdown",
    "make_layer",
    "make_mlp",
    "orthonormal_rows",
    "quadratic_param_groups",
    "randomize_",
]
