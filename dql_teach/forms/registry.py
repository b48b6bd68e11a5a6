"""The registry of neuron forms, and the builders that read it.

:data:`FORMS` maps each form's name to the class that builds it (``nn.Linear`` for the
first-order baseline). Everything else that needs a form's facts (its formula, citation,
parameter count, multiply-adds, FLOP-equivalent linear layer, the parameters ReLinear zeroes,
the largest rank of ``A``) reads them through :func:`form_facts`: from the form's class, or,
for ``nn.Linear``, from :class:`LinearFacts`. A new form is one class (see
:class:`~dql_teach.QuadricForm`) and one line in :data:`FORMS`. The published option sets of
the forms (QuadraLib's neuron and types, QRes, the bilinear layer...) are in
:data:`~dql_teach.forms.variants.VARIANTS`; the builders here accept their names too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from .._checks import check_number, check_positive_int
from .base import QuadricForm
from .factored import FanQuadric, HadamardQuadric
from .lowrank import LowRankQuadric
from .monomial import DiagonalQuadric, QuadricLinear
from .variants import QUADRALIB_CODE_TYPES, QUADRALIB_TYPES, VARIANTS, FormVariant

__all__ = [
    "FAN_CODE_SLR",
    "FORMS",
    "QUADRALIB_CODE_TYPES",
    "QUADRALIB_TYPES",
    "QUADRIC_FORMS",
    "VARIANTS",
    "CodeLearningRates",
    "FormVariant",
    "LinearFacts",
    "form_facts",
    "forms_markdown",
    "make_layer",
    "make_mlp",
    "quadratic_param_groups",
    "randomize_",
]

FORMS: dict[str, type[nn.Module]] = {
    "linear": nn.Linear,
    "diagonal": DiagonalQuadric,
    "full": QuadricLinear,
    "fan": FanQuadric,
    "hadamard": HadamardQuadric,
    "lowrank": LowRankQuadric,
}
"""Every neuron form by name, ``nn.Linear`` included as the first-order baseline:
``FORMS[name](in_features, out_features, **options)`` builds a layer."""

QUADRIC_FORMS: list[str] = sorted(name for name in FORMS if name != "linear")
"""The names of the second-order forms (what ``quadrify`` and ``QuadricConv2d`` accept)."""


class LinearFacts:
    """The facts of ``nn.Linear``, in the shape of a :class:`~dql_teach.QuadricForm`'s, so that
    tables and benchmarks treat the baseline like any form (``nn.Linear`` itself is left as
    torch made it). The methods take the layer: ``LinearFacts.multiply_adds(layer)`` reads like
    ``QuadricLinear.multiply_adds(layer)``.
    """

    name = "linear"
    formula = r"w\cdot x + c"
    citation = "rosenblatt1958perceptron"
    published_as = "perceptron"
    parameter_formula = "n + 1"
    quadratic_names: tuple[str, ...] = ()

    @staticmethod
    def parameters_per_neuron(layer: nn.Linear) -> int:
        return layer.in_features + (layer.bias is not None)

    @staticmethod
    def multiply_adds(layer: nn.Linear) -> int:
        return layer.in_features * layer.out_features

    @staticmethod
    def flop_equivalent(layer: nn.Linear) -> dict[str, tuple[int, int]]:
        return {"Linear(n, m)": (layer.in_features, layer.out_features)}

    @staticmethod
    def max_rank(layer: nn.Linear) -> int:
        return 0

    @staticmethod
    def relinear_zeros(layer: nn.Linear) -> tuple[str, ...]:
        return ()


def _form_class(form: str) -> type[nn.Module]:
    if not isinstance(form, str) or (form not in FORMS and form not in VARIANTS):
        raise ValueError(
            f"form must be one of {sorted(FORMS)} or a variant {sorted(VARIANTS)}, got {form!r}"
        )
    return FORMS[form] if form in FORMS else VARIANTS[form].cls


def form_facts(form: str | nn.Module) -> type | FormVariant:
    """What holds a form's facts: the form's own class, :class:`LinearFacts`, or for a
    variant's name its :class:`~dql_teach.forms.variants.FormVariant`.

    Args:
        form: a name from :data:`FORMS` or :data:`VARIANTS`, or a layer (an ``nn.Linear`` or
            a quadric form; a layer's facts are its class's).

    Returns:
        An object with the attributes ``name, formula, citation, published_as,
        parameter_formula, quadratic_names`` and the methods ``parameters_per_neuron,
        multiply_adds, flop_equivalent, max_rank, relinear_zeros``, each called with a layer.

    Example:
        >>> form_facts("hadamard").parameter_formula
        '3n + 1'
        >>> layer = make_layer("lowrank", 8, 4, rank=2)
        >>> form_facts(layer).multiply_adds(layer)  # (k + 1) m n + 2 k m
        112
        >>> form_facts(nn.Linear(8, 4)).citation
        'rosenblatt1958perceptron'
        >>> form_facts("qres").parameter_formula
        '2n + 1'
    """
    if isinstance(form, nn.Module):
        if isinstance(form, QuadricForm):
            return type(form)
        if isinstance(form, nn.Linear):
            return LinearFacts
        raise TypeError(f"form must be a form's name or layer, got {type(form).__name__}")
    cls = _form_class(form)
    if form in VARIANTS:
        return VARIANTS[form]
    return cls if issubclass(cls, QuadricForm) else LinearFacts


def _takes(cls: type, option: str) -> bool:
    return option in inspect.signature(cls).parameters


def make_layer(
    form: str, in_features: int, out_features: int, *, rank: int | None = None, **options
) -> nn.Module:
    """Build a layer of the named form (a key of :data:`FORMS` or :data:`VARIANTS`).

    Args:
        form: the form's name, or a variant's (its options are applied first).
        in_features, out_features: ``n`` and ``m``.
        rank: ``k`` for the forms whose rank is an option (``"lowrank"``); the others, whose
            structure fixes the rank of ``A``, ignore it, so one call builds any form.
        options: passed to the form's class (``bias``, ``init``, ``memory_efficient``,
            ``device``, ``dtype``...); each class keeps its own defaults, and options given
            here override a variant's.

    Example:
        >>> make_layer("lowrank", 4, 2, rank=2)
        LowRankQuadric(in_features=4, out_features=2, bias=True, rank=2)
        >>> make_layer("hadamard", 4, 2, rank=2)
        HadamardQuadric(in_features=4, out_features=2, bias=True)
        >>> make_layer("qres", 4, 2)
        HadamardQuadric(in_features=4, out_features=2, bias=True, residual=True)
    """
    cls = _form_class(form)
    if rank is not None and _takes(cls, "rank"):
        options["rank"] = rank
    if form in VARIANTS:
        return VARIANTS[form].build(in_features, out_features, **options)
    return cls(in_features, out_features, **options)


def make_mlp(
    sizes: Sequence[int],
    forms: str | Sequence[str] = "linear",
    activation: Callable[[], nn.Module] = nn.ReLU,
    **layer_options,
) -> nn.Sequential:
    """A multilayer network whose layer ``i`` maps ``sizes[i]`` to ``sizes[i + 1]`` features.

    Args:
        sizes: the widths, input first: ``[2, 8, 1]`` is one hidden layer of 8.
        forms: one form name for every layer (``"linear"`` or a key of
            :data:`dql_teach.FORMS`), or one name per layer: ``["diagonal", "linear"]`` is a
            quadric hidden layer with a linear read-out.
        activation: builds the module put between layers (none after the last).
        layer_options: passed to every quadric layer through :func:`make_layer` (``rank=2``,
            ``init="relinear"``...).

    Returns:
        An ``nn.Sequential``: ``(*, sizes[0]) -> (*, sizes[-1])``.

    Example:
        >>> make_mlp([2, 3, 1], ["diagonal", "linear"])
        Sequential(
          (0): DiagonalQuadric(in_features=2, out_features=3, bias=True)
          (1): ReLU()
          (2): Linear(in_features=3, out_features=1, bias=True)
        )
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must be two or more positive ints, got {sizes}")
    for i, size in enumerate(sizes):
        check_positive_int(f"sizes[{i}]", size)
    num_layers = len(sizes) - 1
    forms = [forms] * num_layers if isinstance(forms, str) else list(forms)
    if len(forms) != num_layers:
        raise ValueError(f"{num_layers} layers need {num_layers} forms, got {len(forms)}")
    classes = [_form_class(form) for form in forms]  # every name checked before building
    layers: list[nn.Module] = []
    for i, (n, m, form, cls) in enumerate(zip(sizes[:-1], sizes[1:], forms, classes)):
        options = layer_options if issubclass(cls, QuadricForm) else {}
        layers.append(make_layer(form, n, m, **options))
        if i < num_layers - 1:
            layers.append(activation())
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class CodeLearningRates:
    """The two learning rates of one experiment of the Fan group's code: everything at ``lr``,
    the ``g`` and ``b`` branches and ``c`` at ``lr * slr`` (see
    :func:`quadratic_param_groups`).

    Attributes:
        experiment: which experiment of the repository.
        optimizer: the ``torch.optim`` class it trains with.
        lr: its learning rate (a default of its script).
        slr: the factor of the second learning rate.
        code: the file that sets them, as ``"owner/repo:path"``.
    """

    experiment: str
    optimizer: str
    lr: float
    slr: float
    code: str


