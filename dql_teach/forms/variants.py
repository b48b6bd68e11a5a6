r"""Published variants of the forms: named option sets, each with its own facts.

A variant is a form with options fixed (``"qres"`` is ``HadamardQuadric(residual=True)``), so
it needs no class of its own; what it does need is its own formula, citation and parameter
count, which a :class:`FormVariant` carries. The numbers that depend on the sizes (parameters,
multiply-adds, rank) come from the layer, as for a form: the variant's class states them for
any options. :func:`dql_teach.make_layer`, :func:`dql_teach.form_table`,
:class:`dql_teach.QuadricConv2d` and :func:`dql_teach.forms_markdown` accept a variant's name
wherever they accept a form's.

QuadraLib (Xu et al. 2022) surveys four earlier types, T1..T4. Its figure writes them without
biases. Its code (``zarekxu/QuadraLib``, ``image_classification/models/quadratic_layer.py``)
builds them from ``nn.Bilinear(x, x)`` (T1) and ``nn.Conv2d`` layers (T2..T4) and passes its
constructor's ``bias`` argument through to T1, T2 and T4 (an older version of the file has
T1 with ``bias=False`` and T2..T4 as default, biased ``nn.Conv2d``), while T3's convolution
always has its bias: its T3 is ``(Wx + b)^2``, whose ``2b(w·x) + b^2`` the figure's ``(Wx)^2``
lacks, and its T4 with ``bias=True`` is ``(W_a x + b_a)(W_b x + b_b)``. Both readings are
here: ``"T1"``..``"T4"`` as in the figure, ``"T1-code"``..``"T4-code"`` as the code computes
them with ``bias=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn

from .base import QuadricForm
from .factored import HadamardQuadric
from .lowrank import LowRankQuadric
from .monomial import DiagonalQuadric, QuadricLinear

__all__ = ["QUADRALIB_CODE_TYPES", "QUADRALIB_TYPES", "VARIANTS", "FormVariant"]


@dataclass(frozen=True)
class FormVariant:
    """A published option set of a form, with its facts.

    Attributes:
        name: its key in :data:`VARIANTS`.
        cls: the form's class.
        options: the options that make the variant (passed to ``cls``).
        formula: one neuron's output in LaTeX (no ``$``).
        citation: its key in ``book/references.bib`` (``None``: not a published form).
        published_as: who published it, in a few words.
        parameter_formula: free parameters per neuron, in ``n`` (and ``k``).

    The size-dependent facts are the class's, called with a layer of the variant, as for a
    form: ``variant.parameters_per_neuron(layer)``, ``multiply_adds``, ``flop_equivalent``,
    ``max_rank``, ``relinear_zeros``.

    Example:
        >>> v = VARIANTS["qres"]
        >>> layer = v.build(4, 2)
        >>> v.parameters_per_neuron(layer), v.parameter_formula
        (9, '2n + 1')
    """

    name: str
    cls: type[QuadricForm]
    options: dict = field(default_factory=dict)
    formula: str = ""
    citation: str | None = None
    published_as: str = ""
    parameter_formula: str = ""

    @property
    def quadratic_names(self) -> tuple[str, ...]:
        return self.cls.quadratic_names

    def build(self, in_features: int, out_features: int, **options) -> nn.Module:
        """A layer of the variant; ``options`` are added to (and override) the variant's."""
        return self.cls(in_features, out_features, **{**self.options, **options})

    # the class's facts, called with a layer, as form_facts(form).method(layer) is
    def parameters_per_neuron(self, layer: QuadricForm) -> int:
        return layer.parameters_per_neuron()

    def multiply_adds(self, layer: QuadricForm) -> int:
        return layer.multiply_adds()

    def flop_equivalent(self, layer: QuadricForm) -> dict[str, tuple[int, int]]:
        return layer.flop_equivalent()

    def max_rank(self, layer: QuadricForm) -> int:
        return layer.max_rank()

    def relinear_zeros(self, layer: QuadricForm) -> tuple[str, ...]:
        return layer.relinear_zeros()


