r"""The explicit quadric :math:`q(x) = x^\top A x + b^\top x + c` behind every neuron form.

Every quadric neuron of :mod:`dql_teach.neurons` can be written out as a triple ``(A, b, c)``
with ``A`` symmetric. This module evaluates such triples, converts between the six conic
coefficients and the matrix form, and names the surface :math:`q(x) = 0` (ellipse, hyperbola,
hyperboloid of one sheet, ...) from the eigenvalues of ``A`` and of the augmented matrix.

Classification uses the standard invariants. With ``A`` of size ``n`` and the augmented
``(n+1) x (n+1)`` matrix ``M = [[A, b/2], [b/2^T, c]]``:

* the signature of ``A`` (how many eigenvalues are positive, negative, zero) fixes the family,
* ``rank(M)`` and the signature of ``M`` tell proper surfaces from degenerate ones.

Eigenvalues whose magnitude is at most ``tol * max(1, max|eig|)`` count as zero. By default
``tol`` is 100 machine epsilons of the input's dtype (about 1e-5 for float32, 2e-14 for
float64): a rank-one matrix computed in float32 has a second eigenvalue of rounding size,
which must count as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

__all__ = [
    "QuadricInfo",
    "as_quadric",
    "augmented_matrix",
    "classify_quadric",
    "conic_coefficients_to_quadric",
    "evaluate_quadric",
    "quadric_to_conic_coefficients",
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
    """

    name: str
    dim: int
    rank: int
    signature: tuple[int, int, int]
    eigenvalues: Tensor
    eigenvectors: Tensor
    degenerate: bool


def symmetrize(A: Tensor) -> Tensor:
    """``(A + A^T) / 2`` over the last two dimensions.

    ``x^T A x`` only sees the symmetric part of ``A``, so any quadratic form can be written with a
    symmetric matrix: this is why the library always reports symmetric ``A``.
    """
    return (A + A.transpose(-1, -2)) / 2


def _check_quadric(A: Tensor, b: Tensor | None, c: Tensor | float | None) -> tuple:
    if not isinstance(A, Tensor):
        A = torch.as_tensor(A, dtype=torch.get_default_dtype())
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"A must have shape (..., n, n), got {tuple(A.shape)}")
    if not A.is_floating_point():
        A = A.to(torch.get_default_dtype())
    n = A.shape[-1]
    b = torch.zeros(A.shape[:-1], dtype=A.dtype, device=A.device) if b is None else b
    b = torch.as_tensor(b, dtype=A.dtype, device=A.device)
    if b.shape != A.shape[:-1]:
        raise ValueError(
            f"b must have shape {tuple(A.shape[:-1])} to match A, got {tuple(b.shape)}"
        )
    c = torch.zeros(A.shape[:-2], dtype=A.dtype, device=A.device) if c is None else c
    c = torch.as_tensor(c, dtype=A.dtype, device=A.device)
    if c.shape != A.shape[:-2]:
        raise ValueError(
            f"c must have shape {tuple(A.shape[:-2])} to match A, got {tuple(c.shape)}"
        )
    return A, b, c, n


def evaluate_quadric(A: Tensor, b: Tensor | None, c: Tensor | float | None, x: Tensor) -> Tensor:
    r"""Evaluate :math:`x^\top A x + b^\top x + c`.

    Args:
        A: ``(m, n, n)`` for ``m`` quadrics, or ``(n, n)`` for one.
        b: ``(m, n)`` or ``(n,)``; ``None`` means zero.
        c: ``(m,)`` or scalar; ``None`` means zero.
        x: ``(*, n)`` points.

    Returns:
        ``(*, m)`` values, or ``(*,)`` for a single quadric.

    Example:
        >>> A = torch.eye(2); x = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
        >>> evaluate_quadric(A, None, -1.0, x)
        tensor([0., 3.])
    """
    A, b, c, n = _check_quadric(A, b, c)
    if x.shape[-1] != n:
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


def signature(S: Tensor, tol: float = 1e-8) -> tuple[int, int, int]:
    """``(positive, negative, zero)`` eigenvalue counts of a symmetric matrix ``S`` (n, n).

    An eigenvalue counts as zero when its magnitude is at most ``tol * max(1, max|eig|)``.
    """
    eig = torch.linalg.eigvalsh(symmetrize(S.to(torch.float64)))
    scale = max(1.0, float(eig.abs().max())) if eig.numel() else 1.0
    zero = eig.abs() <= tol * scale
    return int(((eig > 0) & ~zero).sum()), int(((eig < 0) & ~zero).sum()), int(zero.sum())


