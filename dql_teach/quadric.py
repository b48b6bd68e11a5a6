r"""The explicit quadric :math:`q(x) = x^\top A x + b^\top x + c` behind every neuron form.

Every quadric neuron can be written out as a triple ``(A, b, c)`` with ``A`` symmetric. This
module evaluates such triples, completes the square and names the surface :math:`q(x) = 0`
(ellipse, hyperbola, hyperboloid of one sheet, ...); :mod:`dql_teach.conic` converts between
a plane conic's coefficients, or its eigenvalues and rotation, and ``(A, b, c)``.

**Notation.** The general conic is written with the entries of ``A``, ``b`` and ``c``, as
everywhere in the book:

.. math::

    a_{11} x_1^2 + 2 a_{12} x_1 x_2 + a_{22} x_2^2 + b_1 x_1 + b_2 x_2 + c = 0,
    \qquad A = \begin{pmatrix} a_{11} & a_{12} \\ a_{12} & a_{22} \end{pmatrix},

so ``c`` is always the constant and the mixed monomial's coefficient is ``2 a12``.

**Classification** uses the standard invariants. With ``A`` of size ``n`` and the augmented
``(n+1) x (n+1)`` matrix ``M = [[A, b/2], [b/2^T, c]]``: the signature of ``A`` (how many
eigenvalues are positive, negative, zero) fixes the family; ``rank(M)`` and the signature of
``M`` tell proper surfaces from degenerate and empty ones.

``q = 0`` does not change when ``q`` is multiplied by a number, and neither does its name:
:func:`classify_quadric` first divides ``(A, b, c)`` by their largest magnitude and works in
float64 whatever the input's dtype, then counts an eigenvalue as zero when its magnitude is at
most ``tol``, a *relative* tolerance. By default ``tol`` is 100 machine epsilons of the
input's dtype (about 1e-5 for float32, 2e-14 for float64), at most 1e-2 (for bfloat16 and
float16, whose 100 epsilons would exceed the eigenvalues themselves): a rank-one matrix
computed in float32 has a second eigenvalue of rounding size, which must count as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from ._checks import check_number

__all__ = [
    "QuadricInfo",
    "as_quadric",
    "augmented_matrix",
    "classify_quadric",
    "complete_square",
    "default_tolerance",
    "evaluate_quadric",
    "normalize_quadric",
    "signature",
    "symmetrize",
]


@dataclass(frozen=True)
class QuadricInfo:
    """What :func:`classify_quadric` found out about one quadric.

    Attributes:
        name: the surface ``q(x) = 0``, e.g. ``"ellipse"`` or ``"hyperboloid of one sheet"``.
        dim: the number of variables ``n``.
        rank: rank of ``A`` (how many directions the quadratic part bends in).
        signature: ``(positive, negative, zero)`` eigenvalue counts of ``A``.
        eigenvalues: eigenvalues of ``A``, ascending, shape ``(n,)``.
        eigenvectors: matching unit eigenvectors as columns, shape ``(n, n)`` (the principal axes).
        degenerate: ``True`` when ``q = 0`` is not a proper conic/quadric surface.
        empty: ``True`` when no real point satisfies ``q(x) = 0`` (``x² + 1 = 0``): then ``q``
            has one sign everywhere (and ``degenerate`` is ``True`` too).
    """

    name: str
    dim: int
    rank: int
    signature: tuple[int, int, int]
    eigenvalues: Tensor
    eigenvectors: Tensor
    degenerate: bool
    empty: bool = False


def symmetrize(A: Tensor) -> Tensor:
    """``(A + A^T) / 2`` over the last two dimensions.

    ``x^T A x`` only sees the symmetric part of ``A``, so any quadratic form can be written with a
    symmetric matrix: this is why the library always reports symmetric ``A``.
    """
    return (A + A.transpose(-1, -2)) / 2


def _real_tensor(name: str, value, dtype: torch.dtype | None, device=None) -> Tensor:
    """``value`` as a real floating tensor of ``dtype`` (``None``: a tensor's or an array's own
    floating dtype; torch's default dtype for numbers and lists)."""
    if isinstance(value, Tensor):
        t = value  # not detached: evaluate_quadric is differentiated through
    else:
        try:  # through NumPy in float64: a number such as 1e-300 survives until the cast
            array = np.asarray(value)
            t = torch.as_tensor(array)
            if dtype is None and not isinstance(value, np.ndarray) and t.is_floating_point():
                dtype = torch.get_default_dtype()
        except (TypeError, ValueError, RuntimeError) as error:
            raise TypeError(
                f"{name} must be a tensor, an array or a number, got {type(value).__name__} "
                f"{value!r}"
            ) from error
    if t.is_complex():
        raise TypeError(f"{name} must be real, got a complex tensor ({t.dtype})")
    if t.dtype == torch.bool:
        raise TypeError(f"{name} must hold numbers, got a tensor of dtype {t.dtype}")
    if dtype is None:
        dtype = t.dtype if t.is_floating_point() else torch.get_default_dtype()
    return t.to(dtype=dtype, device=device if device is not None else t.device)


def _check_finite(**tensors: Tensor) -> None:
    for name, t in tensors.items():
        if not bool(torch.isfinite(t).all()):
            shown = t.tolist() if t.numel() <= 9 else f"a tensor of shape {tuple(t.shape)}"
            raise ValueError(f"{name} must be finite (no NaN or inf), got {shown}")


def _check_quadric(
    A, b, c, *, dtype: torch.dtype | None = None, device=None, finite: bool = False
) -> tuple[Tensor, Tensor, Tensor, int]:
    """``(A, b, c, n)`` as tensors of one dtype (``A``'s floating dtype unless given), with
    their shapes checked; ``None`` for ``b`` or ``c`` means zero."""
    A = _real_tensor("A", A, dtype, device)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"A must have shape (..., n, n), got {tuple(A.shape)}")
    n = A.shape[-1]
    b = A.new_zeros(A.shape[:-1]) if b is None else _real_tensor("b", b, A.dtype, A.device)
    if b.shape != A.shape[:-1]:
        raise ValueError(
            f"b must have shape {tuple(A.shape[:-1])} to match A, got {tuple(b.shape)}"
        )
    c = A.new_zeros(A.shape[:-2]) if c is None else _real_tensor("c", c, A.dtype, A.device)
    if c.shape != A.shape[:-2]:
        if c.numel() == 1 and A.ndim == 2:
            c = c.reshape(())  # a (1,) constant for one quadric, as a layer's c[0:1] is
        else:
            raise ValueError(
                f"c must have shape {tuple(A.shape[:-2])} to match A, got {tuple(c.shape)}"
            )
    if finite:  # the callers that need finite numbers work on values, not on a graph
        A, b, c = A.detach(), b.detach(), c.detach()
        _check_finite(A=A, b=b, c=c)
    return A, b, c, n


