r"""Quadric neuron forms: one ``nn.Module`` per form published in the literature.

Every form computes, for each of its ``m`` output neurons, a quadric of the input
:math:`x \in \mathbb{R}^n`,

.. math:: y = x^\top A x + b^\top x + c,

but each form parametrises ``A`` differently, and that choice sets its cost (parameters,
multiply-adds) and what one neuron can draw:

=====================  ===========================================  =============================
class                  neuron                                       free parameters per neuron
=====================  ===========================================  =============================
``DiagonalQuadric``    :math:`q\cdot(x\circ x) + w\cdot x + c`      :math:`2n + 1`
``QuadricLinear``      :math:`x^\top A x + b\cdot x + c`            :math:`n(n+1)/2 + n + 1`
``FanQuadric``         :math:`(u\cdot x+u_0)(v\cdot x+v_0)`         :math:`3n + 3`
                       :math:`+ q\cdot(x\circ x) + c`
``HadamardQuadric``    :math:`(u\cdot x)(v\cdot x) + w\cdot x + c`  :math:`3n + 1`
``LowRankQuadric``     :math:`f^\top\Lambda f / k + w\cdot x + c`,   :math:`kn + k + n + 1`
                       :math:`f = Q_k^\top x`
=====================  ===========================================  =============================

All of them share the interface of ``nn.Linear`` (``in_features, out_features, bias=True,
device=None, dtype=None``), take inputs of shape ``(*, in_features)``, and return the explicit
quadric with :meth:`QuadricForm.as_quadric`. Each layer is computed with as few matrix
multiplies as its form allows: the factor and linear weights of a layer are stacked so that one
GEMM produces all of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from .quadric import symmetrize

__all__ = [
    "FORMS",
    "QUADRIC_FORMS",
    "QUADRALIB_TYPES",
    "DiagonalQuadric",
    "FanQuadric",
    "HadamardQuadric",
    "LowRankQuadric",
    "QuadricForm",
    "QuadricLinear",
    "make_layer",
    "quadratic_param_groups",
]

_INITS = ("default", "relinear")


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


LinearOp = Callable[[Tensor, Tensor, "Tensor | None"], Tensor]


def _require(condition: bool, layer: nn.Module, options: str) -> None:
    if not condition:
        raise ValueError(f"loading a linear layer into {type(layer).__name__} needs {options}")


def _copy_bias(layer: nn.Module, bias: Tensor | None) -> None:
    if layer.bias is not None:
        layer.bias.copy_(bias if bias is not None else torch.zeros_like(layer.bias))
    elif bias is not None:
        raise ValueError(f"the linear layer has a bias but this {type(layer).__name__} has none")


def _uniform_(tensor: Tensor, fan_in: int) -> None:
    # nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), so outputs start at unit scale
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    nn.init.uniform_(tensor, -bound, bound)


class _Monomials(torch.autograd.Function):
    """``(B, n) -> (B, n(n+1)/2)``: the products ``x_i x_j`` (``i <= j``, row by row, the
    order of ``torch.triu_indices``).

    Why not ``x[:, rows] * x[:, cols]``: on a CPU the two gathers, their product and, above
    all, the scatter-adds of their backward cost more than the GEMM on the monomials (2.4x an
    ``nn.Linear`` of the same multiply-adds at n = 256). Here the monomials are built
    transposed, ``(n(n+1)/2, B)``, where row ``i`` of the triangle, ``x_i x_{i:}``, is one
    contiguous block: ``n`` products that each write memory in order. The GEMM reads the
    transpose at no cost and returns the gradient ``G`` in the same layout, and the backward,
    ``grad x = (S + S^T) x`` with ``S`` the upper triangle filled from ``G``, again takes one
    contiguous block of ``G`` per row. Only ``x`` is saved.
    """

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        n = x.shape[-1]
        xt = x.t().contiguous()  # (n, B)
        out = x.new_empty(n * (n + 1) // 2, x.shape[0])  # (p, B)
        start = 0
        for i in range(n):
            torch.mul(xt[i:], xt[i], out=out[start : start + n - i])  # (n - i, B)
            start += n - i
        return out.t()  # (B, p), column-major

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        n = x.shape[-1]
        if torch.is_grad_enabled():  # create_graph=True: a differentiable formula (slower)
            rows, cols = torch.triu_indices(n, n, device=x.device)
            zero = torch.zeros_like(x)
            return zero.index_add(1, rows, grad * x[:, cols]).index_add(1, cols, grad * x[:, rows])
        gt = grad.t().contiguous()  # (p, B); a no-op when the GEMM gave it column-major
        xt = x.t().contiguous()  # (n, B)
        grad_xt = torch.zeros_like(xt)  # (n, B)
        start = 0
        for i in range(n):
            g_i = gt[start : start + n - i]  # (n - i, B): row i of S
            grad_xt[i] += (g_i * xt[i:]).sum(0)  # (S x)_i
            grad_xt[i:].addcmul_(g_i, xt[i])  # (S^T x)_j, j >= i
            start += n - i
        return grad_xt.t()


class QuadricForm(nn.Module):
    """Base class of the quadric neuron forms.

    Subclasses implement ``_forward(x)`` and ``as_quadric()`` and list their second-order
    parameters in ``quadratic_names`` (used by :func:`quadratic_param_groups`).

    Args:
        in_features: size ``n`` of each input sample.
        out_features: number ``m`` of neurons.
        bias: whether each neuron has a constant term ``c``.
        init: ``"default"`` (random, ``nn.Linear``-style scales) or ``"relinear"`` (the
            quadratic part starts at exactly zero, so the layer starts as its linear part:
            the ReLinear start of Fan et al.).
        memory_efficient: keep only the input for backward and recompute the quadratic
            intermediates there (QuadraLib's memory saving), trading compute for memory.
    """

    quadratic_names: tuple[str, ...] = ()

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        self.in_features = _check_positive_int("in_features", in_features)
        self.out_features = _check_positive_int("out_features", out_features)
        if init not in _INITS:
            raise ValueError(f"init must be one of {_INITS}, got {init!r}")
        self.init = init
        self.memory_efficient = bool(memory_efficient)
        self.has_bias = bool(bias)

    # -- the public forward -------------------------------------------------------------
    def forward(self, x: Tensor) -> Tensor:
        """``(*, in_features) -> (*, out_features)``."""
        self._check_input(x)
        if self.memory_efficient and torch.is_grad_enabled():
            # only x is stored; _forward runs again in backward to rebuild its intermediates
            return checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)

    def _forward(self, x: Tensor) -> Tensor:
        return self._compute(x, F.linear)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        """The form written with one primitive, ``linear(input, weight (k, n), bias) ->
        (*, k)``: ``F.linear`` for a dense layer, a convolution for :class:`QuadricConv2d`."""
        raise NotImplementedError

    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        """Make this layer compute exactly ``F.linear(x, weight, bias)``: copy the weights into
        the linear part and zero the quadratic part (used by :func:`dql_teach.quadrify`)."""
        raise NotImplementedError(f"{type(self).__name__} has no linear part to load into")

    def _check_input(self, x: Tensor) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(f"input must be a torch.Tensor, got {type(x).__name__}")
        if not (x.is_floating_point() or x.is_complex()):
            raise TypeError(
                f"input must be a floating-point tensor, got dtype {x.dtype}; "
                "convert it with x.float()"
            )
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"input must have shape (*, in_features={self.in_features}), got {tuple(x.shape)}"
            )

    # -- the explicit quadric ---------------------------------------------------------
    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        """``(A (m, n, n), b (m, n), c (m,))`` with ``A`` symmetric and
        ``forward(x) == einsum('...i,mij,...j->...m', x, A, x) + x @ b.T + c``."""
        raise NotImplementedError

    def _constant(self) -> Tensor:
        if self.bias is None:
            ref = next(self.parameters())
            return ref.new_zeros(self.out_features)
        return self.bias.detach().clone()

    def quadratic_parameters(self) -> list[nn.Parameter]:
        """The second-order parameters, those that a smaller learning rate suits."""
        return [p for name in self.quadratic_names if (p := getattr(self, name)) is not None]

    def _init_bias(self, fan_in: int) -> None:
        if self.bias is not None:
            _uniform_(self.bias, fan_in)

    def extra_repr(self) -> str:
        parts = [
            f"in_features={self.in_features}",
            f"out_features={self.out_features}",
            f"bias={self.bias is not None}",
        ]
        parts += self._extra_options()
        if self.init != "default":
            parts.append(f"init={self.init!r}")
        if self.memory_efficient:
            parts.append("memory_efficient=True")
        return ", ".join(parts)

    def _extra_options(self) -> list[str]:
        return []


class DiagonalQuadric(QuadricForm):
    r"""The quadric neuron of Deep Quadric Learning: squares of the inputs, no mixed terms.

    .. math:: y = q \cdot (x \circ x) + w \cdot x + c

    ``A = diag(q)``, so a neuron draws only conics whose axes are aligned with the input
    coordinates: the mixed terms it drops amount to a rotation of the inputs, which a layer in
    front could supply but the neuron itself cannot.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        linear_term: keep ``w·x``; without it (and without bias) this is QuadraLib's type T2,
            ``W (x∘x)``.
        device, dtype: factory arguments, as in ``nn.Linear``.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Attributes:
        weight_sq: ``q``, shape ``(out_features, in_features)``.
        weight: ``w``, shape ``(out_features, in_features)`` (``None`` without linear term).
        bias: ``c``, shape ``(out_features,)``.

    Example:
        >>> layer = DiagonalQuadric(3, 2)
        >>> layer(torch.randn(5, 3)).shape
        torch.Size([5, 2])
    """

    quadratic_names = ("weight_sq",)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        linear_term: bool = True,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__(in_features, out_features, bias, init, memory_efficient)
        factory = {"device": device, "dtype": dtype}
        n, m = self.in_features, self.out_features
        self.linear_term = bool(linear_term)
        self.weight_sq = nn.Parameter(torch.empty(m, n, **factory))
        self.weight = nn.Parameter(torch.empty(m, n, **factory)) if linear_term else None
        self.bias = nn.Parameter(torch.empty(m, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``nn.Linear``'s init for ``w`` and ``c``; ``q`` likewise, or zero for ReLinear."""
        if self.init == "relinear":
            nn.init.zeros_(self.weight_sq)
        else:
            _uniform_(self.weight_sq, self.in_features)
        if self.weight is not None:
            _uniform_(self.weight, self.in_features)
        self._init_bias(self.in_features)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        y = linear(x * x, self.weight_sq, self.bias)  # (*, m)
        if self.weight is not None:
            y = y + linear(x, self.weight, None)
        return y

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        _require(self.weight is not None, self, "linear_term=True")
        self.weight_sq.zero_()
        self.weight.copy_(weight)
        _copy_bias(self, bias)

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        A = torch.diag_embed(self.weight_sq.detach())  # (m, n, n)
        b = self.weight.detach().clone() if self.weight is not None else torch.zeros_like(A[..., 0])
        return A, b, self._constant()

    def _extra_options(self) -> list[str]:
        return [] if self.linear_term else ["linear_term=False"]


class QuadricLinear(QuadricForm):
    r"""The general quadric neuron, every mixed term included.

    .. math:: y = x^\top A x + b \cdot x + c, \qquad A = A^\top

    Only the upper triangle of ``A`` is free: ``x^T A x`` sees nothing but the symmetric part of
    ``A``, so storing all ``n^2`` entries would waste ``n(n-1)/2`` parameters per neuron. The
    layer stores the coefficients of the monomials ``x_i x_j`` (``i <= j``) and computes the
    quadratic part as one matrix multiply on those monomials (the "outer product trick"):
    ``A_ii`` is the coefficient of ``x_i^2`` and ``A_ij = A_ji`` is half that of ``x_i x_j``.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        linear_term: keep ``b·x``; without it (and without bias) this is QuadraLib's type T1,
            ``x^T W x``.
        device, dtype: factory arguments.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Attributes:
        weight_quad: monomial coefficients, shape ``(out_features, n(n+1)/2)``, in the order of
            ``torch.triu_indices(n, n)``.
        weight: ``b``, shape ``(out_features, in_features)``.
        bias: ``c``, shape ``(out_features,)``.

    Example:
        >>> layer = QuadricLinear(2, 1)
        >>> sum(p.numel() for p in layer.parameters())  # 3 + 2 + 1
        6
    """

    quadratic_names = ("weight_quad",)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        linear_term: bool = True,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__(in_features, out_features, bias, init, memory_efficient)
        factory = {"device": device, "dtype": dtype}
        n, m = self.in_features, self.out_features
        self.linear_term = bool(linear_term)
        rows, cols = torch.triu_indices(n, n, device=device)
        self.register_buffer("_rows", rows, persistent=False)
        self.register_buffer("_cols", cols, persistent=False)
        self.weight_quad = nn.Parameter(torch.empty(m, rows.numel(), **factory))
        self.weight = nn.Parameter(torch.empty(m, n, **factory)) if linear_term else None
        self.bias = nn.Parameter(torch.empty(m, **factory)) if bias else None
        self.reset_parameters()

    @property
    def num_monomials(self) -> int:
        """``n(n+1)/2``, the number of distinct products ``x_i x_j``."""
        return self.weight_quad.shape[1]

    def reset_parameters(self) -> None:
        """The quadratic part is a linear layer on ``n(n+1)/2`` monomials, so it gets
        ``nn.Linear``'s init with that fan-in (zero for ReLinear)."""
        if self.init == "relinear":
            nn.init.zeros_(self.weight_quad)
        else:
            _uniform_(self.weight_quad, self.num_monomials)
        if self.weight is not None:
            _uniform_(self.weight, self.in_features)
        self._init_bias(self.in_features)

    def monomials(self, x: Tensor) -> Tensor:
        """``(*, n) -> (*, n(n+1)/2)``: the products ``x_i x_j`` for ``i <= j``."""
        if torch.compiler.is_compiling() or x.shape[-1] == 1:
            # compilers fuse the gathers into the product; the loop below would unroll
            return x[..., self._rows] * x[..., self._cols]
        flat = x.reshape(-1, x.shape[-1])  # (B, n)
        return _Monomials.apply(flat).reshape(*x.shape[:-1], -1)  # (*, n(n+1)/2)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        if linear is not F.linear:
            raise NotImplementedError("the full form is computed on unfolded patches")
        y = F.linear(self.monomials(x), self.weight_quad, self.bias)  # (*, m)
        if self.weight is not None:
            y = y + F.linear(x, self.weight)
        return y

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        _require(self.weight is not None, self, "linear_term=True")
        self.weight_quad.zero_()
        self.weight.copy_(weight)
        _copy_bias(self, bias)

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        W = self.weight_quad.detach()
        n, m = self.in_features, self.out_features
        A = W.new_zeros(m, n, n)
        A[:, self._rows, self._cols] = W
        A = symmetrize(A)  # the x_i x_j coefficient split over A_ij and A_ji; diagonal kept
        b = self.weight.detach().clone() if self.weight is not None else W.new_zeros(m, n)
        return A, b, self._constant()

    def _extra_options(self) -> list[str]:
        return [] if self.linear_term else ["linear_term=False"]


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
        device, dtype: factory arguments.

    ``init="relinear"`` is the ReLinear start of Fan et al.: ``v = 0``, ``v_0 = 1``,
    ``q = 0``, ``c = 0``, so the neuron starts as the linear neuron ``u·x + u_0``.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Example:
        >>> layer = FanQuadric(4, 3)
        >>> layer(torch.randn(2, 4)).shape
        torch.Size([2, 3])
    """

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
        self.weight_u = nn.Parameter(torch.empty(m, n, **factory))
        self.weight_v = nn.Parameter(torch.empty(m, n, **factory))
        self.weight_sq = nn.Parameter(torch.empty(m, n, **factory))
        if bias:
            self.bias_u = nn.Parameter(torch.empty(m, **factory))
            self.bias_v = nn.Parameter(torch.empty(m, **factory))
            self.bias = nn.Parameter(torch.empty(m, **factory))
        else:
            self.register_parameter("bias_u", None)
            self.register_parameter("bias_v", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Both factors get ``nn.Linear``'s init (their product then has variance about
        1/9 per unit-scale input); ReLinear zeroes the second factor's weights and ``q``
        and sets ``v_0 = 1`` so the neuron starts linear."""
        n = self.in_features
        _uniform_(self.weight_u, n)
        if self.init == "relinear":
            nn.init.zeros_(self.weight_v)
            nn.init.zeros_(self.weight_sq)
            nn.init.uniform_(self.bias_u, -1 / math.sqrt(n), 1 / math.sqrt(n))
            nn.init.ones_(self.bias_v)
            nn.init.zeros_(self.bias)
            return
        _uniform_(self.weight_v, n)
        _uniform_(self.weight_sq, n)
        if self.bias is not None:
            _uniform_(self.bias_u, n)
            _uniform_(self.bias_v, n)
            _uniform_(self.bias, n)

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
        _require(self.bias is not None, self, "bias=True")
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


class HadamardQuadric(QuadricForm):
    r"""QuadraLib's quadratic neuron (Xu et al. 2022): a product of two linear maps.

    .. math:: y = (u \cdot x)(v \cdot x) + w \cdot x + c

    ``A = sym(u v^T)`` has rank at most two and, when it has rank two, one positive and one
    negative eigenvalue: one such neuron draws hyperbolas and parabolas, never an ellipse. A
    layer is one GEMM with ``3m`` outputs followed by a multiply-add.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        linear_term: keep ``w·x``; without it this is QuadraLib's type T4,
            ``(U x)∘(V x)``.
        shared_factors: use one factor twice, ``(u·x)^2``: QuadraLib's type T3 ``(Wx)^2``.
        residual: QRes of Bu and Karpatne (2021), ``(u·x)(v·x) + u·x``: the linear term
            reuses the first factor instead of having weights of its own.
        device, dtype: factory arguments.

    ``init="relinear"`` zeroes ``u`` (the product then starts at zero while ``v`` stays
    random, so the gradient of ``u`` is not zero and the quadratic part can grow).

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Example:
        >>> layer = HadamardQuadric(4, 3)
        >>> sum(p.numel() for p in layer.parameters()) == 3 * (3 * 4 + 1)
        True
    """

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
        self.weight_u = nn.Parameter(torch.empty(m, n, **factory))
        if shared_factors:
            self.register_parameter("weight_v", None)
        else:
            self.weight_v = nn.Parameter(torch.empty(m, n, **factory))
        if linear_term and not residual:
            self.weight = nn.Parameter(torch.empty(m, n, **factory))
        else:
            self.register_parameter("weight", None)
        self.bias = nn.Parameter(torch.empty(m, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight gets ``nn.Linear``'s init; ReLinear zeroes ``u``."""
        n = self.in_features
        if self.init == "relinear" and not self.residual:
            nn.init.zeros_(self.weight_u)
        else:
            _uniform_(self.weight_u, n)
        if self.weight_v is not None:
            if self.init == "relinear" and self.residual:
                nn.init.zeros_(self.weight_v)  # QRes: u is also the linear term, keep it
            else:
                _uniform_(self.weight_v, n)
        if self.weight is not None:
            _uniform_(self.weight, n)
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
        _require(
            self.linear_term and not self.shared_factors,
            self,
            "linear_term=True, shared_factors=False",
        )
        if self.residual:  # QRes: u is the linear term, so the second factor is zeroed
            self.weight_u.copy_(weight)
            self.weight_v.zero_()
        else:  # the product vanishes with u = 0; v stays random so u can still learn
            self.weight_u.zero_()
            self.weight.copy_(weight)
        _copy_bias(self, bias)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        m = self.out_features
        h = linear(x, self._stacked_weight(), None)  # (*, k m): one GEMM for every factor
        parts = h.split(m, dim=-1)  # one backward copy for all parts (slices: one each)
        a = parts[0]
        b = a if self.weight_v is None else parts[1]
        if self.residual:
            linear = a
        elif self.weight is not None:
            linear = parts[-1]
        else:
            linear = None
        if linear is None:
            y = a * b
            return y if self.bias is None else y + self.bias
        base = linear if self.bias is None else linear + self.bias
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
        rank: ``k``, between 1 and ``in_features``.
        return_features: "output vectorization": also output the ``k`` features ``f`` of
            every neuron, as ``k`` more linear outputs per neuron. The output then has
            ``out_features * (rank + 1)`` entries: the ``m`` quadric outputs first, then
            ``f`` flattened neuron by neuron (``(*, m, k)`` row-major).
        linear_term: keep ``w·x``.
        device, dtype: factory arguments.

    Shape:
        ``(*, in_features) -> (*, out_features)``, or ``(*, out_features * (rank + 1))`` with
        ``return_features=True`` (see :attr:`output_size`).

    Attributes:
        weight_q: ``Q_k^T`` of every neuron, shape ``(out_features, rank, in_features)``.
        weight_lambda: ``Λ_k``, shape ``(out_features, rank)``.
        weight: ``w``, shape ``(out_features, in_features)``.
        bias: ``c``, shape ``(out_features,)``.

    Example:
        >>> layer = LowRankQuadric(8, 4, rank=2)
        >>> layer(torch.randn(3, 8)).shape
        torch.Size([3, 4])
    """

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
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise TypeError(f"rank must be an int, got {type(rank).__name__} {rank!r}")
        if not 1 <= rank <= self.in_features:
            raise ValueError(
                f"rank must be between 1 and in_features={self.in_features}, got {rank}"
            )
        factory = {"device": device, "dtype": dtype}
        n, m = self.in_features, self.out_features
        self.rank = rank
        self.return_features = bool(return_features)
        self.linear_term = bool(linear_term)
        self.weight_q = nn.Parameter(torch.empty(m, rank, n, **factory))
        self.weight_lambda = nn.Parameter(torch.empty(m, rank, **factory))
        self.weight = nn.Parameter(torch.empty(m, n, **factory)) if linear_term else None
        self.bias = nn.Parameter(torch.empty(m, **factory)) if bias else None
        self.reset_parameters()

    @property
    def output_size(self) -> int:
        """Entries of the last output dimension: ``m``, or ``m (k + 1)`` with features."""
        return self.out_features * (self.rank + 1 if self.return_features else 1)

    def reset_parameters(self) -> None:
        """``Q`` and ``w`` get ``nn.Linear``'s init; ``Λ`` starts at zero, as in the paper,
        so the network starts out linear and the quadratic part grows only where it helps
        (this is also what ``init="relinear"`` asks for)."""
        _uniform_(self.weight_q, self.in_features)
        nn.init.zeros_(self.weight_lambda)
        if self.weight is not None:
            _uniform_(self.weight, self.in_features)
        self._init_bias(self.in_features)

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        _require(
            self.weight is not None and not self.return_features,
            self,
            "linear_term=True, return_features=False",
        )
        self.weight_lambda.zero_()
        self.weight.copy_(weight)
        _copy_bias(self, bias)

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

    def _extra_options(self) -> list[str]:
        opts = [f"rank={self.rank}"]
        if self.return_features:
            opts.append("return_features=True")
        if not self.linear_term:
            opts.append("linear_term=False")
        return opts


FORMS: dict[str, type[nn.Module]] = {
    "linear": nn.Linear,
    "diagonal": DiagonalQuadric,
    "full": QuadricLinear,
    "fan": FanQuadric,
    "hadamard": HadamardQuadric,
    "lowrank": LowRankQuadric,
}
"""Every neuron form by name, ``nn.Linear`` included as the first-order baseline."""

QUADRIC_FORMS: list[str] = sorted(name for name in FORMS if name != "linear")
"""The names of the second-order forms (what ``quadrify`` and ``QuadricConv2d`` accept)."""

QUADRALIB_TYPES: dict[str, tuple[str, type[QuadricForm], dict]] = {
    "T1": ("x^T W x", QuadricLinear, {"linear_term": False, "bias": False}),
    "T2": ("W (x∘x)", DiagonalQuadric, {"linear_term": False, "bias": False}),
    "T3": (
        "(W x)^2",
        HadamardQuadric,
        {"shared_factors": True, "linear_term": False, "bias": False},
    ),
    "T4": ("(W_a x)∘(W_b x)", HadamardQuadric, {"linear_term": False, "bias": False}),
}
"""QuadraLib's survey types as ``(formula, class, options)``: each is one option set of a form."""


def make_layer(form: str, in_features: int, out_features: int, **kwargs) -> nn.Module:
    """Build a layer of the named form (a key of :data:`FORMS`).

    Example:
        >>> make_layer("lowrank", 4, 2, rank=2)
        LowRankQuadric(in_features=4, out_features=2, bias=True, rank=2)
    """
    if not isinstance(form, str) or form not in FORMS:
        raise ValueError(f"form must be one of {sorted(FORMS)}, got {form!r}")
    return FORMS[form](in_features, out_features, **kwargs)


def quadratic_param_groups(
    model: nn.Module, lr: float, quadratic_lr: float, **group_options
) -> list[dict]:
    """Optimizer parameter groups giving second-order parameters their own learning rate.

    Fan et al. train quadratic networks with a smaller learning rate on the quadratic
    parameters than on the linear ones; Chen et al. do the same for ``Λ``. Pass the result to
    any ``torch.optim`` optimizer.

    Args:
        model: any module; quadric forms anywhere inside it (layers, convolutions) are found.
        lr: learning rate of every other parameter.
        quadratic_lr: learning rate of the quadratic parameters.
        group_options: more options for both groups (``weight_decay=...``).

    Returns:
        ``[{"params": linear, "lr": lr}, {"params": quadratic, "lr": quadratic_lr}]``, the
        second group left out when the model has no quadratic parameters.
    """
    for name, value in (("lr", lr), ("quadratic_lr", quadratic_lr)):
        if not isinstance(value, (int, float)) or value <= 0 or math.isnan(value):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    quadratic: dict[int, nn.Parameter] = {}
    for module in model.modules():
        fn = getattr(module, "quadratic_parameters", None)
        if callable(fn):
            quadratic.update((id(p), p) for p in fn())
    linear = [p for p in model.parameters() if id(p) not in quadratic]
    groups = [{"params": linear, "lr": lr, **group_options}]
    if quadratic:
        groups.append({"params": list(quadratic.values()), "lr": quadratic_lr, **group_options})
    return groups
