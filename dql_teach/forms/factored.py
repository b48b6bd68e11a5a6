r"""The factored forms: ``A`` built from a few vectors per neuron instead of stored entry by
entry.

A product of two linear maps gives ``A = sym(u v^T)``, of rank at most two (Hadamard, and Fan's
form, which adds a diagonal); ``k`` eigen-directions give ``A = Q_k \Lambda_k Q_k^T / k``, of rank
at most ``k`` (low rank). Each costs ``O(n)`` (or ``O(kn)``) per neuron instead of ``O(n^2)``,
and a layer computes all its factors (and its linear term) in one GEMM.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from .._checks import check_int
from ..quadric import symmetrize
from .base import LinearOp, QuadricForm, uniform_

__all__ = ["FanQuadric", "HadamardQuadric", "LowRankQuadric"]


class FanQuadric(QuadricForm):
    r"""The quadratic neuron of Fan, Cong and Wang (2018).

    .. math:: y = (u \cdot x + u_0)(v \cdot x + v_0) + q \cdot (x \circ x) + c

    ``A = sym(u v^T) + diag(q)``: a rank-two product plus a diagonal, so one neuron can draw
    an ellipse. Fan et al. write the three weight vectors ``w^r, w^g, w^b``; here they are
    ``u, v, q`` (``weight_u, weight_v, weight_sq``), so that ``b`` and ``c`` keep the meaning
    they have in ``x^T A x + b·x + c``. ``u`` and ``v`` are computed in one GEMM.

    Args:
        in_features, out_features, init, memory_efficient: see :class:`QuadricForm`.
        bias: keep ``u_0``, ``v_0`` and ``c``. ``init="relinear"`` needs them.
        device, dtype: factory arguments, as in ``nn.Linear``.

    ``init="relinear"`` is the ReLinear start of Fan et al.: ``v = 0``, ``v_0 = 1``,
    ``q = 0``, ``c = 0``, so the neuron starts as the linear neuron ``u·x + u_0``.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Attributes:
        weight_u, weight_v: ``u`` and ``v``, shape ``(out_features, in_features)`` each.
        weight_sq: ``q``, shape ``(out_features, in_features)``.
        bias_u, bias_v: ``u_0`` and ``v_0``, shape ``(out_features,)`` (``None`` with
            ``bias=False``).
        bias: ``c``, shape ``(out_features,)`` (``None`` with ``bias=False``).

    Example:
        >>> layer = FanQuadric(4, 3)
        >>> layer(torch.randn(2, 4)).shape
        torch.Size([2, 3])
        >>> layer.parameters_per_neuron()  # 3n + 3
        15
    """

    name = "fan"
    formula = r"(u\cdot x+u_0)(v\cdot x+v_0) + q\cdot(x\circ x) + c"
    citation = "fan2018new"
    published_as = "Fan, Cong & Wang 2018"
    parameter_formula = "3n + 3"
    quadratic_names = ("weight_v", "bias_v", "weight_sq")

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__(in_features, out_features, bias, init, memory_efficient)
        if init == "relinear" and not bias:
            raise ValueError("FanQuadric(init='relinear') needs bias=True (it sets v_0 = 1)")
        factory = {"device": device, "dtype": dtype}
        n, m = self.in_features, self.out_features
        for name in ("weight_u", "weight_v", "weight_sq"):
            self._parameter(name, (m, n), factory)
        for name in ("bias_u", "bias_v", "bias"):
            self._parameter(name, (m,), factory, bool(bias))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Both factors get ``nn.Linear``'s init (their product then has variance about
        1/9 per unit-scale input); ReLinear zeroes the second factor's weights and ``q``
        and sets ``v_0 = 1`` so the neuron starts linear."""
        n = self.in_features
        uniform_(self.weight_u, n)
        if self.init == "relinear":
            nn.init.zeros_(self.weight_v)
            nn.init.zeros_(self.weight_sq)
            nn.init.uniform_(self.bias_u, -1 / math.sqrt(n), 1 / math.sqrt(n))
            nn.init.ones_(self.bias_v)
            nn.init.zeros_(self.bias)
            return
        uniform_(self.weight_v, n)
        uniform_(self.weight_sq, n)
        if self.bias is not None:
            uniform_(self.bias_u, n)
            uniform_(self.bias_v, n)
            uniform_(self.bias, n)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        m = self.out_features
        weight = torch.cat([self.weight_u, self.weight_v])  # (2m, n): one GEMM for both
        bias = None if self.bias is None else torch.cat([self.bias_u, self.bias_v])
        # split, not two slices: its backward writes one gradient for rg instead of
        # zero-filling a (*, 2m) tensor per slice and adding them up
        r, g = linear(x, weight, bias).split(m, dim=-1)  # (*, m) each
        return torch.addcmul(linear(x * x, self.weight_sq, self.bias), r, g)

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        self._require(self.bias is not None, "bias=True")
        self.weight_u.copy_(weight)
        self.bias_u.copy_(bias if bias is not None else torch.zeros_like(self.bias_u))
        self.weight_v.zero_()
        self.bias_v.fill_(1.0)
        self.weight_sq.zero_()
        self.bias.zero_()

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        wr, wg, wb = self.weight_u.detach(), self.weight_v.detach(), self.weight_sq.detach()
        A = symmetrize(wr.unsqueeze(-1) * wg.unsqueeze(-2)) + torch.diag_embed(wb)
        if self.bias is None:
            return A, torch.zeros_like(wr), wr.new_zeros(self.out_features)
        br, bg, c = self.bias_u.detach(), self.bias_v.detach(), self.bias.detach()
        b = bg.unsqueeze(-1) * wr + br.unsqueeze(-1) * wg
        return A, b, br * bg + c

    # -- facts --------------------------------------------------------------------------
    def parameters_per_neuron(self) -> int:
        return 3 * self.in_features + 3 * (self.bias is not None)

    def multiply_adds(self) -> int:
        n, m = self.in_features, self.out_features  # both factors, x∘x, q, u*v
        return 2 * m * n + n + m * n + m

    def flop_equivalent(self) -> dict[str, tuple[int, int]]:
        return {"Linear(n, 3m)": (self.in_features, 3 * self.out_features)}

    def max_rank(self) -> int:
        return self.in_features  # the diagonal q fills what sym(u v^T) leaves out

    def relinear_zeros(self) -> tuple[str, ...]:
        # and v_0 = 1, so the product is u·x + u_0 (ReLinear needs the biases: bias=True)
        return tuple(p for p in ("weight_v", "weight_sq", "bias") if getattr(self, p) is not None)


