"""What a model costs: parameters, interconnections, multiply-adds, activation memory, and a
per-form table of these for one neuron."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ._checks import check_positive_int
from .conv import QuadricConv2d
from .forms import FORMS, VARIANTS, QuadricForm, form_facts, make_layer

__all__ = [
    "FormCost",
    "activation_memory",
    "count_connections",
    "count_parameters",
    "form_table",
    "multiply_adds",
]


def _check_module(model: object) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of free parameters (scalars); a tensor shared by several layers counts once.

    Args:
        model: any module.
        trainable_only: count only parameters with ``requires_grad=True``.

    Example:
        >>> count_parameters(nn.Linear(3, 2))  # 3*2 weights + 2 biases
        8
    """
    _check_module(model)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def count_connections(model: nn.Module) -> int:
    """Interconnections between neurons, as counted in the Deep Quadric Learning thesis.

    A neuron has one connection per input it reads, whatever it computes with that input: a
    linear or quadric neuron on ``n`` inputs has ``n`` (a quadric neuron does more with each
    connection, which is how it can do a job with fewer of them). So a dense layer of ``m``
    neurons on ``n`` inputs has ``m n``, whatever its form, and a convolution has
    ``out_channels * in_channels / groups * kh * kw`` (its kernel's connections, shared across
    positions; a :class:`~dql_teach.QuadricConv2d` is counted through its dense neuron, which
    reads ``in_channels * kh * kw`` inputs). Activations, pooling and the like have none.

    Example:
        >>> count_connections(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)))
        56
    """
    _check_module(model)
    total = 0
    for module in model.modules():
        if isinstance(module, (nn.Linear, QuadricForm)):
            total += module.in_features * module.out_features
        elif isinstance(module, nn.modules.conv._ConvNd):  # Conv1d/2d/3d and transposed
            kernel = 1
            for k in module.kernel_size:
                kernel *= k
            total += module.out_channels * (module.in_channels // module.groups) * kernel
    return total


def activation_memory(model: nn.Module, *inputs: Tensor, input_requires_grad: bool = True) -> int:
    """Bytes that autograd keeps from one forward pass ``model(*inputs)`` for the backward.

    Measured, not estimated: every tensor that autograd saves during the forward pass goes
    through ``torch.autograd.graph.saved_tensors_hooks``, and the bytes of the storages behind
    them are added up.

    What is counted:
        - every saved tensor's whole storage, once: several saved tensors that share a storage
          (a tensor and its views, or a tensor saved by two operations, like a ReLU output that
          the next ``nn.Linear`` saves too) count once, and a saved view keeps its whole base
          storage alive, so the base counts;
        - the inputs, when an operation saves them (``nn.Linear`` saves its input to compute
          its weight gradient); they are copied first, so a slice ``X[:32]`` of a larger
          tensor counts as 32 rows;
        - tensors computed from parameters alone, when saved (such as a matrix assembled from
          stored entries); these do not grow with the batch.

    What is not counted: the model's parameters and buffers (stored with the model anyway),
    the output (the caller holds it), and anything freed before the backward pass.

    Args:
        model: any module, run in its current mode (``train``/``eval``).
        inputs: its input tensors.
        input_requires_grad: treat floating-point inputs as outputs of an earlier layer (the
            default: what a layer keeps inside a deeper network). ``False`` measures a first
            layer, whose input needs no gradient, so operations on the input alone save less.

    Returns:
        Bytes, an int.

    Example:
        >>> activation_memory(nn.Linear(10, 4), torch.randn(32, 10))  # the input: 32*10*4 bytes
        1280
    """
    _check_module(model)
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"inputs[{i}] must be a torch.Tensor, got {type(x).__name__}")
    model_state = [*model.parameters(), *model.buffers()]
    skip = {t.untyped_storage().data_ptr() for t in model_state}
    saved: dict[int, int] = {}  # storage address -> bytes

    def pack(t: Tensor) -> Tensor:
        storage = t.untyped_storage()
        ptr = storage.data_ptr()
        if ptr not in skip and storage.nbytes() > 0:
            saved[ptr] = storage.nbytes()
        return t  # keeping a reference keeps the storage alive: addresses stay unique

    # copies: an input's own storage holds exactly its elements
    inputs = tuple(
        x.detach().clone().requires_grad_(input_requires_grad and x.is_floating_point())
        for x in inputs
    )
    with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        output = model(*inputs)
    del output
    return sum(saved.values())