FAN_CODE_SLR: tuple[CodeLearningRates, ...] = (
    CodeLearningRates(
        "synthetic experiment", "Adam", 0.01, 2.0,
        "asdvfghg/quadratic_efficiency:synthetic_experiment/main.py",
    ),
    CodeLearningRates(
        "U-Net", "AdamW", 1e-5, 1e-4, "asdvfghg/quadratic_efficiency:car_experiment/train.py"
    ),
)  # fmt: skip
"""The factors ``slr`` the Fan group's code uses, as it sets them (``slr = 2`` in
``main.py``'s ``__main__``; ``--slr``'s default in the U-Net's ``train.py``)."""


def quadratic_param_groups(
    model: nn.Module,
    lr: float,
    quadratic_lr: float,
    *,
    as_authors: bool = False,
    **group_options,
) -> list[dict]:
    """Optimizer parameter groups giving second-order parameters their own learning rate.

    The Fan group trains quadratic networks with a second learning rate on the quadratic
    parameters; Chen et al. are described as using small learning rates for theirs. Pass the
    result to any ``torch.optim`` optimizer.

    What the Fan group's code does (``asdvfghg/quadratic_efficiency``, ``FengleiFan/ReLinear``):
    the parameters of the ``g`` and ``b`` branches, ``w^g, b^g, w^b`` *and the constant*
    ``c`` (their ``bias_b``), get ``lr * slr`` and everything else ``lr``. The factor is not
    one fixed rule: ``slr = 2`` (a larger rate) in their synthetic experiment (Adam,
    ``lr = 0.01``), ``slr = 1e-4`` in their U-Net (AdamW, ``lr = 1e-5``), both in
    :data:`FAN_CODE_SLR`, and their CIFAR trainer uses ``lr = 0.1`` and ``lr_gb = 1e-5``
    (SGD). To do what their code does, call ``quadratic_param_groups(model, lr, lr * slr,
    as_authors=True)``. By default ``c`` stays in the linear group here: it is a constant, not
    a second-order parameter.

    Args:
        model: any module; quadric forms anywhere inside it (layers, convolutions) are found.
        lr: learning rate of every other parameter.
        quadratic_lr: learning rate of the quadratic parameters.
        as_authors: put in the second group what each form's authors' code puts there (each
            form's ``authors_quadratic_names``; only Fan's differs: ``c`` joins it).
        group_options: more options for both groups (``weight_decay=...``).

    Returns:
        ``[{"params": linear, "lr": lr}, {"params": quadratic, "lr": quadratic_lr}]``, the
        second group left out when the model has no quadratic parameters.

    Example:
        >>> fan = make_layer("fan", 3, 2)
        >>> [len(g["params"]) for g in quadratic_param_groups(fan, 0.1, 0.01)]
        [3, 3]
        >>> [len(g["params"]) for g in quadratic_param_groups(fan, 0.1, 0.2, as_authors=True)]
        [2, 4]
    """
    check_number("lr", lr, minimum=0, exclusive_minimum=True)
    check_number("quadratic_lr", quadratic_lr, minimum=0, exclusive_minimum=True)
    if not isinstance(as_authors, bool):
        raise TypeError(f"as_authors must be True or False, got {as_authors!r}")
    quadratic: dict[int, nn.Parameter] = {}
    for module in model.modules():
        fn = getattr(module, "quadratic_parameters", None)
        if callable(fn):
            quadratic.update((id(p), p) for p in fn(as_authors=as_authors))
    linear = [p for p in model.parameters() if id(p) not in quadratic]
    groups = [{"params": linear, "lr": lr, **group_options}]
    if quadratic:
        groups.append({"params": list(quadratic.values()), "lr": quadratic_lr, **group_options})
    return groups