class HadamardQuadric(QuadricForm):
    r"""QuadraLib's quadratic neuron (Xu et al. 2022): a product of two linear maps.

    .. math:: y = (u \cdot x)(v \cdot x) + w \cdot x + c

    ``A = sym(u v^T)`` has rank at most two and, when it has rank two, one positive and one
    negative eigenvalue: one such neuron draws hyperbolas and parabolas, never an ellipse. A
    layer is one GEMM with ``3m`` outputs followed by a multiply-add.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        device, dtype: factory arguments, as in ``nn.Linear``.
        linear_term: keep ``w·x``; without it this is QuadraLib's type T4,
            ``(U x)∘(V x)``.
        shared_factors: use one factor twice, ``(u·x)^2``: QuadraLib's type T3 ``(Wx)^2``.
        residual: QRes of Bu and Karpatne (2021), ``(u·x)(v·x) + u·x``: the linear term
            reuses the first factor instead of having weights of its own.

    ``init="relinear"`` zeroes ``u`` (the product then starts at zero while ``v`` stays
    random, so the gradient of ``u`` is not zero and the quadratic part can grow); with
    ``residual=True`` it zeroes ``v`` instead, since ``u`` is also the linear term.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Attributes:
        weight_u: ``u``, shape ``(out_features, in_features)``.
        weight_v: ``v``, shape ``(out_features, in_features)`` (``None`` with
            ``shared_factors=True``).
        weight: ``w``, shape ``(out_features, in_features)`` (``None`` without linear term or
            with ``residual=True``).
        bias: ``c``, shape ``(out_features,)`` (``None`` with ``bias=False``).

    Example:
        >>> layer = HadamardQuadric(4, 3)
        >>> sum(p.numel() for p in layer.parameters()) == 3 * (3 * 4 + 1)
        True
        >>> layer.flop_equivalent()
        {'Linear(n, 3m)': (4, 9)}
    """

    name = "hadamard"
    formula = r"(u\cdot x)(v\cdot x) + w\cdot x + c"
    citation = "xu2022quadralib"
    published_as = "QuadraLib, Xu et al. 2022 (QRes and the T1–T4 types as options)"
    parameter_formula = "3n + 1"
    quadratic_names = ("weight_u", "weight_v")

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        linear_term: bool = True,
        shared_factors: bool = False,
        residual: bool = False,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__(in_features, out_features, bias, init, memory_efficient)
        if residual and not linear_term:
            raise ValueError("residual=True is a linear term: it needs linear_term=True")
        if init == "relinear" and shared_factors:
            raise ValueError(
                "init='relinear' zeroes the first factor; with shared_factors=True the "
                "quadratic part would have zero gradient forever"
            )
        factory = {"device": device, "dtype": dtype}
        n, m = self.in_features, self.out_features
        self.linear_term, self.shared_factors, self.residual = (
            bool(linear_term),
            bool(shared_factors),
            bool(residual),
        )
        self._parameter("weight_u", (m, n), factory)
        self._parameter("weight_v", (m, n), factory, not self.shared_factors)
        self._parameter("weight", (m, n), factory, self.linear_term and not self.residual)
        self._parameter("bias", (m,), factory, bool(bias))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight gets ``nn.Linear``'s init; ReLinear zeroes ``u`` (``v`` for QRes)."""
        n = self.in_features
        if self.init == "relinear" and not self.residual:
            nn.init.zeros_(self.weight_u)
        else:
            uniform_(self.weight_u, n)
        if self.weight_v is not None:
            if self.init == "relinear" and self.residual:
                nn.init.zeros_(self.weight_v)  # QRes: u is also the linear term, keep it
            else:
                uniform_(self.weight_v, n)
        if self.weight is not None:
            uniform_(self.weight, n)
        self._init_bias(n)

    def _stacked_weight(self) -> Tensor:
        parts = [self.weight_u]
        if self.weight_v is not None:
            parts.append(self.weight_v)
        if self.weight is not None:
            parts.append(self.weight)
        return parts[0] if len(parts) == 1 else torch.cat(parts)  # (k m, n)

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        self._require(
            self.linear_term and not self.shared_factors, "linear_term=True, shared_factors=False"
        )
        if self.residual:  # QRes: u is the linear term, so the second factor is zeroed
            self.weight_u.copy_(weight)
            self.weight_v.zero_()
        else:  # the product vanishes with u = 0; v stays random so u can still learn
            self.weight_u.zero_()
            self.weight.copy_(weight)
        self._copy_bias(bias)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        m = self.out_features
        h = linear(x, self._stacked_weight(), None)  # (*, k m): one GEMM for every factor
        parts = h.split(m, dim=-1)  # one backward copy for all parts (slices: one each)
        a = parts[0]
        b = a if self.weight_v is None else parts[1]
        if self.residual:
            linear_part = a
        elif self.weight is not None:
            linear_part = parts[-1]
        else:
            linear_part = None
        if linear_part is None:
            y = a * b
            return y if self.bias is None else y + self.bias
        base = linear_part if self.bias is None else linear_part + self.bias
        return torch.addcmul(base, a, b)

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        wa = self.weight_u.detach()
        wb = wa if self.weight_v is None else self.weight_v.detach()
        A = symmetrize(wa.unsqueeze(-1) * wb.unsqueeze(-2))  # (m, n, n), rank <= 2
        if self.residual:
            b = wa.clone()
        elif self.weight is not None:
            b = self.weight.detach().clone()
        else:
            b = torch.zeros_like(wa)
        return A, b, self._constant()

    # -- facts --------------------------------------------------------------------------
    def _gemm_rows(self) -> int:
        """Weight vectors per neuron in the one GEMM: the factors and the linear term."""
        return sum(p is not None for p in (self.weight_u, self.weight_v, self.weight))

    def parameters_per_neuron(self) -> int:
        return self._gemm_rows() * self.in_features + (self.bias is not None)

    def multiply_adds(self) -> int:
        n, m = self.in_features, self.out_features  # the GEMM, then the product a*b
        return self._gemm_rows() * m * n + m

    def flop_equivalent(self) -> dict[str, tuple[int, int]]:
        k = self._gemm_rows()
        name = f"Linear(n, {k}m)" if k > 1 else "Linear(n, m)"
        return {name: (self.in_features, k * self.out_features)}

    def max_rank(self) -> int:
        return 1 if self.shared_factors else min(2, self.in_features)

    def relinear_zeros(self) -> tuple[str, ...]:
        return ("weight_v",) if self.residual else ("weight_u",)

    def _extra_options(self) -> list[str]:
        opts = []
        if not self.linear_term:
            opts.append("linear_term=False")
        if self.shared_factors:
            opts.append("shared_factors=True")
        if self.residual:
            opts.append("residual=True")
        return opts