_QUADRALIB = "QuadraLib, Xu et al. 2022"
_NO_TERMS = {"linear_term": False}
VARIANTS: dict[str, FormVariant] = {
    v.name: v
    for v in [
        FormVariant(
            "quadralib", HadamardQuadric, {"factor_bias": True},
            r"(u\cdot x+u_0)(v\cdot x+v_0) + w\cdot x + c", "xu2022quadralib",
            f"{_QUADRALIB}: its neuron (Quadrafc; QuadraNet's QuadraFC)", "3n + 3",
        ),
        FormVariant(
            "qres", HadamardQuadric, {"residual": True},
            r"(u\cdot x)(v\cdot x) + u\cdot x + c", "bu2021quadratic",
            "QRes, Bu & Karpatne 2021 (its PyTorch layer)", "2n + 1",
        ),
        FormVariant(
            "bilinear", HadamardQuadric, {**_NO_TERMS, "factor_bias": True, "bias": False},
            r"(u\cdot x+u_0)(v\cdot x+v_0)", "shazeer2020glu",
            "bilinear layer, Shazeer 2020 (a GLU without its sigmoid)", "2n + 2",
        ),
        FormVariant(
            "lowrank-orthonormal", LowRankQuadric, {"orthonormal": True},
            r"\frac{1}{k}(Q_k^\top x)^\top\Lambda_k(Q_k^\top x) + w\cdot x + c,"
            r"\ Q_k^\top Q_k = I", "chen2023efficient",
            "Chen et al. 2023 with orthonormal Q_k (Λ_k/k: A's eigenvalues)",
            "kn + k + n + 1",
        ),
        FormVariant(
            "T1", QuadricLinear, {**_NO_TERMS, "bias": False}, r"x^\top A x",
            "xu2022quadralib", f"{_QUADRALIB}: type T1, as in its figure", "n(n+1)/2",
        ),
        FormVariant(
            "T2", DiagonalQuadric, {**_NO_TERMS, "bias": False}, r"q\cdot(x\circ x)",
            "xu2022quadralib", f"{_QUADRALIB}: type T2, as in its figure", "n",
        ),
        FormVariant(
            "T3", HadamardQuadric, {**_NO_TERMS, "shared_factors": True, "bias": False},
            r"(u\cdot x)^2", "xu2022quadralib", f"{_QUADRALIB}: type T3, as in its figure", "n",
        ),
        FormVariant(
            "T4", HadamardQuadric, {**_NO_TERMS, "bias": False}, r"(u\cdot x)(v\cdot x)",
            "xu2022quadralib", f"{_QUADRALIB}: type T4, as in its figure", "2n",
        ),
        FormVariant(
            "T1-code", QuadricLinear, {**_NO_TERMS, "bias": True}, r"x^\top A x + c",
            "xu2022quadralib", f"{_QUADRALIB}: type T1, as its code computes it (bias=True)",
            "n(n+1)/2 + 1",
        ),
        FormVariant(
            "T2-code", DiagonalQuadric, {**_NO_TERMS, "bias": True}, r"q\cdot(x\circ x) + c",
            "xu2022quadralib", f"{_QUADRALIB}: type T2, as its code computes it (bias=True)",
            "n + 1",
        ),
        FormVariant(
            "T3-code", HadamardQuadric,
            {**_NO_TERMS, "shared_factors": True, "factor_bias": True, "bias": False},
            r"(u\cdot x+u_0)^2", "xu2022quadralib",
            f"{_QUADRALIB}: type T3, as its code computes it", "n + 1",
        ),
        FormVariant(
            "T4-code", HadamardQuadric, {**_NO_TERMS, "factor_bias": True, "bias": False},
            r"(u\cdot x+u_0)(v\cdot x+v_0)", "xu2022quadralib",
            f"{_QUADRALIB}: type T4, as its code computes it (bias=True)", "2n + 2",
        ),
    ]
}  # fmt: skip
"""The published variants by name: ``VARIANTS[name].build(in_features, out_features)``, or
``make_layer(name, ...)``."""

QUADRALIB_TYPES: dict[str, tuple[str, type[QuadricForm], dict]] = {
    key: (VARIANTS[key].formula, VARIANTS[key].cls, dict(VARIANTS[key].options))
    for key in ("T1", "T2", "T3", "T4")
}
"""QuadraLib's survey types as its figure writes them, ``(neuron formula in LaTeX, class,
options)``: no biases."""

QUADRALIB_CODE_TYPES: dict[str, tuple[str, type[QuadricForm], dict]] = {
    key: (VARIANTS[f"{key}-code"].formula, VARIANTS[f"{key}-code"].cls,
          dict(VARIANTS[f"{key}-code"].options))
    for key in ("T1", "T2", "T3", "T4")
}  # fmt: skip
"""QuadraLib's survey types as its code computes them (biases where its layers have them),
in the shape of :data:`QUADRALIB_TYPES`."""