def evaluate_quadric(A: Tensor, b: Tensor | None, c: Tensor | float | None, x: Tensor) -> Tensor:
    r"""Evaluate :math:`x^\top A x + b^\top x + c`.

    Args:
        A: ``(m, n, n)`` for ``m`` quadrics, or ``(n, n)`` for one.
        b: ``(m, n)`` or ``(n,)``; ``None`` means zero.
        c: ``(m,)`` or scalar; ``None`` means zero.
        x: ``(*, n)`` points (a tensor, or anything ``torch.as_tensor`` takes).

    Returns:
        ``(*, m)`` values, or ``(*,)`` for a single quadric, in ``A``'s dtype.

    Example:
        >>> A = torch.eye(2); x = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
        >>> evaluate_quadric(A, None, -1.0, x)
        tensor([0., 3.])
    """
    A, b, c, n = _check_quadric(A, b, c)
    if not isinstance(x, Tensor):
        x = _real_tensor("x", x, A.dtype, A.device)
    if x.is_complex():
        raise TypeError(f"x must be real, got a complex tensor ({x.dtype})")
    if x.ndim == 0 or x.shape[-1] != n:
        raise ValueError(f"x must have last dimension n={n} to match A, got shape {tuple(x.shape)}")
    x = x.to(A.dtype)
    if A.ndim == 2:
        return torch.einsum("...i,ij,...j->...", x, A, x) + x @ b + c
    Ax = torch.einsum("...j,mij->...mi", x, A)  # (*, m, n)
    return (Ax * x.unsqueeze(-2)).sum(-1) + x @ b.transpose(-1, -2) + c


def augmented_matrix(A: Tensor, b: Tensor | None = None, c: Tensor | float | None = None) -> Tensor:
    r"""The ``(n+1) x (n+1)`` matrix :math:`M` with :math:`q(x) = [x; 1]^\top M [x; 1]`."""
    A, b, c, n = _check_quadric(A, b, c)
    M = torch.zeros(*A.shape[:-2], n + 1, n + 1, dtype=A.dtype, device=A.device)
    M[..., :n, :n] = symmetrize(A)
    M[..., :n, n] = b / 2
    M[..., n, :n] = b / 2
    M[..., n, n] = c
    return M


