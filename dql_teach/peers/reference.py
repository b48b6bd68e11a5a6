r"""Reference forward passes of the published layers, written here from the papers' formulas
and from what their authors' code computes, with each layer's parameters in its own names and
layout (``QuadraticOperation``'s ``(in_features, out_features)`` weights, ``nn.Bilinear``'s
``(m, n, n)`` tensor, ``fc1.weight``...). The authors' code itself is not used or copied: each
function is a plain-torch transcription of the behaviour recorded in the project's notes
(the files named in each docstring), so that the library's layers can be checked against it
without the peers' repositories.

Every function takes ``(state, x)``: ``state`` maps the peer's parameter names to tensors
(as its ``state_dict()`` would), ``x`` is ``(*, n)`` for a dense layer and ``(N, C, H, W)``
for a convolution. The ``init_*`` functions transcribe the peers' initialisations, drawing
from torch's global generator in the peers' order, so a seed can be compared with
``dql_teach``'s start.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "chen_lowrank",
    "dql_quadric",
    "giles_unit",
    "init_dql_quadric",
    "init_quadrafc",
    "init_quadralib_conv",
    "init_quadraour",
    "init_quadratic_neurons",
    "init_quadratic_operation",
    "init_qres_layer",
    "quadrafc",
    "quadralib_type1",
    "quadralib_type2",
    "quadralib_type3",
    "quadralib_type4",
    "quadranet_fc",
    "quadraour",
    "quadratic_operation",
    "qres_layer",
    "qres_tf",
    "relinear_conv",
    "shazeer_bilinear",
    "volterra_conv",
]

State = Mapping[str, Tensor]


def _linear(state: State, prefix: str, x: Tensor) -> Tensor:
    """An ``nn.Linear`` stored as ``prefix.weight`` ``(m, n)`` and ``prefix.bias``."""
    return F.linear(x, state[f"{prefix}.weight"], state.get(f"{prefix}.bias"))


def _conv(state: State, prefix: str, x: Tensor, geometry: dict) -> Tensor:
    """An ``nn.Conv2d`` stored as ``prefix.weight`` ``(m, C, kh, kw)`` and ``prefix.bias``."""
    return F.conv2d(x, state[f"{prefix}.weight"], state.get(f"{prefix}.bias"), **geometry)


def _patches(x: Tensor, kernel_size, geometry: dict) -> tuple[Tensor, tuple[int, int]]:
    """``(N, C, H, W) -> (N, L, C kh kw)`` patches and the output's ``(H_out, W_out)``."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    stride = geometry.get("stride", 1)
    padding = geometry.get("padding", 0)
    dilation = geometry.get("dilation", 1)
    p = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    pair = [v if isinstance(v, tuple) else (v, v) for v in (stride, padding, dilation)]
    size = [
        (x.shape[2 + i] + 2 * pair[1][i] - pair[2][i] * ((kh, kw)[i] - 1) - 1) // pair[0][i] + 1
        for i in (0, 1)
    ]
    return p.transpose(1, 2), (size[0], size[1])


# --- dense layers ---------------------------------------------------------------------------
def dql_quadric(state: State, x: Tensor) -> Tensor:
    """Deep Quadric Learning's ``Quadric`` (``diro5t/deep_quadric_learning``,
    ``TorchQuadMNIST.ipynb``): ``linear(x∘x, qweight) + linear(x, lweight, bias)``, i.e.
    ``o = Σ q_k i_k² + Σ w_k i_k + b``; ``qweight``, ``lweight`` ``(m, n)``, ``bias`` ``(m,)``."""
    return F.linear(x * x, state["qweight"]) + F.linear(x, state["lweight"], state.get("bias"))


def giles_unit(state: State, x: Tensor) -> Tensor:
    """The second-order unit of Giles & Maxwell (1987) before its squashing function ``S``:
    ``W0 + Σ_j W1_j x_j + Σ_j Σ_k W2_jk x_j x_k`` (the paper's double sum; ``W2`` ``(m, n, n)``,
    all ``n²`` entries, ``W1`` ``(m, n)``, ``W0`` ``(m,)``)."""
    quad = torch.einsum("...j,mjk,...k->...m", x, state["W2"], x)
    return quad + F.linear(x, state["W1"], state["W0"])


