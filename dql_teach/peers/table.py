r"""The table that checks ``dql_teach``'s layers against the published ones.

:func:`equivalence_table` draws random parameters in each peer's own layout, loads them into
the library's layer with the peer's converter, and measures the largest difference between the
two forward passes, in float64 by default; it also compares the starts (same seed, each side's
own initialisation) where the peer's initialisation is known.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, check_seed
from ..forms import form_facts
from .registry import PEERS, Peer, Sizes, peer_state

__all__ = ["TABLE_HEADERS", "PeerRow", "equivalence_table"]


@dataclass(frozen=True)
class PeerRow:
    """One row of :func:`equivalence_table`.

    Attributes:
        peer: the published layer, as :attr:`Peer.title`.
        name: its key in :data:`PEERS`.
        paper: its bib key.
        code: the authors' code (``"owner/repo:path"``) or ``None``.
        no_code: what is known of the code where ``code`` is ``None``.
        source: what the reference pass was transcribed from, a key of
            :data:`~dql_teach.peers.registry.SOURCES` (``"code"``, ``"paper's formula"``...):
            the row checks the layer against that transcription, not against running code.
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
    no_code: str
    source: str
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
            self.peer, f"`{self.paper}`", f"`{self.code}`" if self.code else self.no_code,
            self.source, f"`{self.layer}`",
            f"{self.max_difference:.1e} ({self.relative_difference:.0e})",
            f"{self.peer_parameter_formula} / {self.our_parameter_formula}", init, self.note,
        ]  # fmt: skip


TABLE_HEADERS = [
    "published layer", "paper", "authors' code", "transcribed from", "dql_teach layer",
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
                peer=peer.title,
                name=name,
                paper=peer.paper,
                code=peer.code,
                no_code=peer.no_code,
                source=peer.source,
                layer=_layer_text(peer, layer),
                max_difference=difference,
                relative_difference=difference / scale if scale else difference,
                peer_parameters=_per_neuron(parameters, sizes.m),
                our_parameters=_per_neuron(ours, sizes.m),
                peer_parameter_formula=peer.parameter_formula,
                our_parameter_formula=our_formula,
                same_init=_same_init(peer, sizes, seed),
                note=peer.note,
            )
        )
    torch.manual_seed(seed)
    return rows
