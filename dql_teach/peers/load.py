r"""Converters: load a published layer's parameters (its ``state_dict``, in its own names and
layout) into the ``dql_teach`` layer that computes the same function.

Each ``load_*_`` copies in place and returns the layer; it checks the layer's class and options
and every shape first, and raises ``ValueError`` (``TypeError`` for a wrong layer class) naming
what does not fit. Loaded in float64, the two agree to rounding (about 1e-15,
:func:`dql_teach.peers.equivalence_table` measures it).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ..conv import BranchNormConv2d, QuadricConv2d
from ..forms import DiagonalQuadric, FanQuadric, HadamardQuadric, LowRankQuadric, QuadricLinear

__all__ = [
    "load_bilinear_",
    "load_chen_lowrank_",
    "load_dql_quadric_",
    "load_giles_unit_",
    "load_quadrafc_",
    "load_quadralib_conv_",
    "load_quadranet_fc_",
    "load_quadraour_",
    "load_quadratic_operation_",
    "load_qres_layer_",
    "load_qres_tf_",
    "load_relinear_conv_",
    "load_volterra_conv_",
]

State = Mapping[str, Tensor]


def _require(layer: nn.Module, cls: type, peer: str, **options) -> None:
    if not isinstance(layer, cls):
        raise TypeError(f"{peer} loads into a {cls.__name__}, got {type(layer).__name__}")
    wrong = {k: getattr(layer, k) for k, v in options.items() if getattr(layer, k) != v}
    if wrong:
        want = ", ".join(f"{k}={options[k]}" for k in wrong)
        raise ValueError(f"{peer} needs a {cls.__name__} with {want}, got {wrong}")


def _get(state: State, key: str, peer: str) -> Tensor:
    if key not in state:
        raise ValueError(f"{peer}'s state has no {key!r}; it has {sorted(state)}")
    return state[key]


def _copy(target: Tensor | None, value: Tensor, what: str) -> None:
    if target is None:
        raise ValueError(f"{what}: the layer has no such parameter (check its options)")
    value = value.detach()
    if value.ndim > target.ndim and value.shape[0] == target.shape[0] == len(value):
        # a convolution's kernel (m, C, kh, kw) is the neuron's (m, C kh kw): F.unfold's order
        value = value.flatten(target.ndim - 1) if value.numel() == target.numel() else value
    if value.shape != target.shape:
        raise ValueError(f"{what}: shape {tuple(value.shape)} does not fit {tuple(target.shape)}")
    with torch.no_grad():
        target.copy_(value)


def _neuron(layer: nn.Module, cls: type, peer: str, **options):
    """The dense form behind a convolution (a :class:`QuadricConv2d`'s neuron)."""
    if not isinstance(layer, QuadricConv2d):
        raise TypeError(f"{peer} loads into a QuadricConv2d, got {type(layer).__name__}")
    _require(layer.neuron, cls, peer, **options)
    return layer.neuron


def _pairs_to_monomials(W: Tensor, layer: QuadricLinear) -> Tensor:
    """``(m, n, n)`` coefficients of ``x_i x_j`` over all ``i, j`` -> ``(m, n(n+1)/2)`` of the
    distinct monomials: ``W_ii`` for ``x_i²`` and ``W_ij + W_ji`` for ``x_i x_j``, ``i < j``."""
    rows, cols = layer._rows, layer._cols
    off = (rows != cols).to(W.dtype)
    return W[:, rows, cols] + W[:, cols, rows] * off


# --- dense layers ---------------------------------------------------------------------------
def load_dql_quadric_(layer: DiagonalQuadric, state: State) -> DiagonalQuadric:
    """Deep Quadric Learning's ``Quadric`` -> ``DiagonalQuadric()``: ``qweight`` is ``q``,
    ``lweight`` is ``w``, ``bias`` is ``c``."""
    peer = "Quadric"
    _require(layer, DiagonalQuadric, peer, linear_term=True)
    _copy(layer.weight_sq, _get(state, "qweight", peer), "qweight")
    _copy(layer.weight, _get(state, "lweight", peer), "lweight")
    if "bias" in state:
        _copy(layer.bias, state["bias"], "bias")
    return layer


def load_giles_unit_(layer: QuadricLinear, state: State) -> QuadricLinear:
    """Giles & Maxwell's second-order unit -> ``QuadricLinear()``: ``W2_jk`` and ``W2_kj`` both
    weigh ``x_j x_k`` and are summed into one monomial coefficient."""
    _require(layer, QuadricLinear, "second-order unit", linear_term=True)
    _copy(layer.weight_quad, _pairs_to_monomials(_get(state, "W2", "unit"), layer), "W2")
    _copy(layer.weight, _get(state, "W1", "unit"), "W1")
    _copy(layer.bias, _get(state, "W0", "unit"), "W0")
    return layer


def _load_three_linears(layer: HadamardQuadric, state: State, names, peer: str):
    _require(layer, HadamardQuadric, peer, factor_bias=True, linear_term=True, residual=False)
    for (weight, bias), name in zip(
        (
            (layer.weight_u, layer.bias_u),
            (layer.weight_v, layer.bias_v),
            (layer.weight, layer.bias),
        ),
        names,
    ):
        _copy(weight, _get(state, f"{name}.weight", peer), f"{name}.weight")
        _copy(bias, _get(state, f"{name}.bias", peer), f"{name}.bias")
    return layer


def load_quadrafc_(layer: HadamardQuadric, state: State) -> HadamardQuadric:
    """QuadraLib's ``Quadrafc`` -> ``make_layer("quadralib", ...)`` (``HadamardQuadric(
    factor_bias=True)``): ``fc1`` is ``(u, u_0)``, ``fc2`` ``(v, v_0)``, ``fc3`` ``(w, c)``."""
    return _load_three_linears(layer, state, ("fc1", "fc2", "fc3"), "Quadrafc")


def load_quadranet_fc_(layer: HadamardQuadric, state: State) -> HadamardQuadric:
    """QuadraNet's ``QuadraFC`` -> ``make_layer("quadralib", ...)``: ``linear1..3`` as
    ``fc1..3`` of :func:`load_quadrafc_`."""
    return _load_three_linears(layer, state, ("linear1", "linear2", "linear3"), "QuadraFC")


def load_quadratic_operation_(layer: FanQuadric, state: State) -> FanQuadric:
    """The Fan group's ``QuadraticOperation`` (or ``QuadraticNeurons``) -> ``FanQuadric()``:
    the ``(n, m)`` weights transposed; ``r, g, b`` are ``u, v, q`` and ``bias_b`` is ``c``."""
    peer = "QuadraticOperation"
    _require(layer, FanQuadric, peer)
    for ours, theirs in (("u", "r"), ("v", "g")):
        _copy(getattr(layer, f"weight_{ours}"), _get(state, f"weight_{theirs}", peer).T, theirs)
        _copy(getattr(layer, f"bias_{ours}"), _get(state, f"bias_{theirs}", peer), theirs)
    _copy(layer.weight_sq, _get(state, "weight_b", peer).T, "weight_b")
    _copy(layer.bias, _get(state, "bias_b", peer), "bias_b")
    return layer


def load_qres_layer_(layer: HadamardQuadric, state: State) -> HadamardQuadric:
    """QRes's PyTorch ``QResLayer`` -> ``make_layer("qres", ...)`` (``residual=True``)."""
    _require(layer, HadamardQuadric, "QResLayer", residual=True, factor_bias=False)
    _copy(layer.weight_u, _get(state, "weight_1", "QResLayer"), "weight_1")
    _copy(layer.weight_v, _get(state, "weight_2", "QResLayer"), "weight_2")
    _copy(layer.bias, _get(state, "bias", "QResLayer"), "bias")
    return layer


def load_qres_tf_(layer: HadamardQuadric, state: State) -> HadamardQuadric:
    """QRes's TensorFlow layer -> the default ``HadamardQuadric()``. Its
    ``(W1 x + b)(W2 x) + W1 x + b`` has the term ``b (W2 x)`` that QRes's PyTorch layer lacks,
    so it is not ``residual=True``; written out it is ``(u·x)(v·x) + w·x + c`` with
    ``u = W1, v = W2, w = W1 + b W2, c = b``."""
    peer = "QRes (TensorFlow)"
    _require(layer, HadamardQuadric, peer, residual=False, factor_bias=False, linear_term=True)
    w1, w2 = _get(state, "W1", peer).T, _get(state, "W2", peer).T  # (m, n)
    b = _get(state, "b", peer).reshape(-1)
    _copy(layer.weight_u, w1, "W1")
    _copy(layer.weight_v, w2, "W2")
    _copy(layer.weight, w1 + b[:, None] * w2, "W1 + b W2")
    _copy(layer.bias, b, "b")
    return layer


def load_chen_lowrank_(layer: LowRankQuadric, state: State) -> LowRankQuadric:
    """Chen et al.'s neuron as described -> ``LowRankQuadric(rank=k, return_features=True)``:
    ``weight_q`` is ``Q^T``, ``weight_lambda`` is ``Λ``. With ``orthonormal=True`` the
    directions must be orthonormal already (else the layer would use other ones)."""
    peer = "Chen et al.'s neuron"
    _require(layer, LowRankQuadric, peer, linear_term=True)
    Q = _get(state, "Q", peer).transpose(-1, -2)  # (m, k, n)
    if layer.orthonormal:
        gram = Q @ Q.transpose(-1, -2)
        eye = torch.eye(Q.shape[-2], dtype=Q.dtype, device=Q.device)
        if not torch.allclose(gram, eye, atol=1e-10 if Q.dtype == torch.float64 else 1e-5):
            raise ValueError("an orthonormal LowRankQuadric needs Q with orthonormal columns")
    _copy(layer.weight_q, Q, "Q")
    _copy(layer.weight_lambda, _get(state, "Lambda", peer), "Lambda")
    _copy(layer.weight, _get(state, "w", peer), "w")
    _copy(layer.bias, _get(state, "b", peer), "b")
    return layer


def load_bilinear_(layer: HadamardQuadric, state: State) -> HadamardQuadric:
    """Shazeer's bilinear layer ``(xW + b) ⊗ (xV + c)`` -> ``make_layer("bilinear", ...)``."""
    peer = "bilinear layer"
    _require(layer, HadamardQuadric, peer, factor_bias=True, linear_term=False)
    _copy(layer.weight_u, _get(state, "W", peer).T, "W")
    _copy(layer.bias_u, _get(state, "b", peer), "b")
    _copy(layer.weight_v, _get(state, "V", peer).T, "V")
    _copy(layer.bias_v, _get(state, "c", peer), "c")
    return layer


# --- convolutions ---------------------------------------------------------------------------
def load_quadralib_conv_(conv: QuadricConv2d, state: State, kind: str) -> QuadricConv2d:
    """QuadraLib's ``Type1``..``Type4`` -> ``QuadricConv2d(form="T1-code")``..``"T4-code"``
    (or the figure's ``"T1"``..``"T4"`` when the peer has no biases). ``kind`` is ``"T1"``..
    ``"T4"``; a kernel ``(m, C, kh, kw)`` is the neuron's ``(m, C kh kw)`` weight."""
    peer = f"QuadraLib {kind}"
    if kind == "T1":
        neuron = _neuron(conv, QuadricLinear, peer, linear_term=False)
        W = _get(state, "bilconv.weight", peer)
        _copy(neuron.weight_quad, _pairs_to_monomials(W, neuron), "bilconv.weight")
        if state.get("bilconv.bias") is not None:
            _copy(neuron.bias, state["bilconv.bias"], "bilconv.bias")
    elif kind == "T2":
        neuron = _neuron(conv, DiagonalQuadric, peer, linear_term=False)
        _copy(neuron.weight_sq, _get(state, "conv1.weight", peer), "conv1.weight")
        if state.get("conv1.bias") is not None:
            _copy(neuron.bias, state["conv1.bias"], "conv1.bias")
    elif kind in ("T3", "T4"):
        neuron = _neuron(
            conv, HadamardQuadric, peer, linear_term=False, shared_factors=kind == "T3"
        )
        names = ("conv1",) if kind == "T3" else ("conv1", "conv2")
        for (weight, bias), name in zip(
            ((neuron.weight_u, neuron.bias_u), (neuron.weight_v, neuron.bias_v)), names
        ):
            _copy(weight, _get(state, f"{name}.weight", peer), f"{name}.weight")
            if state.get(f"{name}.bias") is not None:
                _copy(bias, state[f"{name}.bias"], f"{name}.bias")
    else:
        raise ValueError(f"kind must be one of 'T1', 'T2', 'T3', 'T4', got {kind!r}")
    return conv


def load_relinear_conv_(conv: QuadricConv2d, state: State) -> QuadricConv2d:
    """The ReLinear QResNet's quadratic convolution -> ``QuadricConv2d(form="fan")``:
    ``conv1r`` is ``(u, u_0)``, ``conv1g`` ``(v, v_0)``, ``conv1b`` ``(q, c)``."""
    peer = "ReLinear QResNet conv"
    neuron = _neuron(conv, FanQuadric, peer)
    for weight, bias, name in (
        (neuron.weight_u, neuron.bias_u, "conv1r"),
        (neuron.weight_v, neuron.bias_v, "conv1g"),
        (neuron.weight_sq, neuron.bias, "conv1b"),
    ):
        _copy(weight, _get(state, f"{name}.weight", peer), f"{name}.weight")
        _copy(bias, _get(state, f"{name}.bias", peer), f"{name}.bias")
    return conv


def load_quadraour_(layer: BranchNormConv2d, state: State) -> BranchNormConv2d:
    """QuadraLib's ``Quadraour`` -> :class:`~dql_teach.BranchNormConv2d`: ``conv1..3`` into
    its convolution's ``(u, u_0), (v, v_0), (w, c)``, ``bn1..3`` into ``norm_u, norm_v,
    norm_w`` (weights, biases and running statistics)."""
    peer = "Quadraour"
    if not isinstance(layer, BranchNormConv2d):
        raise TypeError(f"{peer} loads into a BranchNormConv2d, got {type(layer).__name__}")
    neuron = layer.neuron
    pairs = ((neuron.weight_u, neuron.bias_u), (neuron.weight_v, neuron.bias_v))
    for (weight, bias), name in zip(
        (*pairs, (neuron.weight, neuron.bias)), ("conv1", "conv2", "conv3")
    ):
        _copy(weight, _get(state, f"{name}.weight", peer), f"{name}.weight")
        if state.get(f"{name}.bias") is not None:
            _copy(bias, state[f"{name}.bias"], f"{name}.bias")
    for norm, name in zip((layer.norm_u, layer.norm_v, layer.norm_w), ("bn1", "bn2", "bn3")):
        for key, target in norm.state_dict(keep_vars=True).items():
            if f"{name}.{key}" in state:
                _copy(target, state[f"{name}.{key}"], f"{name}.{key}")
    return layer


def load_volterra_conv_(conv: QuadricConv2d, state: State) -> QuadricConv2d:
    """The second-order Volterra expansion over patches -> ``QuadricConv2d(form="full")``:
    ``w1`` is the linear kernel, ``w2_ij + w2_ji`` the coefficient of ``p_i p_j``."""
    neuron = _neuron(conv, QuadricLinear, "Volterra convolution", linear_term=True)
    w2 = _pairs_to_monomials(_get(state, "w2", "Volterra"), neuron)
    _copy(neuron.weight_quad, w2, "w2")
    _copy(neuron.weight, _get(state, "w1", "Volterra"), "w1")
    _copy(neuron.bias, _get(state, "b", "Volterra"), "b")
    return conv