def normalize_quadric(A, b=None, c=None) -> tuple[Tensor, Tensor, Tensor]:
    """``(A, b, c)`` in float64 on the CPU, divided by their largest magnitude.

    The same zero set with coefficients of size at most 1: huge (1e300) and tiny (1e-300)
    quadrics then classify and draw like ordinary ones, with no overflow or underflow.
    Non-finite coefficients raise ``ValueError``; all-zero ones are returned as they are.

    Example:
        >>> normalize_quadric(torch.eye(2) * 1e-30, None, -2e-30)[2]
        tensor(-1., dtype=torch.float64)
    """
    A, b, c, _ = _check_quadric(A, b, c, dtype=torch.float64, device="cpu", finite=True)
    scale = max(float(t.abs().max()) if t.numel() else 0.0 for t in (A, b, c))
    if scale == 0:
        return A, b, c
    return A / scale, b / scale, c / scale


def default_tolerance(*values) -> float:
    """The tolerance :func:`classify_quadric` uses for these coefficients unless told: 100
    epsilons of the least precise floating dtype among ``values`` (tensors or arrays; numbers
    and integer tensors count as torch's default dtype), at most 1e-2.

    Example:
        >>> default_tolerance(torch.eye(2), 1.0) == 100 * torch.finfo(torch.float32).eps
        True
    """
    eps = [
        torch.finfo(v.dtype).eps for v in values if isinstance(v, Tensor) and v.is_floating_point()
    ]
    eps += [float(np.finfo(v.dtype).eps) for v in values
            if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)]  # fmt: skip
    return min(100 * max(eps, default=torch.finfo(torch.get_default_dtype()).eps), 1e-2)


def complete_square(A, b=None, c=None, tol: float | None = None) -> tuple[Tensor, Tensor]:
    r"""The centre :math:`x_0` and the constant :math:`c'` of
    :math:`q(x) = (x - x_0)^\top A (x - x_0) + c'`: the square completed.

    ``A (n, n)`` (its symmetric part), ``b (n,)``, ``c ()``; ``None`` for zero. The centre
    solves :math:`A x_0 = -b/2` and :math:`c' = q(x_0) = c + \tfrac12 b \cdot x_0`, which is
    :math:`c - \tfrac14 b^\top A^{-1} b` for an invertible ``A``. Once the square is
    completed, :math:`c'` with the signs of ``A``'s eigenvalues names the surface: with signs
    ``(+, +, -)``, one sheet for ``c' < 0``, a cone for ``c' = 0``, two sheets for ``c' > 0``.
    The sign of ``c`` alone decides only when ``b = 0``. With a zero eigenvalue (cylinders)
    the centre is the one nearest the origin. ``tol``: as in :func:`classify_quadric`.

    Returns:
        ``(x0 (n,), c' ())`` in ``A``'s floating dtype (computed in float64).

    Raises:
        ValueError: no centre exists, because ``b`` has a part along an eigenvector of a zero
            eigenvalue (a parabola or paraboloid: the square cannot be completed there).

    Example:
        >>> A = torch.diag(torch.tensor([1.0, 1.0, -1.0]))  # x² + y² - z² + z - 0.1
        >>> x0, c_prime = complete_square(A, torch.tensor([0.0, 0.0, 1.0]), -0.1)
        >>> x0.tolist(), round(c_prime.item(), 6)  # c < 0, yet c' > 0: two sheets
        ([0.0, 0.0, 0.5], 0.15)
    """
    tol = default_tolerance(A, b, c) if tol is None else check_number("tol", tol, minimum=0)
    dtype = A.dtype if isinstance(A, Tensor) and A.is_floating_point() else None
    A, b, c, _ = _check_quadric(A, b, c, dtype=torch.float64, device="cpu", finite=True)
    if A.ndim != 2:
        raise ValueError(
            f"complete_square takes one quadric, A of shape (n, n); got {tuple(A.shape)}"
        )
    # on the normalised coefficients, as classify_quadric decides what counts as zero
    scale = max(float(t.abs().max()) if t.numel() else 0.0 for t in (A, b, c)) or 1.0
    eigenvalues, Q = torch.linalg.eigh(symmetrize(A) / scale)
    beta = Q.T @ b / scale  # b in the eigenvector basis
    zero = eigenvalues.abs() <= tol
    if bool((beta[zero].abs() > tol).any()):
        raise ValueError(
            "complete_square: the quadric has no centre: b has a part along an eigenvector of "
            "a zero eigenvalue of A (a parabola or paraboloid); eigenvalues of A / max|coef| "
            f"{eigenvalues.tolist()}, b / max|coef| along them {beta.tolist()}"
        )
    x0 = Q @ torch.where(zero, 0.0, -beta / (2 * torch.where(zero, 1.0, eigenvalues)))
    constant = c + b @ x0 / 2
    dtype = dtype or torch.get_default_dtype()
    return x0.to(dtype), constant.to(dtype)