def quadrafc(state: State, x: Tensor) -> Tensor:
    """QuadraLib's ``Quadrafc`` (``zarekxu/QuadraLib``, ``quadratic_layer.py``): three biased
    ``nn.Linear`` ``fc1, fc2, fc3``, ``fc1(x) * fc2(x) + fc3(x)``."""
    return _linear(state, "fc1", x) * _linear(state, "fc2", x) + _linear(state, "fc3", x)


def quadranet_fc(state: State, x: Tensor) -> Tensor:
    """QuadraNet's ``QuadraFC`` (Xu et al. 2023; the file's repository was not identified):
    ``linear1(x) * linear2(x) + linear3(x)``, three biased ``nn.Linear``."""
    return _linear(state, "linear1", x) * _linear(state, "linear2", x) + _linear(
        state, "linear3", x
    )


def quadratic_operation(state: State, x: Tensor) -> Tensor:
    """The Fan group's ``QuadraticOperation`` (``asdvfghg/quadratic_efficiency``,
    ``synthetic_experiment/Model/QuadraticOperation.py``):
    ``(x W_r + b_r)(x W_g + b_g) + (x∘x) W_b + bias_b``, weights stored ``(n, m)``."""
    r = x @ state["weight_r"] + state["bias_r"]
    g = x @ state["weight_g"] + state["bias_g"]
    return r * g + (x * x) @ state["weight_b"] + state["bias_b"]


# a ``QuadraticNeurons`` class found in the index (repository not identified) computes the same
# z_r * z_g + z_b with the same names and layout; only its init differs
quadratic_neurons = quadratic_operation


def qres_layer(state: State, x: Tensor) -> Tensor:
    """QRes's PyTorch ``QResLayer`` (``jayroxis/qres``, ``QRes/discussion/sin_wave/models.py``):
    ``h1 = W1 x``, ``h2 = W2 x`` (no bias), output ``h1 * h2 + (W1 x + b)``."""
    h1 = F.linear(x, state["weight_1"])
    h2 = F.linear(x, state["weight_2"])
    return h1 * h2 + F.linear(x, state["weight_1"], state["bias"])


def qres_tf(state: State, x: Tensor) -> Tensor:
    """QRes's TensorFlow layer (``jayroxis/qres``, ``QRes/main/continuous_time_inference
    (Burgers)/Burgers.py``, before its ``tanh``): ``H1 = x W1 + b``, ``H2 = x W2``,
    ``H1 * H2 + H1``; ``W1``, ``W2`` ``(n, m)``, ``b`` ``(1, m)``."""
    h1 = x @ state["W1"] + state["b"]
    return h1 * (x @ state["W2"]) + h1


def chen_lowrank(state: State, x: Tensor) -> tuple[Tensor, Tensor]:
    """Chen et al.'s neuron as described (no public code): ``f = Q^T x``,
    ``y = f^T Λ f / k + w^T x + b``, and the features ``f`` as extra outputs. ``Q`` is
    ``(m, n, k)`` (columns: the ``k`` directions), ``Lambda`` ``(m, k)``, ``w`` ``(m, n)``,
    ``b`` ``(m,)``. Returns ``(y (*, m), f (*, m, k))``."""
    f = torch.einsum("...n,mnk->...mk", x, state["Q"])
    k = f.shape[-1]
    y = (f * f * state["Lambda"]).sum(-1) / k + F.linear(x, state["w"], state["b"])
    return y, f


def shazeer_bilinear(state: State, x: Tensor) -> Tensor:
    """Shazeer (2020)'s bilinear layer, ``Bilinear(x, W, V, b, c) = (xW + b) ⊗ (xV + c)``:
    GLU (Dauphin et al. 2017) without its sigmoid; ``W``, ``V`` ``(n, m)``."""
    return (x @ state["W"] + state["b"]) * (x @ state["V"] + state["c"])


