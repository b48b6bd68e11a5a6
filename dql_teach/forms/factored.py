r"""The product forms: ``A`` built from two factor vectors per neuron instead of stored entry
by entry.

A product of two affine maps gives ``A = sym(u v^T)``, of rank at most two (Hadamard, and Fan's
form, which adds a diagonal). Each costs ``O(n)`` per neuron instead of ``O(n^2)``, and a layer
computes all its factors (and its linear term) in one GEMM. The low-rank eigen form, ``k``
directions instead of two, is in :mod:`.lowrank`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..quadric import symmetrize
from .base import LinearOp, QuadricForm, uniform_
from .lowrank import LowRankQuadric

__all__ = ["FanQuadric", "HadamardQuadric", "LowRankQuadric"]  # LowRankQuadric: see .lowrank


class FanQuadric(QuadricForm):
    r"""The quadratic neuron of Fan, Cong and Wang (2018).

    .. math:: y = (u \cdot x + u_0)(v \cdot x + v_0) + q \cdot (x \circ x) + c

    ``A = sym(u v^T) + diag(q)``: a rank-two product plus a diagonal, so one neuron can draw
    an ellipse. Full rank is not every ``A``: ``(t u, v / t)`` gives the same ``sym(u v^T)``,
    so of the ``3n`` numbers in ``u, v, q`` only ``3n - 1`` move ``A`` (``2n - 1`` of them the
    off-diagonal entries, which are those of ``sym(u v^T)``). From ``n = 5`` on that is fewer
    than the ``n(n+1)/2`` entries of a symmetric matrix (``14 < 15``; equally, ``2n - 1`` is
    fewer than the ``n(n-1)/2`` off-diagonal entries), and almost every ``A`` is out of
    reach. On two inputs it reaches every ``A`` (``u = (1, 0)``, ``v = (0, 2 a_12)``,
    ``q = (a_11, a_22)``): every conic. For ``n = 3, 4`` the count is no obstacle, but it is
    only a necessary condition and proves nothing.

    Fan et al. write the three weight vectors ``w^r, w^g, w^b``; here they are ``u, v, q``
    (``weight_u, weight_v, weight_sq``), so that ``b`` and ``c`` keep the meaning they have in
    ``x^T A x + b·x + c``. ``u`` and ``v`` are computed in one GEMM.

    Args:
        in_features, out_features, init, memory_efficient: see :class:`QuadricForm`.
        bias: keep ``u_0``, ``v_0`` and ``c``. ``init="relinear"`` needs them.
        device, dtype: factory arguments, as in ``nn.Linear``.

    ``init="relinear"`` is the ReLinear start of Fan et al.: ``v = 0``, ``v_0 = 1``,
    ``q = 0``, ``c = 0``, so the neuron starts as the linear neuron ``u·x + u_0``.

    Where this differs from the Fan group's code (``QuadraticOperation`` of
    ``asdvfghg/quadratic_efficiency``, the convolutions of ``FengleiFan/ReLinear``):

    * **Start.** Their layers start at the ReLinear point by default; this one starts random
      (``init="default"``) unless ``init="relinear"``. Their ``QuadraticOperation`` stores the
      weights as ``(in_features, out_features)``, so its Kaiming-uniform init of ``w^r`` (and
      the bound of ``b^r``) uses ``out_features`` as the fan-in, ``U(±1/sqrt(m))``; here it is
      ``U(±1/sqrt(n))``, as in ``nn.Linear``.
    * **Learning-rate groups.** Their code gives the ``g`` and ``b`` parameters, the constant
      ``c`` (their ``bias_b``) included, the second learning rate ``lr * slr``; here ``c`` is
      in the linear group unless :func:`dql_teach.quadratic_param_groups` is called with
      ``as_authors=True`` (see there for their values of ``slr``).
    * **Names.** Their ``weight_r, bias_r, weight_g, bias_g, weight_b, bias_b`` are
      ``weight_u, bias_u, weight_v, bias_v, weight_sq, bias`` here;
      :func:`dql_teach.peers.load_peer_` maps one onto the other exactly.

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
    #: the second learning-rate group of the Fan group's code: the g and b parameters, c too
    authors_quadratic_names = ("weight_v", "bias_v", "weight_sq", "bias")

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

    .. math:: y = (u \cdot x + u_0)(v \cdot x + v_0) + w \cdot x + c

    with the factor biases ``u_0, v_0`` only when ``factor_bias=True``; by default
    ``y = (u·x)(v·x) + w·x + c``. ``A = sym(u v^T)`` has rank at most two and, when it has
    rank two, one positive and one negative eigenvalue: one such neuron draws hyperbolas and
    parabolas, never an ellipse. A layer is one GEMM with ``3m`` outputs followed by a
    multiply-add.

    The factor biases add ``v_0 u + u_0 v`` to the linear term and ``u_0 v_0`` to the constant,
    which ``w`` and ``c`` can do as well: with or without them the layer computes the same
    family of functions, but with them it has QuadraLib's parameters (``Quadrafc``: three
    biased ``nn.Linear``, ``3n + 3`` per neuron instead of ``3n + 1``) and their training
    dynamics. :data:`dql_teach.VARIANTS` names the published option sets (``"quadralib"``,
    ``"qres"``, ``"bilinear"``, QuadraLib's ``"T1"``..``"T4"`` and ``"T1-code"``..).

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        device, dtype: factory arguments, as in ``nn.Linear``.
        linear_term: keep ``w·x``; without it this is QuadraLib's type T4,
            ``(U x)∘(V x)``, and with ``factor_bias=True, bias=False`` the bilinear layer of
            Shazeer (2020), ``(x W + b) ⊗ (x V + c)``.
        shared_factors: use one factor twice, ``(u·x + u_0)^2``: QuadraLib's type T3
            ``(Wx)^2`` (``(Wx + b)^2`` with ``factor_bias=True``, as its code computes it).
        residual: QRes of Bu and Karpatne (2021), ``(u·x)(v·x) + u·x + c``: the linear term
            reuses the first factor instead of having weights of its own. This is QRes's
            PyTorch ``QResLayer``, init included; its TensorFlow code (the paper's
            experiments) computes ``(u·x + b)(v·x) + u·x + b``, which the default form
            holds exactly (``w = u + b v``; :func:`dql_teach.peers.load_qres_tf_`).
        factor_bias: give each factor its own bias, ``u_0`` and ``v_0`` (not with
            ``residual=True``).

    ``init="relinear"`` zeroes ``u`` (and ``u_0``): the product then starts at zero while
    ``v`` stays random, so the gradient of ``u`` is not zero and the quadratic part can grow;
    with ``residual=True`` it zeroes ``v`` instead, since ``u`` is also the linear term.
    With ``factor_bias=True`` the parameters are drawn in the order ``u, u_0, v, v_0, w, c``,
    that of QuadraLib's three ``nn.Linear`` layers, so a seed gives the same start as theirs.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Attributes:
        weight_u: ``u``, shape ``(out_features, in_features)``.
        weight_v: ``v``, shape ``(out_features, in_features)`` (``None`` with
            ``shared_factors=True``).
        weight: ``w``, shape ``(out_features, in_features)`` (``None`` without linear term or
            with ``residual=True``).
        bias_u, bias_v: ``u_0`` and ``v_0``, shape ``(out_features,)`` (``None`` without
            ``factor_bias``; ``bias_v`` also ``None`` with ``shared_factors=True``).
        bias: ``c``, shape ``(out_features,)`` (``None`` with ``bias=False``).

    Example:
        >>> layer = HadamardQuadric(4, 3)
        >>> sum(p.numel() for p in layer.parameters()) == 3 * (3 * 4 + 1)
        True
        >>> layer.flop_equivalent()
        {'Linear(n, 3m)': (4, 9)}
        >>> HadamardQuadric(4, 3, factor_bias=True).parameters_per_neuron()  # 3n + 3
        15
    """

    name = "hadamard"
    formula = r"(u\cdot x)(v\cdot x) + w\cdot x + c"
    citation = "xu2022quadralib"
    published_as = "QuadraLib, Xu et al. 2022, without its factor biases (same functions)"
    parameter_formula = "3n + 1"
    quadratic_names = ("weight_u", "weight_v", "bias_u", "bias_v")

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
        factor_bias: bool = False,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__(in_features, out_features, bias, init, memory_efficient)
        if residual and not linear_term:
            raise ValueError("residual=True is a linear term: it needs linear_term=True")
        if residual and factor_bias:
            raise ValueError(
                "residual=True reuses the first factor as the linear term; it takes no "
                "factor_bias (QRes's PyTorch layer has none)"
            )
        if init == "relinear" and shared_factors:
            raise ValueError(
                "init='relinear' zeroes the first factor; with shared_factors=True the "
                "quadratic part would have zero gradient forever"
            )
        factory = {"device": device, "dtype": dtype}
        n, m = self.in_features, self.out_features
        self.linear_term, self.shared_factors = bool(linear_term), bool(shared_factors)
        self.residual, self.factor_bias = bool(residual), bool(factor_bias)
        self._parameter("weight_u", (m, n), factory)
        self._parameter("weight_v", (m, n), factory, not self.shared_factors)
        self._parameter("weight", (m, n), factory, self.linear_term and not self.residual)
        self._parameter("bias_u", (m,), factory, self.factor_bias)
        self._parameter("bias_v", (m,), factory, self.factor_bias and not self.shared_factors)
        self._parameter("bias", (m,), factory, bool(bias))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias gets ``nn.Linear``'s init, in the order ``u, (u_0), v,
        (v_0), w, c``; ReLinear zeroes ``u`` and ``u_0`` (``v`` for QRes)."""
        n = self.in_features
        relinear = self.init == "relinear"
        for weight, bias, zero in (
            (self.weight_u, self.bias_u, relinear and not self.residual),
            (self.weight_v, self.bias_v, relinear and self.residual),  # QRes: keep u
            (self.weight, None, False),
        ):
            if weight is None:
                continue
            if zero:
                nn.init.zeros_(weight)
            else:
                uniform_(weight, n)
            if bias is not None and zero:
                nn.init.zeros_(bias)
            elif bias is not None:
                uniform_(bias, n)
        self._init_bias(n)

    def _stacked_weight(self) -> Tensor:
        parts = [self.weight_u]
        if self.weight_v is not None:
            parts.append(self.weight_v)
        if self.weight is not None:
            parts.append(self.weight)
        return parts[0] if len(parts) == 1 else torch.cat(parts)  # (k m, n)

    def _stacked_bias(self) -> Tensor | None:
        if self.bias_u is None:
            return None
        parts = [self.bias_u] if self.bias_v is None else [self.bias_u, self.bias_v]
        if self.weight is not None:  # the rows of w carry no bias: c is added once, after
            parts.append(torch.zeros_like(self.bias_u))
        return torch.cat(parts)  # (k m,)

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        self._require(
            self.linear_term and not self.shared_factors, "linear_term=True, shared_factors=False"
        )
        if self.residual:  # QRes: u is the linear term, so the second factor is zeroed
            self.weight_u.copy_(weight)
            self.weight_v.zero_()
        else:  # the product vanishes with u = 0, u_0 = 0; v stays random so u can learn
            self.weight_u.zero_()
            if self.bias_u is not None:
                self.bias_u.zero_()
            self.weight.copy_(weight)
        self._copy_bias(bias)

    def branches(self, x: Tensor, linear: LinearOp = F.linear) -> tuple[Tensor, Tensor, Tensor]:
        """The three branches before they are combined, each ``(*, out_features)``: the
        factors ``u·x + u_0`` and ``v·x + v_0`` (the first twice with
        ``shared_factors=True``) and the linear part ``w·x + c`` (``u·x + c`` for QRes;
        ``c``, or zeros, without a linear term). The layer's output is
        ``first * second + linear``; :class:`~dql_teach.BranchNormConv2d` normalises each
        branch first, as QuadraLib's convolutional neuron does."""
        first, second, lin = self._factors(x, linear)
        if lin is None:
            lin = torch.zeros_like(first)
        return first, second, lin if self.bias is None else lin + self.bias

    def _factors(self, x: Tensor, linear: LinearOp) -> tuple[Tensor, Tensor, Tensor | None]:
        """The two factors and the linear part without ``c`` (``None`` without a linear
        term), each ``(*, out_features)``, from one GEMM of the stacked weights."""
        m = self.out_features
        h = linear(x, self._stacked_weight(), self._stacked_bias())  # (*, k m): one GEMM
        parts = h.split(m, dim=-1)  # one backward copy for all parts (slices: one each)
        first = parts[0]
        second = first if self.weight_v is None else parts[1]
        if self.residual:
            return first, second, first
        return first, second, parts[-1] if self.weight is not None else None

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        a, b, linear_part = self._factors(x, linear)
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
        c = self._constant()
        if self.bias_u is not None:  # (u·x + u_0)(v·x + v_0) = ... + v_0 u·x + u_0 v·x + u_0 v_0
            ua = self.bias_u.detach()
            ub = ua if self.bias_v is None else self.bias_v.detach()
            b = b + ub.unsqueeze(-1) * wa + ua.unsqueeze(-1) * wb
            c = c + ua * ub
        return A, b, c

    # -- facts --------------------------------------------------------------------------
    def _gemm_rows(self) -> int:
        """Weight vectors per neuron in the one GEMM: the factors and the linear term."""
        return sum(p is not None for p in (self.weight_u, self.weight_v, self.weight))

    def parameters_per_neuron(self) -> int:
        biases = sum(p is not None for p in (self.bias_u, self.bias_v, self.bias))
        return self._gemm_rows() * self.in_features + biases

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
        if self.residual:
            return ("weight_v",)
        return ("weight_u", "bias_u") if self.bias_u is not None else ("weight_u",)

    def _extra_options(self) -> list[str]:
        opts = []
        if not self.linear_term:
            opts.append("linear_term=False")
        if self.shared_factors:
            opts.append("shared_factors=True")
        if self.residual:
            opts.append("residual=True")
        if self.factor_bias:
            opts.append("factor_bias=True")
        return opts