def signature(S: Tensor, tol: float = 1e-8) -> tuple[int, int, int]:
    """``(positive, negative, zero)`` eigenvalue counts of a symmetric matrix ``S`` (n, n).

    An eigenvalue counts as zero when its magnitude is at most ``tol`` times the largest
    magnitude of an entry of ``S``: a relative tolerance, so ``S`` and ``1e9 * S`` have the
    same signature.
    """
    S = symmetrize(_real_tensor("S", S, torch.float64, "cpu"))
    return _signature(torch.linalg.eigvalsh(S), tol * float(S.abs().max()) if S.numel() else 0.0)


def _signature(eigenvalues: Tensor, threshold: float) -> tuple[int, int, int]:
    zero = eigenvalues.abs() <= threshold
    pos = int(((eigenvalues > 0) & ~zero).sum())
    neg = int(((eigenvalues < 0) & ~zero).sum())
    return pos, neg, int(zero.sum())


_PROPER = {
    "ellipse", "circle", "hyperbola", "parabola",
    "ellipsoid", "sphere", "hyperboloid of one sheet", "hyperboloid of two sheets",
    "elliptic paraboloid", "hyperbolic paraboloid", "two points", "quadric",
}  # fmt: skip


def classify_quadric(
    A: Tensor, b: Tensor | None = None, c: Tensor | float | None = None, tol: float | None = None
) -> QuadricInfo:
    r"""Name the curve (2-D) or surface (3-D) :math:`x^\top A x + b^\top x + c = 0`.

    Scale-invariant: ``(A, b, c)`` and ``(s A, s b, s c)`` get the same name for every
    ``s != 0`` of either sign, in every floating dtype (the work is done in float64 on the
    normalised coefficients, see the module docs).

    Args:
        A: ``(n, n)`` real and finite; only its symmetric part matters.
        b: ``(n,)`` or ``None`` (zero).
        c: scalar or ``None`` (zero).
        tol: relative tolerance (a finite number ``>= 0``) below which an eigenvalue of the
            normalised ``A`` or ``M`` counts as zero, and two eigenvalues as equal (a circle or
            a sphere); ``None``: 100 machine epsilons of the inputs' dtype, at most 1e-2.

    Returns:
        A :class:`QuadricInfo`. For ``n = 1`` the names are ``"two points"``, ``"point"``,
        ``"empty"``, ``"zero everywhere"``; for ``n >= 4`` ``"quadric"`` (proper),
        ``"degenerate"``, ``"empty"`` or ``"zero everywhere"``, and the rank and signature
        still hold. ``"empty"`` (and ``"no curve"``/``"no surface"`` for a nonzero constant):
        no real point lies on it; ``info.empty`` says so in every dimension.

    Raises:
        TypeError: complex or non-numeric coefficients, or a ``tol`` that is not a number.
        ValueError: NaN or infinite coefficients, a ``tol`` that is NaN, infinite or negative,
            or shapes that do not fit.

    Example:
        >>> classify_quadric(torch.eye(2), None, -1.0).name
        'circle'
        >>> classify_quadric(torch.diag(torch.tensor([1.0, -1.0])), None, -1.0).name
        'hyperbola'
        >>> classify_quadric(1e-9 * torch.eye(4), None, 1e-9).empty
        True
    """
    tol = default_tolerance(A, b, c) if tol is None else check_number("tol", tol, minimum=0)
    # the eigen-decomposition is reported in the caller's dtype and device
    like = A if isinstance(A, Tensor) and A.is_floating_point() else torch.empty(0)
    A, b, c, n = _check_quadric(A, b, c, dtype=torch.float64, device="cpu", finite=True)
    if A.ndim != 2:
        raise ValueError(
            f"classify_quadric takes one quadric, A of shape (n, n); got {tuple(A.shape)}"
        )
    scale = max(float(t.abs().max()) if t.numel() else 0.0 for t in (A, b, c)) or 1.0
    A, b, c = A / scale, b / scale, c / scale
    eigenvalues, eigenvectors = torch.linalg.eigh(symmetrize(A))  # of the normalised A
    pos, neg, zero = _signature(eigenvalues, tol)
    rank = pos + neg
    m_pos, m_neg, _ = _signature(torch.linalg.eigvalsh(augmented_matrix(A, b, c)), tol)
    m_rank = m_pos + m_neg
    # no real zero: q >= min q > 0 (or <= max q < 0), i.e. M semidefinite with the extra rank
    # of a nonzero extreme value (rank M = rank A + 1)
    empty = m_rank == rank + 1 and (m_pos == 0 or m_neg == 0)
    equal = n > 0 and float(eigenvalues.max() - eigenvalues.min()) <= tol * float(
        eigenvalues.abs().max()
    )
    args = (pos, neg, rank, m_pos, m_neg, m_rank, equal)
    if n in _NAMES:
        name = _NAMES[n](*args)
    elif m_rank == 0:
        name = "zero everywhere"
    else:
        name = "empty" if empty else ("quadric" if m_rank == n + 1 else "degenerate")
    return QuadricInfo(
        name=name,
        dim=n,
        rank=rank,
        signature=(pos, neg, zero),
        eigenvalues=(eigenvalues * scale).to(like),
        eigenvectors=eigenvectors.to(like),
        degenerate=name not in _PROPER,
        empty=empty,
    )


