"""Counting what a model costs: parameters, interconnections, activation memory, per-form tables."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .conv import QuadricConv2d
from .neurons import (
    DiagonalQuadric,
    FanQuadric,
    HadamardQuadric,
    LowRankQuadric,
    QuadricForm,
    QuadricLinear,
    make_layer,
)

__all__ = [
    "FormCost",
    "activation_memory",
    "count_connections",
    "count_parameters",
    "form_table",
    "multiply_adds",
]


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of free parameters (each shared tensor counted once).

    Example:
        >>> count_parameters(nn.Linear(3, 2))
        8
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def count_connections(model: nn.Module) -> int:
    """Interconnections between neurons, as in the Deep Quadric Learning thesis.

    A neuron has one connection per input it reads, whatever it computes with that input: a
    linear or quadric neuron on ``n`` inputs has ``n``. A layer of ``m`` neurons on ``n``
    inputs has ``m n``; a convolution has ``out * in * kh * kw`` (its kernel connections,
    shared across positions). Quadric neurons do more with each connection, which is how they
    can do the same job with fewer of them.

    Example:
        >>> count_connections(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)))
        56
    """
    total = 0
    for module in model.modules():
        if isinstance(module, (nn.Linear, QuadricForm)):
            total += module.in_features * module.out_features
        elif isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total += module.out_channels * module.in_channels // module.groups * kh * kw
        elif isinstance(module, QuadricConv2d):
            continue  # its dense neuron (a QuadricForm) is counted as a child module
    return total


def activation_memory(model: nn.Module, *inputs: Tensor) -> int:
    """Bytes of activations that autograd keeps from ``model(*inputs)`` for the backward pass.

    Measured, not estimated: every tensor autograd saves during the forward pass goes through
    ``torch.autograd.graph.saved_tensors_hooks``; tensors sharing storage are counted once, and
    the model's parameters (stored anyway) are not counted. The inputs are counted when some
    operation saves them (an ``nn.Linear`` saves its input to compute the weight gradient).

    Example:
        >>> activation_memory(nn.Linear(10, 4), torch.randn(32, 10))  # the input: 32*10*4 bytes
        1280
    """
    param_storages = {p.untyped_storage().data_ptr() for p in model.parameters()}
    seen: dict[int, int] = {}

    def pack(t: Tensor) -> Tensor:
        storage = t.untyped_storage()
        ptr = storage.data_ptr()
        if ptr not in param_storages:
            seen[ptr] = max(seen.get(ptr, 0), storage.nbytes())
        return t

    with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        inputs = tuple(x.detach().requires_grad_(x.is_floating_point()) for x in inputs)
        model(*inputs)
    return sum(seen.values())


@dataclass(frozen=True)
class FormCost:
    """One row of :func:`form_table`: the cost of one neuron of a form on ``n`` inputs."""

    form: str
    formula: str
    parameters: int
    multiply_adds: int
    max_rank: int


def multiply_adds(layer: nn.Module) -> int:
    """Multiply-adds of one forward pass per input sample (counted on the computation the
    library performs; elementwise products count as one each)."""
    if isinstance(layer, nn.Linear):
        return layer.in_features * layer.out_features
    n, m = layer.in_features, layer.out_features
    if isinstance(layer, DiagonalQuadric):  # x∘x, then two matrix-vector products
        return n + m * n * (2 if layer.weight is not None else 1)
    if isinstance(layer, QuadricLinear):  # monomials, then one product on them (+ linear)
        p = n * (n + 1) // 2
        return p + m * p + (m * n if layer.weight is not None else 0)
    if isinstance(layer, FanQuadric):  # 2m factors, x∘x, the w_b product, r*g
        return 2 * m * n + n + m * n + m
    if isinstance(layer, HadamardQuadric):
        factors = 1 if layer.weight_b is None else 2
        linear = 1 if layer.weight is not None else 0
        return (factors + linear) * m * n + m
    if isinstance(layer, LowRankQuadric):  # one GEMM of (k+1) m rows, then Λ-weighted squares
        k = layer.rank
        return (k + (1 if layer.weight is not None else 0)) * m * n + 2 * k * m
    raise TypeError(f"multiply_adds does not know {type(layer).__name__}")


_FORMULAS = {
    "linear": r"$w\cdot x + c$",
    "diagonal": r"$q\cdot(x\circ x) + w\cdot x + c$",
    "full": r"$x^\top A x + b\cdot x + c$",
    "fan": r"$(w_r\cdot x+b_r)(w_g\cdot x+b_g) + w_b\cdot(x\circ x) + c$",
    "hadamard": r"$(w_a\cdot x)(w_b\cdot x) + w_c\cdot x + c$",
    "lowrank": r"$\frac{1}{k}(Q_k^\top x)^\top\Lambda_k(Q_k^\top x) + w\cdot x + c$",
}


def form_table(n: int, rank: int = 2, forms: tuple[str, ...] | None = None) -> list[FormCost]:
    """Cost of one neuron of each form on ``n`` inputs, computed from the library's layers.

    ``max_rank`` is the largest rank of ``A`` found over a few random initialisations (and
    capped by the form's structure: 0 for linear, 2 for Hadamard, ``k`` for low-rank).

    Example:
        >>> [(r.form, r.parameters) for r in form_table(4, forms=("linear", "hadamard"))]
        [('linear', 5), ('hadamard', 13)]
    """
    forms = tuple(_FORMULAS) if forms is None else forms
    rows = []
    generator_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(0)
        for form in forms:
            options = {"rank": min(rank, n)} if form == "lowrank" else {}
            layer = make_layer(form, n, 1, dtype=torch.float64, **options)
            if isinstance(layer, LowRankQuadric):
                nn.init.normal_(layer.eigenvalues)  # Λ starts at zero; any value shows the rank
            if isinstance(layer, nn.Linear):
                max_rank = 0
            else:
                A = layer.as_quadric()[0][0]
                max_rank = int(torch.linalg.matrix_rank(A))
            rows.append(
                FormCost(
                    form=form,
                    formula=_FORMULAS[form],
                    parameters=count_parameters(layer),
                    multiply_adds=multiply_adds(layer),
                    max_rank=max_rank,
                )
            )
    finally:
        torch.random.set_rng_state(generator_state)
    return rows