def multiply_adds(layer: nn.Module) -> int:
    """Multiply-adds of one forward pass per input sample, counted on the computation the
    library performs (an elementwise product counts as one).

    ``layer`` is an ``nn.Linear``, a quadric form, or a module made of them (``nn.Sequential``
    of dense layers and activations): then the sum over its dense layers. Shared work counts
    once per layer (a diagonal layer squares its inputs once for all its neurons). Each form
    states its own count (``QuadricForm.multiply_adds``; see :func:`dql_teach.form_facts`).

    Example:
        >>> multiply_adds(nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)))
        24
    """
    _check_module(layer)
    if isinstance(layer, (nn.Linear, QuadricForm)):
        return form_facts(layer).multiply_adds(layer)
    if isinstance(layer, (nn.modules.conv._ConvNd, QuadricConv2d)):
        raise TypeError(
            f"multiply_adds counts dense layers, got {type(layer).__name__}: a convolution's "
            "count depends on the image size"
        )
    if next(layer.parameters(recurse=False), None) is not None:
        raise TypeError(f"multiply_adds does not know {type(layer).__name__}")
    # a container: its dense layers; activations and other parameter-free modules count 0
    return sum(multiply_adds(child) for child in layer.children())


@dataclass(frozen=True)
class FormCost:
    """One row of :func:`form_table`: what one neuron of a form costs on ``n`` inputs.

    Attributes:
        form: the name (a key of ``FORMS`` or of ``VARIANTS``).
        formula: the neuron's output, LaTeX in ``$...$``.
        parameters: free parameters per neuron.
        multiply_adds: multiply-adds per neuron and input sample (shared work, like squaring
            the inputs, split over the layer's ``m`` neurons, so not always a whole number).
        max_rank: the largest rank the neuron's ``A`` can have, reached with random parameters
            (0 for linear, 2 for Hadamard, ``k`` for low rank; the tests check each form's
            claim against ``matrix_rank``).
    """

    form: str
    formula: str
    parameters: int
    multiply_adds: float
    max_rank: int


def form_table(
    n: int, m: int = 1, *, rank: int = 2, forms: tuple[str, ...] | list[str] | None = None
) -> list[FormCost]:
    """The cost of one neuron of each form on ``n`` inputs, as each form states it.

    Args:
        n: inputs per neuron.
        m: neurons per layer; work shared by a layer's neurons is split over them.
        rank: ``k`` of the low-rank form (capped at ``n``).
        forms: names from ``FORMS`` (default: all of them, ``"linear"`` first) and/or
            variants from ``VARIANTS`` (QuadraLib's ``"T1"``..``"T4"`` and
            ``"T1-code"``..``"T4-code"``, ``"quadralib"``, ``"qres"``, ``"bilinear"``...).

    Returns:
        One :class:`FormCost` per form, in the order asked (``dataclasses.asdict`` turns
        each into a dict, e.g. for a pandas ``DataFrame``).

    Example:
        >>> [(r.form, r.parameters, r.max_rank) for r in form_table(4, forms=["linear", "T4"])]
        [('linear', 5, 0), ('T4', 8, 2)]
        >>> [(r.form, r.parameters) for r in form_table(4, forms=["hadamard", "quadralib"])]
        [('hadamard', 13), ('quadralib', 15)]
    """
    for name, value in (("n", n), ("m", m), ("rank", rank)):
        check_positive_int(name, value)
    forms = list(FORMS) if forms is None else list(forms)
    valid = [*FORMS, *VARIANTS]
    for form in forms:
        if form not in valid:
            raise ValueError(f"forms must hold names from {valid}, got {form!r}")
    rows = []
    for form in forms:
        # on the meta device: only the sizes and options matter, so nothing is drawn
        layer = make_layer(form, n, m, rank=min(rank, n), device="meta")
        facts = form_facts(form)
        macs = facts.multiply_adds(layer)
        rows.append(
            FormCost(
                form=form,
                formula=f"${facts.formula}$",
                parameters=facts.parameters_per_neuron(layer),
                multiply_adds=macs // m if macs % m == 0 else macs / m,
                max_rank=facts.max_rank(layer),
            )
        )
    return rows
