r"""The low-rank eigen form of Chen et al. (2023): ``A = Q_k \Lambda_k Q_k^\top / k``.

Chen et al. describe their neuron through the eigendecomposition of a symmetric ``M``, keeping
the top ``k`` eigenvalues and eigenvectors. Whether their training keeps ``Q_k`` orthonormal
is not stated in any source this project could read (no public code was found), so the
library offers both: a free ``Q_k`` (the default), for which ``Λ_k`` are *not* the
eigenvalues of ``A``, and ``orthonormal=True``, for which they are (times ``1/k``).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._checks import check_int
from ..quadric import symmetrize
from .base import LinearOp, QuadricForm, uniform_

__all__ = ["LowRankQuadric", "orthonormal_rows"]


def orthonormal_rows(weight: Tensor) -> Tensor:
    """``(*, k, n) -> (*, k, n)``: the rows of each ``(k, n)`` matrix made orthonormal, by a
    Householder QR of its transpose (differentiable, ``k <= n``).

    The signs follow the diagonal of ``R`` (made positive), so the map is continuous and
    leaves rows that are already orthonormal as they are: ``orthonormal_rows(Q) == Q`` up to
    rounding when ``Q Q^T = I``.

    Example:
        >>> Q = orthonormal_rows(torch.randn(3, 2, 5, dtype=torch.float64))
        >>> torch.allclose(Q @ Q.transpose(-1, -2), torch.eye(2, dtype=torch.float64))
        True
    """
    q, r = torch.linalg.qr(weight.transpose(-1, -2))  # (*, n, k), (*, k, k)
    signs = torch.diagonal(r, dim1=-2, dim2=-1).sign()  # (*, k)
    signs = torch.where(signs == 0, torch.ones_like(signs), signs)
    return (q * signs.unsqueeze(-2)).transpose(-1, -2)


class LowRankQuadric(QuadricForm):
    r"""The efficient quadratic neuron of Chen et al. (2023): a rank-``k`` eigen form.

    .. math:: f = Q_k^\top x, \qquad y = \frac{1}{k} f^\top \Lambda_k f + w \cdot x + c

    ``A = Q_k \Lambda_k Q_k^\top / k`` keeps ``k`` directions per neuron, so the cost grows as
    ``kn`` instead of ``n^2``. ``Λ_k`` starts at zero (the neuron starts linear) and the
    ``1/k`` keeps the quadratic term's scale independent of ``k``: the two stability devices
    described for the paper. One GEMM with ``(k+1) m`` outputs computes ``f`` and ``w·x``.

    This is an interpretation: Chen et al.'s code is not public, and the form is built from the
    paper's abstract and a summary of it (``f = Q_k^T x``, ``Λ_k`` zero-initialised, the
    ``1/k``, the output vectorisation). By default ``Q_k`` is free, so ``A``'s eigenvectors
    are not the rows of ``Q_k`` and its eigenvalues are not ``Λ_k / k``; with
    ``orthonormal=True`` they are.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        device, dtype: factory arguments, as in ``nn.Linear``.
        rank: ``k``, between 1 and ``in_features``.
        return_features: "output vectorization": also output the ``k`` features ``f`` of
            every neuron, as ``k`` more linear outputs per neuron. The output then has
            ``out_features * (rank + 1)`` entries: the ``m`` quadric outputs first, then
            ``f`` flattened neuron by neuron (``(*, m, k)`` row-major). How the paper orders
            these outputs is not known here.
        linear_term: keep ``w·x``.
        orthonormal: use the rows of ``weight_q`` made orthonormal
            (:func:`orthonormal_rows`, recomputed in every forward pass) as ``Q_k^T``: the
            ``k`` nonzero eigenvalues of each neuron's ``A`` are then exactly
            ``Λ_k / k`` and its eigenvectors the rows of ``Q_k^T``. The stored
            ``weight_q`` keeps its name and shape (it is the unconstrained parameter).

    ``Λ_k`` is zero with either ``init`` (``"relinear"`` asks for nothing more).

    Shape:
        ``(*, in_features) -> (*, out_features)``, or ``(*, out_features * (rank + 1))`` with
        ``return_features=True`` (see :attr:`output_size`).

    Attributes:
        weight_q: ``Q_k^T`` of every neuron, shape ``(out_features, rank, in_features)``
            (with ``orthonormal=True``, the matrix whose orthonormalised rows are used).
        weight_lambda: ``Λ_k``, shape ``(out_features, rank)``.
        weight: ``w``, shape ``(out_features, in_features)`` (``None`` without linear term).
        bias: ``c``, shape ``(out_features,)`` (``None`` with ``bias=False``).

    Example:
        >>> layer = LowRankQuadric(8, 4, rank=2)
        >>> layer(torch.randn(3, 8)).shape
        torch.Size([3, 4])
        >>> layer.parameters_per_neuron()  # kn + k + n + 1
        27
    """

    name = "lowrank"
    formula = r"\frac{1}{k}(Q_k^\top x)^\top\Lambda_k(Q_k^\top x) + w\cdot x + c"
    citation = "chen2023efficient"
    published_as = "Chen et al. 2023 (rank k; an interpretation, no public code)"
    parameter_formula = "kn + k + n + 1"
    quadratic_names = ("weight_q", "weight_lambda")

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        rank: int = 1,
        return_features: bool = False,
        linear_term: bool = True,
        orthonormal: bool = False,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__(in_features, out_features, bias, init, memory_efficient)
        self.rank = check_int("rank", rank, minimum=1, maximum=self.in_features)
        factory = {"device": device, "dtype": dtype}
        n, m, k = self.in_features, self.out_features, self.rank
        self.return_features = bool(return_features)
        self.linear_term = bool(linear_term)
        self.orthonormal = bool(orthonormal)
        self._parameter("weight_q", (m, k, n), factory)
        self._parameter("weight_lambda", (m, k), factory)
        self._parameter("weight", (m, n), factory, self.linear_term)
        self._parameter("bias", (m,), factory, bool(bias))
        self.reset_parameters()

    @property
    def output_size(self) -> int:
        """Entries of the last output dimension: ``m``, or ``m (k + 1)`` with features."""
        return self.out_features * (self.rank + 1 if self.return_features else 1)

    def reset_parameters(self) -> None:
        """``Q`` and ``w`` get ``nn.Linear``'s init; ``Λ`` starts at zero, as described for
        the paper, so the network starts out linear and the quadratic part grows only where it
        helps (this is also what ``init="relinear"`` asks for)."""
        uniform_(self.weight_q, self.in_features)
        nn.init.zeros_(self.weight_lambda)
        if self.weight is not None:
            uniform_(self.weight, self.in_features)
        self._init_bias(self.in_features)

    def directions(self) -> Tensor:
        """``Q_k^T`` as the forward pass uses it, ``(out_features, rank, in_features)``:
        ``weight_q``, or its rows made orthonormal with ``orthonormal=True``."""
        return orthonormal_rows(self.weight_q) if self.orthonormal else self.weight_q

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        self._require(
            self.weight is not None and not self.return_features,
            "linear_term=True, return_features=False",
        )
        self.weight_lambda.zero_()
        self.weight.copy_(weight)
        self._copy_bias(bias)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        m, k, n = self.out_features, self.rank, self.in_features
        stacked = self.directions().reshape(m * k, n)
        if self.weight is not None:
            stacked = torch.cat([stacked, self.weight])  # ((k+1) m, n): one GEMM
        h = linear(x, stacked, None)  # (*, (k+1) m)
        # split, not slices: one backward copy instead of a zero-filled (*, (k+1) m) per slice
        features, *rest = h.split(m * k, dim=-1)  # (*, m k), [(*, m)]
        f = features.unflatten(-1, (m, k))  # (*, m, k)
        y = (f * f * (self.weight_lambda / k)).sum(-1)  # (*, m); 1/k on the (m, k) weights
        if self.weight is not None:
            y = y + rest[0]
        if self.bias is not None:
            y = y + self.bias
        if self.return_features:
            return torch.cat([y, features], dim=-1)  # (*, m (k+1))
        return y

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        Q = self.directions().detach()  # (m, k, n)
        lam = self.weight_lambda.detach() / self.rank  # (m, k)
        A = symmetrize(torch.einsum("mki,mk,mkj->mij", Q, lam, Q))  # exact symmetry
        b = self.weight.detach().clone() if self.weight is not None else Q.new_zeros(A.shape[:2])
        c = self._constant()
        if not self.return_features:
            return A, b, c
        # each feature f_mk = Q[m, k] . x is a linear output: A = 0, b = Q[m, k], c = 0
        mk = self.out_features * self.rank
        A_f = A.new_zeros(mk, self.in_features, self.in_features)
        return (
            torch.cat([A, A_f]),
            torch.cat([b, Q.reshape(mk, -1)]),
            torch.cat([c, c.new_zeros(mk)]),
        )

    # -- facts --------------------------------------------------------------------------
    def parameters_per_neuron(self) -> int:
        n, k = self.in_features, self.rank
        return k * n + k + n * self.linear_term + (self.bias is not None)

    def multiply_adds(self) -> int:
        # one GEMM of (k+1) m rows, then the Λ-weighted squares (2 per feature); the QR of
        # orthonormal=True works on the parameters only, not per sample
        n, m, k = self.in_features, self.out_features, self.rank
        return (k + self.linear_term) * m * n + 2 * k * m

    def flop_equivalent(self) -> dict[str, tuple[int, int]]:
        n, m, k = self.in_features, self.out_features, self.rank
        if not self.linear_term:
            return {"Linear(n, km)": (n, k * m)}
        return {"Linear(n, (k+1)m)": (n, (k + 1) * m)}

    def max_rank(self) -> int:
        return self.rank

    def relinear_zeros(self) -> tuple[str, ...]:
        return ("weight_lambda",)

    def _extra_options(self) -> list[str]:
        opts = [f"rank={self.rank}"]
        if self.return_features:
            opts.append("return_features=True")
        if not self.linear_term:
            opts.append("linear_term=False")
        if self.orthonormal:
            opts.append("orthonormal=True")
        return opts
