r"""The published layers, each with its reference pass, its converter and what is known about
it, and the table that checks ``dql_teach``'s layers against them.

:data:`PEERS` lists one :class:`Peer` per published layer (or paper formula, where no code is
public). :func:`equivalence_table` draws random parameters in each peer's own layout, loads them
into the library's layer with the peer's converter, and measures the largest difference between
the two forward passes, in float64 by default; it also compares the starts (same seed, each
side's own initialisation) where the peer's initialisation is known.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, check_seed
from ..conv import BranchNormConv2d, QuadricConv2d
from ..forms import form_facts, make_layer
from . import load as L
from . import reference as R

__all__ = ["PEERS", "TABLE_HEADERS", "Peer", "PeerRow", "Sizes", "equivalence_table", "peer_state"]


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
    ),
    Peer(
        "bilinear", "Shazeer's bilinear layer (the paper's formula)", "shazeer2020glu", None,
        "bilinear", "dense", lambda s: {"W": (s.n, s.m), "V": (s.n, s.m), "b": (s.m,),
                                        "c": (s.m,)},
        R.shazeer_bilinear, L.load_bilinear_, "2n + 2",
        "(xW + b)⊗(xV + c); a GLU (Dauphin et al. 2017) puts a sigmoid on one factor, SwiGLU "
        "a Swish: those are not quadrics",
    ),
    Peer(
        "volterra", "second-order Volterra conv (generic)", "zoumpourlis2017nonlinear", None,
        "full", "conv",
        lambda s: {"w1": (s.m, s.channels, s.kernel, s.kernel), "w2": (s.m, s.patch, s.patch),
                   "b": (s.m,)},
        R.volterra_conv, L.load_volterra_conv_, "n² + n + 1",
        "in the spirit of Zoumpourlis et al. 2017: their exact formula and parameter count "
        "were not checked (their Torch7 code is not in the index)",
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


@dataclass(frozen=True)
class PeerRow:
    """One row of :func:`equivalence_table`.

    Attributes:
        peer: the published layer, as :attr:`Peer.title`.
        name: its key in :data:`PEERS`.
        paper: its bib key.
        code: the authors' code (``"owner/repo:path"``) or ``None``.
        layer: our layer with its options, as it would be built.
        max_difference: the largest ``|ours - reference|`` over a random batch, with random
            parameters in the peer's layout loaded by the converter.
        relative_difference: ``max_difference`` over the largest ``|reference|`` (outputs of
            random quadrics on 18-number patches reach the hundreds).
        peer_parameters, our_parameters: parameters per neuron at the table's sizes.
        peer_parameter_formula, our_parameter_formula: the same, in ``n`` (``n`` = inputs per
            neuron, ``C kh kw`` for a convolution) and ``k``.
        same_init: whether the two layers start from the same parameters for one seed (to
            rounding; with :attr:`Peer.init_options` on our side), ``None`` where the peer's
            initialisation is not known.
        note: what differs, or what could not be checked.
    """

    peer: str
    name: str
    paper: str | None
    code: str | None
    layer: str
    max_difference: float
    relative_difference: float
    peer_parameters: float
    our_parameters: float
    peer_parameter_formula: str
    our_parameter_formula: str
    same_init: bool | None
    note: str

    def cells(self) -> list[str]:
        """The row as :data:`TABLE_HEADERS`' text cells (for a Markdown table)."""
        init = {True: "yes", False: "no", None: "not known"}[self.same_init]
        return [
            self.peer, f"`{self.paper}`", f"`{self.code}`" if self.code else "none public",
            f"`{self.layer}`", f"{self.max_difference:.1e} ({self.relative_difference:.0e})",
            f"{self.peer_parameter_formula} / {self.our_parameter_formula}", init, self.note,
        ]  # fmt: skip


TABLE_HEADERS = [
    "published layer", "paper", "authors' code", "dql_teach layer",
    "max |difference| (relative)",
    "parameters per neuron (theirs / ours)", "same start", "note",
]  # fmt: skip
"""The column names of :meth:`PeerRow.cells`."""


def _layer_text(peer: Peer, layer: nn.Module) -> str:
    if peer.kind == "branchnorm":
        return "BranchNormConv2d()"
    if peer.kind == "conv":
        return f"QuadricConv2d(form={peer.form!r})"
    options = ", ".join(f"{k}={v!r}" for k, v in peer.options.items())
    return f"make_layer({peer.form!r}{', ' if options else ''}{options})"