# --- convolutions ---------------------------------------------------------------------------
def quadralib_type1(
    state: State, x: Tensor, *, kernel_size: int | tuple[int, int], **geometry
) -> Tensor:
    """QuadraLib's ``Type1``: ``nn.Bilinear(P, P, m)`` applied to every unfolded patch with
    itself, ``p^T W_o p (+ bias)``; ``bilconv.weight`` ``(m, P, P)``, ``P = C kh kw``."""
    patches, (h, w) = _patches(x, kernel_size, geometry)  # (N, L, P)
    y = torch.einsum("nlp,mpq,nlq->nml", patches, state["bilconv.weight"], patches)
    if state.get("bilconv.bias") is not None:
        y = y + state["bilconv.bias"][:, None]
    return y.reshape(x.shape[0], -1, h, w)


def quadralib_type2(state: State, x: Tensor, **geometry) -> Tensor:
    """QuadraLib's ``Type2``: ``conv1(x * x)``."""
    return _conv(state, "conv1", x * x, geometry)


def quadralib_type3(state: State, x: Tensor, **geometry) -> Tensor:
    """QuadraLib's ``Type3``: ``y = conv1(x); y * y``, i.e. ``(W x + b)^2`` (its conv is
    biased)."""
    y = _conv(state, "conv1", x, geometry)
    return y * y


def quadralib_type4(state: State, x: Tensor, **geometry) -> Tensor:
    """QuadraLib's ``Type4``: ``conv1(x) * conv2(x)``."""
    return _conv(state, "conv1", x, geometry) * _conv(state, "conv2", x, geometry)


def quadraour(
    state: State,
    x: Tensor,
    *,
    training: bool = False,
    eps: float = 1e-5,
    momentum: float = 0.1,
    **geometry,
) -> Tensor:
    """QuadraLib's convolutional neuron ``Quadraour``: ``bn1(conv1(x)) * bn2(conv2(x)) +
    bn3(conv3(x))``, a BatchNorm per branch. ``training=True`` normalises with the batch's
    statistics (the running statistics in ``state`` are not updated here)."""
    out = []
    for i in (1, 2, 3):
        z = _conv(state, f"conv{i}", x, geometry)
        mean = state[f"bn{i}.running_mean"].clone()
        var = state[f"bn{i}.running_var"].clone()
        out.append(
            F.batch_norm(
                z,
                mean,
                var,
                state[f"bn{i}.weight"],
                state[f"bn{i}.bias"],
                training,
                momentum,
                eps,
            )  # fmt: skip
        )
    return out[0] * out[1] + out[2]


def relinear_conv(state: State, x: Tensor, **geometry) -> Tensor:
    """The quadratic convolution of Fan et al.'s ReLinear QResNet (``FengleiFan/ReLinear``,
    ``TrainQuadraticNetworksViaReLinear/qresnet.py``), before the BatchNorm that follows it:
    ``conv1r(x) * conv1g(x) + conv1b(x ** 2)``, three biased convolutions."""
    r = _conv(state, "conv1r", x, geometry)
    g = _conv(state, "conv1g", x, geometry)
    return r * g + _conv(state, "conv1b", x.pow(2), geometry)


def volterra_conv(state: State, x: Tensor, **geometry) -> Tensor:
    """The generic second-order Volterra expansion over each patch ``p`` (``P = C kh kw``):
    ``Σ_i w1_i p_i + Σ_i Σ_j w2_ij p_i p_j + b``, ``w1`` a conv kernel ``(m, C, kh, kw)``,
    ``w2`` ``(m, P, P)``. In the spirit of Zoumpourlis et al. (2017); their paper's exact
    formula and parameter count were not checked."""
    w1 = state["w1"]
    patches, (h, w) = _patches(x, tuple(w1.shape[-2:]), geometry)  # (N, L, P)
    quad = torch.einsum("nlp,mpq,nlq->nml", patches, state["w2"], patches)
    lin = F.conv2d(x, w1, state["b"], **geometry)
    return lin + quad.reshape(x.shape[0], -1, h, w)


# --- the peers' initialisations (torch's global generator, in the peers' order) ------------
def _kaiming_uniform(shape: tuple[int, ...]) -> Tensor:
    """``nn.init.kaiming_uniform_(w, a=sqrt(5))``, torch's default for ``nn.Linear`` and
    ``nn.Conv2d``: ``U(±1/sqrt(fan_in))`` with ``fan_in = shape[1] * receptive field``."""
    weight = torch.empty(shape)
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
    return weight


def _fan_in_uniform(shape: tuple[int, ...], fan_in: int) -> Tensor:
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return torch.empty(shape).uniform_(-bound, bound)


