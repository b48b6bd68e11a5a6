r"""The published layers, each with its reference pass, its converter and what is known about
it: :data:`PEERS` lists one :class:`Peer` per published layer (or paper formula, where no code
is public), and :func:`peer_state` draws random parameters in a peer's own names and layout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from ..conv import BranchNormConv2d, QuadricConv2d
from ..forms import make_layer
from . import load as L
from . import reference as R

__all__ = ["PEERS", "SOURCES", "Peer", "Sizes", "peer_state"]

SOURCES: dict[str, str] = {
    "code": "the authors' code",
    "code, repository unknown": "code found in the index, its repository not identified",
    "paper's formula": "a formula of the paper (no code public)",
    "paper's description": "the paper's description in words (no code public)",
    "generic": "a generic form in the paper's spirit, not checked against the paper",
}
"""What each :attr:`Peer.source` says its reference pass was transcribed from."""


@dataclass(frozen=True)
class Sizes:
    """The sizes the table uses: ``n`` inputs and ``m`` neurons for a dense layer; ``channels``
    input channels, a square ``kernel`` and ``padding`` for a convolution (``m`` output
    channels, ``n = channels * kernel**2`` inputs per neuron); ``rank`` for the low rank."""

    n: int = 5
    m: int = 3
    channels: int = 2
    kernel: int = 3
    padding: int = 1
    rank: int = 2

    @property
    def patch(self) -> int:
        return self.channels * self.kernel**2


@dataclass(frozen=True)
class Peer:
    """A published layer and how it maps onto ``dql_teach``.

    Attributes:
        name: its key in :data:`PEERS`.
        title: what the paper or code calls it.
        paper: its key in ``book/references.bib``.
        code: the authors' code as ``"owner/repo:path"`` (``None``: none public or found).
        form: the library's form or variant that computes it.
        kind: ``"dense"``, ``"conv"`` (a :class:`~dql_teach.QuadricConv2d`) or
            ``"branchnorm"`` (a :class:`~dql_teach.BranchNormConv2d`).
        shapes: ``sizes -> {parameter name: shape}``, in the peer's names and layout.
        forward: the reference pass, :mod:`dql_teach.peers.reference`.
        load: the converter, ``(our layer, state) -> our layer``.
        parameter_formula: the peer's parameters per neuron, in ``n`` (and ``k``).
        note: what differs, or what could not be checked.
        options: more options of our layer.
        init: ``sizes -> state``, the peer's initialisation (``None``: not known).
        init_options: our options that start where the peer starts (``init="relinear"``).
        buffers: names in ``shapes`` that are buffers, not parameters.
        no_code: what to say where ``code`` is ``None``.
        source: what :attr:`forward` was transcribed from, a key of :data:`SOURCES`
            (``"code"``: the file ``code`` names).
    """

    name: str
    title: str
    paper: str | None
    code: str | None
    form: str
    kind: str
    shapes: Callable[[Sizes], dict[str, tuple[int, ...]]]
    forward: Callable
    load: Callable[[nn.Module, Mapping[str, Tensor]], nn.Module]
    parameter_formula: str
    note: str
    options: dict = field(default_factory=dict)
    init: Callable[[Sizes], dict] | None = None
    init_options: dict = field(default_factory=dict)
    buffers: tuple[str, ...] = ()
    no_code: str = "none public"
    source: str = "code"

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {list(SOURCES)}, got {self.source!r}")
        if (self.source == "code") != (self.code is not None):
            raise ValueError(f"{self.name}: source 'code' goes with a code path, and only it")

    def build(self, sizes: Sizes, **options) -> nn.Module:
        """Our layer for this peer at these sizes (``options``: ``dtype=``, ``init=``...)."""
        options = {**self.options, **options}
        if self.kind == "dense":
            return make_layer(self.form, sizes.n, sizes.m, rank=sizes.rank, **options)
        geometry = (sizes.channels, sizes.m, sizes.kernel)
        if self.kind == "branchnorm":
            return BranchNormConv2d(*geometry, padding=sizes.padding, **options)
        return QuadricConv2d(*geometry, padding=sizes.padding, form=self.form, **options)

    def reference(self, state: Mapping[str, Tensor], x: Tensor, **options):
        """The reference pass on ``x`` (``(*, n)``, or ``(N, C, H, W)`` for a convolution)."""
        return self.forward(state, x, **options)


def _dense(*names: str, transposed: bool = False, biases: tuple[str, ...] = ()):
    def shapes(s: Sizes) -> dict:
        weight = (s.n, s.m) if transposed else (s.m, s.n)
        return {**{k: weight for k in names}, **{k: (s.m,) for k in biases}}

    return shapes


def _linears(*prefixes: str):
    def shapes(s: Sizes) -> dict:
        out = {}
        for p in prefixes:
            out.update({f"{p}.weight": (s.m, s.n), f"{p}.bias": (s.m,)})
        return out

    return shapes


def _convs(*prefixes: str, bn: tuple[str, ...] = ()):
    def shapes(s: Sizes) -> dict:
        out = {}
        for p in prefixes:
            kernel = (s.m, s.channels, s.kernel, s.kernel)
            out.update({f"{p}.weight": kernel, f"{p}.bias": (s.m,)})
        for b in bn:
            for key in ("weight", "bias", "running_mean", "running_var"):
                out[f"{b}.{key}"] = (s.m,)
        return out

    return shapes


_BN = tuple(f"bn{i}.{k}" for i in (1, 2, 3) for k in ("running_mean", "running_var"))
_QUADRALIB = "zarekxu/QuadraLib:image_classification/models/quadratic_layer.py"
_FAN_CODE = "asdvfghg/quadratic_efficiency:synthetic_experiment/Model/QuadraticOperation.py"


def _conv_peer(kind: str, shapes, formula: str, note: str) -> Peer:
    return Peer(
        f"quadralib-{kind}", f"QuadraLib's Type{kind[1]} (code)", "xu2022quadralib", _QUADRALIB,
        f"{kind}-code", "conv", shapes,
        (lambda st, x, padding=1, kernel=3: R.quadralib_type1(st, x, kernel_size=kernel,
                                                               padding=padding))
        if kind == "T1" else getattr(R, f"quadralib_type{kind[1]}"),
        lambda layer, st, kind=kind: L.load_quadralib_conv_(layer, st, kind), formula, note,
        init=lambda s, kind=kind: R.init_quadralib_conv(kind, s.channels, s.m, s.kernel),
    )  # fmt: skip


PEERS: dict[str, Peer] = {p.name: p for p in [
    Peer(
        "dql-quadric", "Deep Quadric Learning's Quadric", "roeckmann2023dql",
        "diro5t/deep_quadric_learning:TorchQuadMNIST.ipynb", "diagonal", "dense",
        _dense("qweight", "lweight", biases=("bias",)), R.dql_quadric, L.load_dql_quadric_,
        "2n + 1", "qweight, lweight are weight_sq, weight; the same init (U(±1/√n), same order)",
        init=lambda s: R.init_dql_quadric(s.n, s.m),
    ),
    Peer(
        "giles-unit", "Giles & Maxwell's second-order unit (the paper's formula)",
        "giles1987learning", None, "full", "dense",
        lambda s: {"W2": (s.m, s.n, s.n), "W1": (s.m, s.n), "W0": (s.m,)},
        R.giles_unit, L.load_giles_unit_, "n² + n + 1",
        "its double sum weighs x_j x_k twice (W2_jk, W2_kj): n(n-1)/2 of its n² weights are "
        "redundant; ours keeps the n(n+1)/2 that matter, the count of Noel et al. 2023",
        no_code="none (the paper's formula)",
        source="paper's formula",
    ),
    _conv_peer(
        "T1", lambda s: {"bilconv.weight": (s.m, s.patch, s.patch), "bilconv.bias": (s.m,)},
        "n² + 1", "nn.Bilinear(p, p) on every patch p: W_ij + W_ji become one coefficient; "
        "bias as the constructor says (the figure has none); init differs (other layout)",
    ),
    _conv_peer("T2", _convs("conv1"), "n + 1", "conv on x∘x with its bias (figure: none)"),
    _conv_peer(
        "T3", _convs("conv1"), "n + 1",
        "(Wx + b)²: the figure's (Wx)² lacks 2b(w·x) + b²; its conv always has the bias",
    ),
    _conv_peer("T4", _convs("conv1", "conv2"), "2n + 2", "two biased convs: the bilinear form"),
    Peer(
        "quadrafc", "QuadraLib's Quadrafc", "xu2022quadralib", _QUADRALIB, "quadralib",
        "dense", _linears("fc1", "fc2", "fc3"), R.quadrafc, L.load_quadrafc_, "3n + 3",
        "a bias in each factor; the default HadamardQuadric (3n + 1) draws the same "
        "functions with two parameters fewer and other training dynamics",
        init=lambda s: R.init_quadrafc(s.n, s.m),
    ),
    Peer(
        "quadranet-fc", "QuadraNet's QuadraFC", "xu2023quadranet", None, "quadralib", "dense",
        _linears("linear1", "linear2", "linear3"), R.quadranet_fc, L.load_quadranet_fc_,
        "3n + 3", "as Quadrafc; the file was found in the index, its repository not identified",
        init=lambda s: R.init_quadrafc(s.n, s.m, ("linear1", "linear2", "linear3")),
        no_code="a file in the index, repository not identified",
        source="code, repository unknown",
    ),
    Peer(
        "quadraour", "QuadraLib's Quadraour (conv, BatchNorm per branch)", "xu2022quadralib",
        _QUADRALIB, "quadralib", "branchnorm", _convs("conv1", "conv2", "conv3",
                                                     bn=("bn1", "bn2", "bn3")),
        R.quadraour, L.load_quadraour_, "3n + 3 + 6",
        "BranchNormConv2d; compared with running and with batch statistics; the +6 are the "
        "BatchNorms' weights and biases (running statistics are buffers)",
        init=lambda s: R.init_quadraour(s.channels, s.m, s.kernel), buffers=_BN,
    ),
    Peer(
        "quadratic-operation", "Fan/Liao's QuadraticOperation", "fan2023one", _FAN_CODE, "fan",
        "dense", _dense("weight_r", "weight_g", "weight_b", transposed=True,
                        biases=("bias_r", "bias_g", "bias_b")),
        R.quadratic_operation, L.load_quadratic_operation_, "3n + 3",
        "(in, out) weights, transposed; starts at ReLinear (ours: init='relinear') but reads "
        "the fan-in from out_features (U(±1/√m); ours U(±1/√n)); its second lr group holds c "
        "too (quadratic_param_groups(as_authors=True))",
        init=lambda s: R.init_quadratic_operation(s.n, s.m), init_options={"init": "relinear"},
    ),
    Peer(
        "quadratic-neurons", "a QuadraticNeurons class (same maths)", "fan2018new", None, "fan",
        "dense", _dense("weight_r", "weight_g", "weight_b", transposed=True,
                        biases=("bias_r", "bias_g", "bias_b")),
        R.quadratic_neurons, L.load_quadratic_operation_, "3n + 3",
        "found in the index, repository not identified; init Kaiming-normal weights and zero "
        "biases (no ReLinear start)",
        init=lambda s: R.init_quadratic_neurons(s.n, s.m),
        no_code="a file in the index, repository not identified",
        source="code, repository unknown",
    ),
    Peer(
        "relinear-conv", "ReLinear QResNet's quadratic conv", "fan2023expressivity",
        "FengleiFan/ReLinear:TrainQuadraticNetworksViaReLinear/qresnet.py", "fan", "conv",
        _convs("conv1r", "conv1g", "conv1b"), R.relinear_conv, L.load_relinear_conv_,
        "3n + 3", "its BatchNorm after the sum is an nn.BatchNorm2d after ours; starts at "
        "ReLinear (ours: init='relinear'); g, b groups at lr_gb = 1e-5 vs lr = 0.1",
    ),
    Peer(
        "qres", "QRes's QResLayer (PyTorch)", "bu2021quadratic",
        "jayroxis/qres:QRes/discussion/sin_wave/models.py", "qres", "dense",
        _dense("weight_1", "weight_2", biases=("bias",)), R.qres_layer, L.load_qres_layer_,
        "2n + 1", "the same function and init", init=lambda s: R.init_qres_layer(s.n, s.m),
    ),
    Peer(
        "qres-tf", "QRes's layer (TensorFlow, the paper's experiments)", "bu2021quadratic",
        "jayroxis/qres:QRes/main/continuous_time_inference (Burgers)/Burgers.py", "hadamard",
        "dense", lambda s: {"W1": (s.n, s.m), "W2": (s.n, s.m), "b": (1, s.m)},
        R.qres_tf, L.load_qres_tf_, "2n + 1",
        "(W1x + b)(W2x) + W1x + b has b(W2x) more than the PyTorch layer: exact in the default "
        "Hadamard form (w = W1 + b W2), not in 'qres'; the paper's own equation (a figure) "
        "was not read",
    ),
    Peer(
        "chen-lowrank", "Chen et al.'s neuron (as described)", "chen2023efficient", None,
        "lowrank", "dense",
        lambda s: {"Q": (s.m, s.n, s.rank), "Lambda": (s.m, s.rank), "w": (s.m, s.n),
                   "b": (s.m,)},
        R.chen_lowrank, L.load_chen_lowrank_, "kn + k + n + 1",
        "no public code: a transcription of the paper's description (f = Q^T x, Λ/k, Λ from "
        "0, f as extra outputs in our order); Q free, so Λ/k are not A's eigenvalues",
        options={"return_features": True},
        source="paper's description",
    ),
    Peer(
        "chen-lowrank-orthonormal", "Chen et al.'s neuron, Q orthonormal", "chen2023efficient",
        None, "lowrank-orthonormal", "dense",
        lambda s: {"Q": (s.m, s.n, s.rank), "Lambda": (s.m, s.rank), "w": (s.m, s.n),
                   "b": (s.m,)},
        R.chen_lowrank, L.load_chen_lowrank_, "kn + k + n + 1",
        "orthonormal=True: Λ/k are A's nonzero eigenvalues; whether the paper keeps Q "
        "orthonormal in training was not checked",
        options={"return_features": True},
        source="paper's description",
    ),
    Peer(
        "bilinear", "Shazeer's bilinear layer (the paper's formula)", "shazeer2020glu", None,
        "bilinear", "dense", lambda s: {"W": (s.n, s.m), "V": (s.n, s.m), "b": (s.m,),
                                        "c": (s.m,)},
        R.shazeer_bilinear, L.load_bilinear_, "2n + 2",
        "(xW + b)⊗(xV + c); a GLU (Dauphin et al. 2017) puts a sigmoid on one factor, SwiGLU "
        "a Swish: those are not quadrics",
        no_code="none (the paper's formula)",
        source="paper's formula",
    ),
    Peer(
        "volterra", "second-order Volterra conv (generic)", "zoumpourlis2017nonlinear", None,
        "full", "conv",
        lambda s: {"w1": (s.m, s.channels, s.kernel, s.kernel), "w2": (s.m, s.patch, s.patch),
                   "b": (s.m,)},
        R.volterra_conv, L.load_volterra_conv_, "n² + n + 1",
        "in the spirit of Zoumpourlis et al. 2017: their exact formula and parameter count "
        "were not checked (their Torch7 code is not in the index)",
        no_code="not in the index (Torch7, CUDA)",
        source="generic",
    ),
]}  # fmt: skip
"""Every published layer the library is checked against, by name."""


def peer_state(
    peer: str | Peer,
    sizes: Sizes | None = None,
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> dict[str, Tensor]:
    """Random parameters in the peer's names and layout: ``N(0, 1)`` entries (variances of
    BatchNorm ``U(0.5, 1.5)``; Chen's ``Q`` with orthonormal columns for the orthonormal
    variant), drawn on the CPU from ``generator``.

    Example:
        >>> state = peer_state("qres-tf", Sizes(n=4, m=2))
        >>> {k: tuple(v.shape) for k, v in state.items()}
        {'W1': (4, 2), 'W2': (4, 2), 'b': (1, 2)}
    """
    peer = PEERS[peer] if isinstance(peer, str) else peer
    sizes = sizes or Sizes()
    state = {}
    for name, shape in peer.shapes(sizes).items():
        if name.endswith("running_var"):
            value = torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5
        else:
            value = torch.randn(shape, generator=generator, dtype=torch.float64)
        state[name] = value.to(dtype)
    if peer.form == "lowrank-orthonormal":
        state["Q"] = torch.linalg.qr(state["Q"])[0]  # (m, n, k), orthonormal columns
    return state