def _max_difference(
    peer: Peer, layer: nn.Module, state: dict, x: Tensor, sizes: Sizes
) -> tuple[float, float]:
    """``(max |ours - reference|, max |reference|)`` on the batch ``x``."""
    options = {"padding": sizes.padding} if peer.kind != "dense" else {}
    if peer.name == "quadralib-T1":
        options["kernel"] = sizes.kernel
    pairs = []  # (ours, reference)
    with torch.no_grad():
        if peer.kind == "branchnorm":  # running statistics, then the batch's
            layer.eval()
            pairs.append((layer(x), peer.reference(state, x, **options)))
            layer.train()
            pairs.append((layer(x), peer.reference(state, x, training=True, **options)))
        else:
            ours, want = layer(x), peer.reference(state, x, **options)
            if isinstance(want, tuple):  # (y, f): our output is [y, f flattened per neuron]
                m = sizes.m
                pairs += [(ours[..., :m], want[0]), (ours[..., m:].unflatten(-1, (m, -1)), want[1])]
            else:
                pairs.append((ours, want))
    difference = max(float((a - b).abs().max()) for a, b in pairs)
    return difference, max(float(b.abs().max()) for _, b in pairs)


def _same_init(peer: Peer, sizes: Sizes, seed: int) -> bool | None:
    if peer.init is None:
        return None
    torch.manual_seed(seed)
    theirs = peer.init(sizes)
    torch.manual_seed(seed)
    ours = peer.build(sizes, **peer.init_options)
    loaded = peer.load(copy.deepcopy(ours), theirs)
    pairs = zip(ours.state_dict().values(), loaded.state_dict().values())
    return all(torch.allclose(a.double(), b.double(), rtol=1e-6, atol=1e-7) for a, b in pairs)


def _per_neuron(count: int, m: int) -> float:
    return count // m if count % m == 0 else count / m


def equivalence_table(
    dtype: torch.dtype = torch.float64,
    seed: int = 0,
    *,
    peers: list[str] | None = None,
    sizes: Sizes | None = None,
) -> list[PeerRow]:
    """Check every form against the published layers it stands for, now.

    For each peer: random parameters in its own layout (:func:`peer_state`, seeded), loaded
    into our layer by its converter, both run on one random batch; the largest difference is
    recorded, with the parameters per neuron on both sides and whether the two start alike.
    The global torch seed is left as ``seed``'s.

    Args:
        dtype: of the parameters and inputs (float64: differences at rounding, about 1e-15).
        seed: for the parameters, the batch and the starts.
        peers: names from :data:`PEERS` (default: all, in its order).
        sizes: the layers' sizes (default :class:`Sizes`: ``n = 5``, ``m = 3``, convolutions
            with 2 channels, 3 x 3 kernels, on 6 x 6 images).

    Returns:
        One :class:`PeerRow` per peer.

    Example:
        >>> rows = equivalence_table(peers=["qres", "qres-tf"])
        >>> [(r.layer, r.max_difference < 1e-12, r.peer_parameters, r.our_parameters)
        ...  for r in rows]
        [("make_layer('qres')", True, 11, 11), ("make_layer('hadamard')", True, 11, 16)]
    """
    check_seed("seed", seed)
    sizes = sizes or Sizes()
    for name in ("n", "m", "channels", "kernel", "rank"):
        check_positive_int(f"sizes.{name}", getattr(sizes, name))
    names = list(PEERS) if peers is None else list(peers)
    unknown = [name for name in names if name not in PEERS]
    if unknown:
        raise ValueError(f"peers must be names from {list(PEERS)}, got {unknown}")
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for name in names:
        peer = PEERS[name]
        state = peer_state(peer, sizes, generator=generator, dtype=dtype)
        layer = peer.load(peer.build(sizes, dtype=dtype), state)
        if peer.kind == "dense":
            x = torch.randn(7, sizes.n, generator=generator, dtype=torch.float64)
        else:
            x = torch.randn(4, sizes.channels, 6, 6, generator=generator, dtype=torch.float64)
        difference, scale = _max_difference(peer, layer, state, x.to(dtype), sizes)
        parameters = sum(v.numel() for k, v in state.items() if k not in peer.buffers)
        ours = sum(p.numel() for p in layer.parameters())
        our_formula = (
            "3n + 3 + 6" if peer.kind == "branchnorm" else form_facts(peer.form).parameter_formula
        )
        rows.append(
            PeerRow(
                peer.title,
                name,
                peer.paper,
                peer.code,
                _layer_text(peer, layer),
                difference,
                difference / scale if scale else difference,
                _per_neuron(parameters, sizes.m),
                _per_neuron(ours, sizes.m),
                peer.parameter_formula,
                our_formula,
                _same_init(peer, sizes, seed),
                peer.note,
            )  # fmt: skip
        )
    torch.manual_seed(seed)
    return rows