def _points_name(pos, neg, rank, m_pos, m_neg, m_rank, equal) -> str:
    # a x^2 + b x + c = 0 on the line
    if m_rank == 0:
        return "zero everywhere"
    if rank == 1 and m_rank == 2:
        return "two points" if m_pos and m_neg else "empty"
    if m_rank == 2:  # a = 0, b != 0: one root
        return "point"
    return "point" if rank == 1 else "empty"  # a double root, or a nonzero constant


def _conic_name(pos, neg, rank, m_pos, m_neg, m_rank, equal) -> str:
    if rank == 2 and pos * neg == 0:  # A definite: ellipse family
        if m_rank == 3:
            # q = 0 has points only if the constant part has the opposite sign of A's
            if m_pos == 3 or m_neg == 3:
                return "empty"
            return "circle" if equal else "ellipse"
        return "point"
    if rank == 2:  # indefinite: hyperbola family
        return "hyperbola" if m_rank == 3 else "intersecting lines"
    if rank == 1:  # parabola family
        if m_rank == 3:
            return "parabola"
        if m_rank == 2:
            # two parallel lines if M's signature is mixed, none if M is semidefinite
            return "parallel lines" if m_pos and m_neg else "empty"
        return "double line"  # e.g. x^2 = 0
    # A = 0: the quadric is linear
    if m_rank == 2:
        return "line"
    return "no curve" if m_rank == 1 else "zero everywhere"


def _quadric3_name(pos, neg, rank, m_pos, m_neg, m_rank, equal) -> str:
    if rank == 3 and pos * neg == 0:
        if m_rank == 4:
            if m_pos == 4 or m_neg == 4:
                return "empty"
            return "sphere" if equal else "ellipsoid"
        return "point"
    if rank == 3:
        if m_rank == 3:
            return "cone"
        # sign of det(M) relative to A's dominant sign picks one or two sheets: with A of
        # signature (2, 1) the surface has one sheet when M has signature (2, 2), two when (3, 1)
        return "hyperboloid of one sheet" if m_pos == m_neg else "hyperboloid of two sheets"
    if rank == 2:
        if m_rank == 4:
            return "elliptic paraboloid" if pos * neg == 0 else "hyperbolic paraboloid"
        if m_rank == 3:
            if pos * neg == 0:
                return "empty" if (m_pos == 3 or m_neg == 3) else "elliptic cylinder"
            return "hyperbolic cylinder"
        return "intersecting planes" if pos * neg else "line"
    if rank == 1:
        if m_rank == 3:
            return "parabolic cylinder"
        if m_rank == 2:
            return "parallel planes" if m_pos and m_neg else "empty"
        return "double plane"
    if m_rank == 2:
        return "plane"
    return "no surface" if m_rank == 1 else "zero everywhere"


_NAMES = {1: _points_name, 2: _conic_name, 3: _quadric3_name}


def as_quadric(module: nn.Module) -> tuple[Tensor, Tensor, Tensor]:
    """``(A (m, n, n), b (m, n), c (m,))`` of an ``nn.Linear`` or any quadric form.

    A linear layer is the quadric with ``A = 0``; the quadric forms have their own
    ``as_quadric()`` method, which this calls.
    """
    if isinstance(module, nn.Linear):
        W = module.weight.detach()
        m, n = W.shape
        A = torch.zeros(m, n, n, dtype=W.dtype, device=W.device)
        c = module.bias.detach() if module.bias is not None else W.new_zeros(m)
        return A, W.clone(), c.clone()
    method = getattr(module, "as_quadric", None)
    if method is None:
        raise TypeError(
            "module must be nn.Linear or a quadric form with as_quadric(), "
            f"got {type(module).__name__}"
        )
    return method()