class LowRankQuadric(QuadricForm):
    r"""The efficient quadratic neuron of Chen et al. (2023): a rank-``k`` eigen form.

    .. math:: f = Q_k^\top x, \qquad y = \frac{1}{k} f^\top \Lambda_k f + w \cdot x + c

    ``A = Q_k \Lambda_k Q_k^\top / k`` keeps ``k`` eigen-directions per neuron, so the cost
    grows as ``kn`` instead of ``n^2``. ``Λ_k`` starts at zero (the neuron starts linear) and
    the ``1/k`` keeps the quadratic term's scale independent of ``k``: the two stability
    devices of the paper. One GEMM with ``(k+1) m`` outputs computes ``f`` and ``w·x``.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        device, dtype: factory arguments, as in ``nn.Linear``.
        rank: ``k``, between 1 and ``in_features``.
        return_features: "output vectorization": also output the ``k`` features ``f`` of
            every neuron, as ``k`` more linear outputs per neuron. The output then has
            ``out_features * (rank + 1)`` entries: the ``m`` quadric outputs first, then
            ``f`` flattened neuron by neuron (``(*, m, k)`` row-major).
        linear_term: keep ``w·x``.

    ``Λ_k`` is zero with either ``init`` (``"relinear"`` asks for nothing more).

    Shape:
        ``(*, in_features) -> (*, out_features)``, or ``(*, out_features * (rank + 1))`` with
        ``return_features=True`` (see :attr:`output_size`).

    Attributes:
        weight_q: ``Q_k^T`` of every neuron, shape ``(out_features, rank, in_features)``.
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
    published_as = "Chen et al. 2023 (rank k)"
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
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__(in_features, out_features, bias, init, memory_efficient)
        self.rank = check_int("rank", rank, minimum=1, maximum=self.in_features)
        factory = {"device": device, "dtype": dtype}
        n, m, k = self.in_features, self.out_features, self.rank
        self.return_features = bool(return_features)
        self.linear_term = bool(linear_term)
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
        """``Q`` and ``w`` get ``nn.Linear``'s init; ``Λ`` starts at zero, as in the paper,
        so the network starts out linear and the quadratic part grows only where it helps
        (this is also what ``init="relinear"`` asks for)."""
        uniform_(self.weight_q, self.in_features)
        nn.init.zeros_(self.weight_lambda)
        if self.weight is not None:
            uniform_(self.weight, self.in_features)
        self._init_bias(self.in_features)

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
        stacked = self.weight_q.reshape(m * k, n)
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
        Q = self.weight_q.detach()  # (m, k, n)
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
        # one GEMM of (k+1) m rows, then the Λ-weighted squares (2 per feature)
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
        return opts