def init_dql_quadric(n: int, m: int) -> dict[str, Tensor]:
    """``Quadric.reset_parameters``: ``qweight``, ``lweight`` Kaiming-uniform (``a=√5``), then
    ``bias`` ``U(±1/sqrt(n))``."""
    qweight, lweight = _kaiming_uniform((m, n)), _kaiming_uniform((m, n))
    return {"qweight": qweight, "lweight": lweight, "bias": _fan_in_uniform((m,), n)}


def init_quadrafc(n: int, m: int, names: tuple[str, ...] = ("fc1", "fc2", "fc3")) -> dict:
    """Three ``nn.Linear(n, m)`` made in turn (QuadraNet's ``QuadraFC``: names ``linear1..3``)."""
    state = {}
    for name in names:
        state.update({f"{name}.{k}": v for k, v in nn.Linear(n, m).state_dict().items()})
    return state


def init_qres_layer(n: int, m: int) -> dict[str, Tensor]:
    """``QResLayer``: ``weight_1``, ``weight_2`` Kaiming-uniform (``a=√5``), ``bias``
    ``U(±1/sqrt(n))``."""
    w1, w2 = _kaiming_uniform((m, n)), _kaiming_uniform((m, n))
    return {"weight_1": w1, "weight_2": w2, "bias": _fan_in_uniform((m,), n)}


def init_quadratic_operation(n: int, m: int) -> dict[str, Tensor]:
    """``QuadraticOperation``: the ReLinear start ``w_g = 0, b_g = 1, w_b = 0, c = 0``, then
    ``weight_r`` Kaiming-uniform on its ``(n, m)`` storage, whose fan-in torch reads as ``m``,
    and ``bias_r`` ``U(±1/sqrt(m))`` from that same fan-in."""
    state = {
        "weight_g": torch.zeros(n, m), "weight_b": torch.zeros(n, m),
        "bias_g": torch.ones(m), "bias_b": torch.zeros(m),
    }  # fmt: skip
    state["weight_r"] = _kaiming_uniform((n, m))
    state["bias_r"] = _fan_in_uniform((m,), m)
    return state


def init_quadratic_neurons(n: int, m: int) -> dict[str, Tensor]:
    """The ``QuadraticNeurons`` class found in the index: the three ``(n, m)`` weights
    Kaiming-normal (``nonlinearity='relu'``, fan-in read as ``m``), the biases zero."""
    state = {}
    for name in ("weight_r", "weight_g", "weight_b"):
        state[name] = nn.init.kaiming_normal_(torch.empty(n, m), nonlinearity="relu")
    state.update({f"bias_{b}": torch.zeros(m) for b in "rgb"})
    return state


def init_quadralib_conv(kind: str, c: int, m: int, k: int, bias: bool = True) -> dict:
    """QuadraLib's ``Type1``..``Type4`` as their layers initialise themselves: ``nn.Bilinear``
    (``U(±1/sqrt(P))``, weight then bias) for ``"T1"``, ``nn.Conv2d(c, m, k)`` for the others
    (``conv1`` then ``conv2``)."""
    if kind == "T1":
        layer = nn.Bilinear(c * k * k, c * k * k, m, bias=bias)
        return {f"bilconv.{key}": v for key, v in layer.state_dict().items()}
    convs = ("conv1", "conv2") if kind == "T4" else ("conv1",)
    state = {}
    for name in convs:
        layer = nn.Conv2d(c, m, k, bias=bias or kind == "T3")
        state.update({f"{name}.{key}": v for key, v in layer.state_dict().items()})
    return state


def init_quadraour(c: int, m: int, k: int) -> dict[str, Tensor]:
    """``Quadraour``: ``conv1..3 = nn.Conv2d(c, m, k)`` made in turn, then ``bn1..3``
    (``BatchNorm2d``: weight 1, bias 0, running mean 0, running variance 1)."""
    state = {}
    for i in (1, 2, 3):
        state.update({f"conv{i}.{key}": v for key, v in nn.Conv2d(c, m, k).state_dict().items()})
    for i in (1, 2, 3):
        bn = nn.BatchNorm2d(m).state_dict()
        state.update({f"bn{i}.{key}": v for key, v in bn.items() if key != "num_batches_tracked"})
    return state
