r"""The published layers that the forms stand for: reference forward passes written from the
papers and from what the authors' code computes (:mod:`.reference`), converters that load a
published layer's parameters into the library's layer (:mod:`.load`), and the table that
checks each form against them (:mod:`.table`), with the peers listed in :mod:`.registry`.

>>> rows = equivalence_table()
>>> all(r.max_difference < 1e-12 for r in rows)
True
"""

from . import load, reference
from .load import (
    load_bilinear_,
    load_chen_lowrank_,
    load_dql_quadric_,
    load_giles_unit_,
    load_qres_layer_,
    load_qres_tf_,
    load_quadrafc_,
    load_quadralib_conv_,
    load_quadranet_fc_,
    load_quadraour_,
    load_quadratic_operation_,
    load_relinear_conv_,
    load_volterra_conv_,
)
from .registry import PEERS, SOURCES, Peer, Sizes, peer_state
from .table import TABLE_HEADERS, PeerRow, equivalence_table


def load_peer_(layer, peer: str, state):
    """Load the parameters ``state`` of the published layer ``peer`` (a key of
    :data:`PEERS`) into ``layer``, in place; returns ``layer``.

    Example:
        >>> import torch
        >>> import dql_teach as dql
        >>> state = peer_state("qres", Sizes(n=4, m=2))
        >>> layer = load_peer_(dql.make_layer("qres", 4, 2, dtype=state["bias"].dtype),
        ...                    "qres", state)
        >>> x = torch.randn(3, 4, dtype=torch.float64)
        >>> torch.allclose(layer(x), reference.qres_layer(state, x))
        True
    """
    if peer not in PEERS:
        raise ValueError(f"peer must be one of {list(PEERS)}, got {peer!r}")
    return PEERS[peer].load(layer, state)


__all__ = [
    "PEERS",
    "SOURCES",
    "TABLE_HEADERS",
    "Peer",
    "PeerRow",
    "Sizes",
    "equivalence_table",
    "load",
    "load_bilinear_",
    "load_chen_lowrank_",
    "load_dql_quadric_",
    "load_giles_unit_",
    "load_peer_",
    "load_quadrafc_",
    "load_quadralib_conv_",
    "load_quadranet_fc_",
    "load_quadraour_",
    "load_quadratic_operation_",
    "load_qres_layer_",
    "load_qres_tf_",
    "load_relinear_conv_",
    "load_volterra_conv_",
    "peer_state",
    "reference",
]