def classify_quadric(
    A: Tensor, b: Tensor | None = None, c: Tensor | float | None = None, tol: float | None = None
) -> QuadricInfo:
    r"""Name the curve (2-D) or surface (3-D) :math:`x^\top A x + b^\top x + c = 0`.

    Args:
        A: ``(n, n)``; only its symmetric part matters.
        b: ``(n,)`` or ``None`` (zero).
        c: scalar or ``None`` (zero).
        tol: relative tolerance below which an eigenvalue counts as zero; ``None``: 100
            machine epsilons of ``A``'s dtype (see module docs).

    Returns:
        A :class:`QuadricInfo`. For ``n`` other than 2 or 3 the name is ``"quadric"`` (or
        ``"degenerate"``) and the rank and signature still hold.

    Example:
        >>> classify_quadric(torch.eye(2), None, -1.0).name
        'circle'
        >>> classify_quadric(torch.diag(torch.tensor([1.0, -1.0])), None, -1.0).name
        'hyperbola'
    """
    A, b, c, n = _check_quadric(A, b, c)
    if A.ndim != 2:
        raise ValueError(
            f"classify_quadric takes one quadric, A of shape (n, n); got {tuple(A.shape)}"
        )
    if tol is None:
        tol = 100 * torch.finfo(A.dtype).eps
    A64, b64, c64 = symmetrize(A.double()), b.double(), c.double()
    eigenvalues, eigenvectors = torch.linalg.eigh(A64)
    pos, neg, zero = signature(A64, tol)
    rank = pos + neg
    M = augmented_matrix(A64, b64, c64)
    m_pos, m_neg, m_zero = signature(M, tol)
    m_rank = m_pos + m_neg
    if n == 2:
        name = _conic_name(pos, neg, rank, m_pos, m_neg, m_rank, eigenvalues, tol)
    elif n == 3:
        name = _quadric3_name(pos, neg, rank, m_pos, m_neg, m_rank, eigenvalues, tol)
    else:
        name = (
            "quadric" if m_rank == n + 1 else ("zero everywhere" if m_rank == 0 else "degenerate")
        )
    proper = {
        "ellipse", "circle", "hyperbola", "parabola",
        "ellipsoid", "sphere", "hyperboloid of one sheet", "hyperboloid of two sheets",
        "elliptic paraboloid", "hyperbolic paraboloid", "quadric",
    }  # fmt: skip
    return QuadricInfo(
        name=name,
        dim=n,
        rank=rank,
        signature=(pos, neg, zero),
        eigenvalues=eigenvalues.to(A.dtype),
        eigenvectors=eigenvectors.to(A.dtype),
        degenerate=name not in proper,
    )


def _equal_eigenvalues(eigenvalues: Tensor, tol: float) -> bool:
    scale = max(1.0, float(eigenvalues.abs().max()))
    return float(eigenvalues.max() - eigenvalues.min()) <= max(tol, 1e-6) * scale


def _conic_name(pos, neg, rank, m_pos, m_neg, m_rank, eigenvalues, tol) -> str:
    if rank == 2 and pos * neg == 0:  # A definite: ellipse family
        if m_rank == 3:
            # q = 0 has points only if the constant part has the opposite sign of A's
            definite_M = m_pos == 3 or m_neg == 3
            if definite_M:
                return "empty"
            return "circle" if _equal_eigenvalues(eigenvalues, tol) else "ellipse"
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


def _quadric3_name(pos, neg, rank, m_pos, m_neg, m_rank, eigenvalues, tol) -> str:
    if rank == 3 and pos * neg == 0:
        if m_rank == 4:
            if m_pos == 4 or m_neg == 4:
                return "empty"
            return "sphere" if _equal_eigenvalues(eigenvalues, tol) else "ellipsoid"
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


def conic_coefficients_to_quadric(
    a: float, b: float, c: float, d: float, e: float, f: float
) -> tuple[Tensor, Tensor, Tensor]:
    r"""The conic :math:`a x^2 + b xy + c y^2 + d x + e y + f` as ``(A (2, 2), b (2,), c ())``.

    The mixed coefficient is split over the two off-diagonal entries (``A[0, 1] = b / 2``).

    Example:
        >>> A, b, c = conic_coefficients_to_quadric(1, 0, 1, 0, 0, -1)
        >>> A
        tensor([[1., 0.],
                [0., 1.]])
    """
    dtype = torch.get_default_dtype()
    A = torch.tensor([[a, b / 2], [b / 2, c]], dtype=dtype)
    return A, torch.tensor([d, e], dtype=dtype), torch.tensor(f, dtype=dtype)


def quadric_to_conic_coefficients(A: Tensor, b: Tensor, c: Tensor | float) -> tuple[float, ...]:
    """Inverse of :func:`conic_coefficients_to_quadric`: ``(a, b, c, d, e, f)`` as floats."""
    A, b, c, n = _check_quadric(A, b, c)
    if A.shape != (2, 2):
        raise ValueError(f"A must be a single 2x2 matrix for a conic, got shape {tuple(A.shape)}")
    A = symmetrize(A)
    return (
        float(A[0, 0]),
        float(2 * A[0, 1]),
        float(A[1, 1]),
        float(b[0]),
        float(b[1]),
        float(c),
    )


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
