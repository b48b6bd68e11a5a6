r"""The monomial forms: a neuron that is a linear function of monomials of its inputs.

``A`` is stored entry by entry, as coefficients of the monomials ``x_i x_j``: all of them for
the full form (:class:`QuadricLinear`), only the squares ``x_i^2`` for the diagonal form
(:class:`DiagonalQuadric`). A layer is then a linear layer on the monomials (and on ``x``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..quadric import symmetrize
from .base import LinearOp, QuadricForm, uniform_

__all__ = ["DiagonalQuadric", "QuadricLinear"]


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


class DiagonalQuadric(QuadricForm):
    r"""The quadric neuron of Deep Quadric Learning: squares of the inputs, no mixed terms.

    .. math:: y = q \cdot (x \circ x) + w \cdot x + c

    ``A = diag(q)``, so a neuron draws only conics whose axes are aligned with the input
    coordinates: the mixed terms it drops amount to a rotation of the inputs, which a layer in
    front could supply but the neuron itself cannot.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        device, dtype: factory arguments, as in ``nn.Linear``.
        linear_term: keep ``w·x``; without it (and without bias) this is QuadraLib's type T2,
            ``W (x∘x)``.

    ``init="relinear"`` zeroes ``q``.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Attributes:
        weight_sq: ``q``, shape ``(out_features, in_features)``.
        weight: ``w``, shape ``(out_features, in_features)`` (``None`` without linear term).
        bias: ``c``, shape ``(out_features,)`` (``None`` with ``bias=False``).

    Example:
        >>> layer = DiagonalQuadric(3, 2)
        >>> layer(torch.randn(5, 3)).shape
        torch.Size([5, 2])
        >>> layer.parameters_per_neuron()  # 2n + 1
        7
    """

    name = "diagonal"
    formula = r"q\cdot(x\circ x) + w\cdot x + c"
    citation = "roeckmann2023dql"
    published_as = "Deep Quadric Learning (no mixed terms)"
    parameter_formula = "2n + 1"
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
        self._parameter("weight_sq", (m, n), factory)
        self._parameter("weight", (m, n), factory, self.linear_term)
        self._parameter("bias", (m,), factory, bool(bias))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``nn.Linear``'s init for ``w`` and ``c``; ``q`` likewise, or zero for ReLinear."""
        if self.init == "relinear":
            torch.nn.init.zeros_(self.weight_sq)
        else:
            uniform_(self.weight_sq, self.in_features)
        if self.weight is not None:
            uniform_(self.weight, self.in_features)
        self._init_bias(self.in_features)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        y = linear(x * x, self.weight_sq, self.bias)  # (*, m)
        if self.weight is not None:
            y = y + linear(x, self.weight, None)
        return y

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        self._require(self.weight is not None, "linear_term=True")
        self.weight_sq.zero_()
        self.weight.copy_(weight)
        self._copy_bias(bias)

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        A = torch.diag_embed(self.weight_sq.detach())  # (m, n, n)
        b = self.weight.detach().clone() if self.weight is not None else torch.zeros_like(A[..., 0])
        return A, b, self._constant()

    # -- facts --------------------------------------------------------------------------
    def parameters_per_neuron(self) -> int:
        n = self.in_features
        return n + n * self.linear_term + (self.bias is not None)

    def multiply_adds(self) -> int:
        n, m = self.in_features, self.out_features  # x∘x once, then one or two GEMMs
        return n + m * n * (2 if self.linear_term else 1)

    def flop_equivalent(self) -> dict[str, tuple[int, int]]:
        # the neuron *is* a linear neuron on the 2n features [x∘x, x]; Linear(n, 2m) does the
        # same multiply-adds with a different shape, so both are given
        n, m = self.in_features, self.out_features
        if not self.linear_term:
            return {"Linear(n, m)": (n, m)}
        return {"Linear(2n, m)": (2 * n, m), "Linear(n, 2m)": (n, 2 * m)}

    def max_rank(self) -> int:
        return self.in_features

    def relinear_zeros(self) -> tuple[str, ...]:
        return ("weight_sq",)

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
    The second-order units of the higher-order networks of Giles and Maxwell (1987) are such
    neurons.

    Args:
        in_features, out_features, bias, init, memory_efficient: see :class:`QuadricForm`.
        device, dtype: factory arguments, as in ``nn.Linear``.
        linear_term: keep ``b·x``; without it (and without bias) this is QuadraLib's type T1,
            ``x^T W x``.

    ``init="relinear"`` zeroes the monomial coefficients.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Attributes:
        weight_quad: monomial coefficients, shape ``(out_features, n(n+1)/2)``, in the order of
            ``torch.triu_indices(n, n)``.
        weight: ``b``, shape ``(out_features, in_features)`` (``None`` without linear term).
        bias: ``c``, shape ``(out_features,)`` (``None`` with ``bias=False``).

    Example:
        >>> layer = QuadricLinear(2, 1)
        >>> sum(p.numel() for p in layer.parameters())  # 3 + 2 + 1
        6
        >>> layer(torch.randn(4, 7, 2)).shape
        torch.Size([4, 7, 1])
    """

    name = "full"
    formula = r"x^\top A x + b\cdot x + c"
    citation = "giles1987learning"
    published_as = "general quadric (all mixed terms)"
    parameter_formula = "n(n+1)/2 + n + 1"
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
        self._parameter("weight_quad", (m, rows.numel()), factory)
        self._parameter("weight", (m, n), factory, self.linear_term)
        self._parameter("bias", (m,), factory, bool(bias))
        self.reset_parameters()

    @property
    def num_monomials(self) -> int:
        """``n(n+1)/2``, the number of distinct products ``x_i x_j``."""
        return self.weight_quad.shape[1]

    def reset_parameters(self) -> None:
        """The quadratic part is a linear layer on ``n(n+1)/2`` monomials, so it gets
        ``nn.Linear``'s init with that fan-in (zero for ReLinear)."""
        if self.init == "relinear":
            torch.nn.init.zeros_(self.weight_quad)
        else:
            uniform_(self.weight_quad, self.num_monomials)
        if self.weight is not None:
            uniform_(self.weight, self.in_features)
        self._init_bias(self.in_features)

    def monomials(self, x: Tensor) -> Tensor:
        """``(*, n) -> (*, n(n+1)/2)``: the products ``x_i x_j`` for ``i <= j``."""
        if torch.compiler.is_compiling() or self.in_features == 1:
            # compilers fuse the gathers into the product; the loop below would unroll
            return x[..., self._rows] * x[..., self._cols]
        flat = x.reshape(-1, x.shape[-1])  # (B, n)
        # the size, not -1: a batch of 0 samples has no size to infer
        return _Monomials.apply(flat).reshape(*x.shape[:-1], self.num_monomials)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        if linear is not F.linear:
            raise NotImplementedError("the full form is computed on unfolded patches")
        y = F.linear(self.monomials(x), self.weight_quad, self.bias)  # (*, m)
        if self.weight is not None:
            y = y + F.linear(x, self.weight)
        return y

    @torch.no_grad()
    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        self._require(self.weight is not None, "linear_term=True")
        self.weight_quad.zero_()
        self.weight.copy_(weight)
        self._copy_bias(bias)

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        W = self.weight_quad.detach()
        n, m = self.in_features, self.out_features
        A = W.new_zeros(m, n, n)
        A[:, self._rows, self._cols] = W
        A = symmetrize(A)  # the x_i x_j coefficient split over A_ij and A_ji; diagonal kept
        b = self.weight.detach().clone() if self.weight is not None else W.new_zeros(m, n)
        return A, b, self._constant()

    # -- facts --------------------------------------------------------------------------
    def parameters_per_neuron(self) -> int:
        n = self.in_features
        return n * (n + 1) // 2 + n * self.linear_term + (self.bias is not None)

    def multiply_adds(self) -> int:
        # n(n+1)/2 monomials once, a GEMM on them, and one on x for the linear term
        n, m, p = self.in_features, self.out_features, self.num_monomials
        return p + m * p + m * n * self.linear_term

    def flop_equivalent(self) -> dict[str, tuple[int, int]]:
        # the neuron is a linear neuron on its n(n+1)/2 monomials (and x)
        n, m, p = self.in_features, self.out_features, self.num_monomials
        if not self.linear_term:
            return {"Linear(n(n+1)/2, m)": (p, m)}
        return {"Linear(n(n+1)/2 + n, m)": (p + n, m)}

    def max_rank(self) -> int:
        return self.in_features

    def relinear_zeros(self) -> tuple[str, ...]:
        return ("weight_quad",)

    def _extra_options(self) -> list[str]:
        return [] if self.linear_term else ["linear_term=False"]