@torch.no_grad()
def randomize_(
    module: nn.Module, *, std: float = 1.0, generator: torch.Generator | None = None
) -> nn.Module:
    """Fill every parameter of ``module`` with independent ``N(0, std^2)`` draws, in place.

    Generic parameters: no entry is zero (the low-rank form's ``Λ`` starts at zero, ReLinear
    zeroes more), so each neuron's ``A`` has the largest rank its form allows
    (``max_rank``) and every term of the formula is exercised, whatever the form.

    Args:
        module: any module (a layer, a network).
        std: standard deviation of the draws.
        generator: a ``torch.Generator`` (on the CPU) for reproducible draws without touching
            the global random state; by default the global one.

    Returns:
        ``module`` itself.

    Example:
        >>> generator = torch.Generator().manual_seed(0)
        >>> layer = randomize_(make_layer("lowrank", 3, 2), generator=generator)
        >>> bool((layer.weight_lambda != 0).all())
        True
    """
    check_number("std", std, minimum=0, exclusive_minimum=True)
    for p in module.parameters():
        # drawn on the CPU and copied: the same values on every device and for every dtype
        p.copy_(torch.randn(p.shape, generator=generator, dtype=torch.float64) * std)
    return module


def forms_markdown() -> str:
    """The table of forms in the README (a test keeps the README equal to it): one row per
    form, then one per variant (its class with its options), with its name, class, origin,
    citation key, formula and parameters per neuron.

    Example:
        >>> print(forms_markdown().splitlines()[0])
        | form | class | published as | cited as | neuron | free parameters per neuron |
        >>> forms_markdown().splitlines()[2].split(" | ")[:2]
        ['| `linear`', '`nn.Linear`']
    """
    lines = [
        "| form | class | published as | cited as | neuron | free parameters per neuron |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, cls in FORMS.items():
        facts = form_facts(name)
        class_name = f"nn.{cls.__name__}" if cls.__module__.startswith("torch.") else cls.__name__
        lines.append(
            f"| `{name}` | `{class_name}` | {facts.published_as} | `{facts.citation}` | "
            f"${facts.formula}$ | {facts.parameter_formula} |"
        )
    for name, variant in VARIANTS.items():
        options = ", ".join(f"{k}={v}" for k, v in variant.options.items())
        lines.append(
            f"| `{name}` | `{variant.cls.__name__}({options})` | {variant.published_as} | "
            f"`{variant.citation}` | ${variant.formula}$ | {variant.parameter_formula} |"
        )
    return "\n".join(lines)
