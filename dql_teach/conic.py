r"""The plane's conics: six coefficients, or two eigenvalues and a rotation, as ``(A, b, c)``.

The general conic is written with the entries of ``A``, ``b`` and ``c``, as everywhere in the
book (:mod:`dql_teach.quadric`):

.. math::

    a_{11} x_1^2 + 2 a_{12} x_1 x_2 + a_{22} x_2^2 + b_1 x_1 + b_2 x_2 + c = 0,

so ``c`` is always the constant and the mixed monomial's coefficient is ``2 a12``. The eigen
form ``R diag(lambda) R^T`` is what a quadric neuron draws up to a rotation (episode 2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ._checks import check_int, check_number
from .quadric import _check_finite, _check_quadric, _real_tensor, symmetrize

__all__ = [
    "CONIC_COEFFICIENTS",
    "conic_to_quadric",
    "eigen_to_matrix",
    "matrix_to_eigen",
    "quadric_to_conic",
    "rotation_matrix",
]

CONIC_COEFFICIENTS = ("a11", "a12", "a22", "b1", "b2", "c")
"""The names of a conic's six coefficients, in the order of :func:`conic_to_quadric`."""


def conic_to_quadric(
    a11: float,
    a12: float,
    a22: float,
    b1: float = 0.0,
    b2: float = 0.0,
    c: float = 0.0,
    dtype: torch.dtype | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    r"""The conic :math:`a_{11} x_1^2 + 2 a_{12} x_1 x_2 + a_{22} x_2^2 + b_1 x_1 + b_2 x_2 + c`
    as ``(A (2, 2), b (2,), c ())``.

    The arguments are the entries of ``A = [[a11, a12], [a12, a22]]``, ``b = (b1, b2)`` and
    ``c``, so the polynomial's coefficient of :math:`x_1 x_2` is ``2 * a12``.

    Args:
        dtype: of the tensors; ``None``: torch's default dtype.

    Example:
        >>> A, b, c = conic_to_quadric(1, 0.5, 2, c=-1)  # x1² + x1 x2 + 2 x2² - 1
        >>> A
        tensor([[1.0000, 0.5000],
                [0.5000, 2.0000]])
    """
    values = [
        check_number(name, value)
        for name, value in zip(CONIC_COEFFICIENTS, (a11, a12, a22, b1, b2, c))
    ]
    a11, a12, a22, b1, b2, c = values
    dtype = dtype or torch.get_default_dtype()
    A = torch.tensor([[a11, a12], [a12, a22]], dtype=dtype)
    return A, torch.tensor([b1, b2], dtype=dtype), torch.tensor(c, dtype=dtype)


def quadric_to_conic(A: Tensor, b: Tensor | None = None, c: Tensor | float | None = None):
    """Inverse of :func:`conic_to_quadric`: ``(a11, a12, a22, b1, b2, c)`` as floats.

    ``A`` is symmetrised first: ``a12`` is the mean of its two off-diagonal entries.

    Example:
        >>> quadric_to_conic(torch.tensor([[1.0, 1.0], [0.0, 2.0]]), None, -1.0)
        (1.0, 0.5, 2.0, 0.0, 0.0, -1.0)
    """
    A, b, c, _ = _check_quadric(A, b, c, dtype=torch.float64, device="cpu")
    if A.shape != (2, 2):
        raise ValueError(f"A must be a single 2x2 matrix for a conic, got shape {tuple(A.shape)}")
    A = symmetrize(A)
    return (
        float(A[0, 0]),
        float(A[0, 1]),
        float(A[1, 1]),
        float(b[0]),
        float(b[1]),
        float(c),
    )


def rotation_matrix(angle: float, n: int = 2, dtype: torch.dtype | None = None) -> Tensor:
    """The ``(n, n)`` rotation by ``angle`` degrees (anticlockwise) in the ``x1``-``x2`` plane.

    Its first column is ``(cos, sin, 0, ...)``: the ``x1`` axis turned by ``angle``.

    Example:
        >>> rotation_matrix(90.0).round()
        tensor([[ 0., -1.],
                [ 1.,  0.]])
    """
    angle = check_number("angle", angle)
    n = check_int("n", n, minimum=2)
    t = math.radians(angle)
    R = torch.eye(n, dtype=torch.float64)
    R[:2, :2] = torch.tensor([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    return R.to(dtype or torch.get_default_dtype())


def eigen_to_matrix(
    eigenvalues: Sequence[float], angle: float = 0.0, dtype: torch.dtype | None = None
) -> Tensor:
    r"""The symmetric matrix :math:`R \, \mathrm{diag}(\lambda) R^\top` with the given
    eigenvalues, ``R`` = :func:`rotation_matrix` ``(angle)``: the principal axes are the
    coordinate axes turned by ``angle`` degrees in the ``x1``-``x2`` plane.

    What a quadric neuron draws *up to a rotation* (episode 2): with ``angle = 0`` the matrix
    is diagonal, the only kind a neuron without mixed terms has.

    Example:
        >>> eigen_to_matrix([1.0, 3.0], angle=90.0).round(decimals=6).abs()
        tensor([[3., 0.],
                [0., 1.]])
    """
    lam = [check_number(f"eigenvalues[{i}]", v) for i, v in enumerate(eigenvalues)]
    if len(lam) < 2:
        raise ValueError(f"eigenvalues must hold two or more numbers, got {len(lam)}")
    R = rotation_matrix(angle, len(lam), dtype=torch.float64)
    A = R @ torch.diag(torch.tensor(lam, dtype=torch.float64)) @ R.T
    return symmetrize(A).to(dtype or torch.get_default_dtype())  # exactly symmetric


def matrix_to_eigen(A: Tensor) -> tuple[tuple[float, float], float]:
    """Inverse of :func:`eigen_to_matrix` for a ``(2, 2)`` matrix: ``((lambda1, lambda2),
    angle)`` with ``lambda1 <= lambda2`` and ``angle`` in degrees in ``[-90, 90)``.

    The eigenvector of ``lambda1`` is the ``x1`` axis turned by ``angle``; an axis has no
    direction, so the angle is taken modulo 180 degrees. Equal eigenvalues (a circle) give
    ``angle = 0``.

    Example:
        >>> (l1, l2), angle = matrix_to_eigen(eigen_to_matrix([1.0, 3.0], angle=30.0))
        >>> round(l1, 6), round(l2, 6), round(angle, 6)
        (1.0, 3.0, 30.0)
    """
    A = _real_tensor("A", A, torch.float64, "cpu").detach()
    if A.shape != (2, 2):
        raise ValueError(f"A must have shape (2, 2), got {tuple(A.shape)}")
    _check_finite(A=A)
    lam, vec = torch.linalg.eigh(symmetrize(A))
    if float(lam[1] - lam[0]) <= 1e-12 * float(lam.abs().max()):
        return (float(lam[0]), float(lam[1])), 0.0
    angle = math.degrees(math.atan2(float(vec[1, 0]), float(vec[0, 0])))
    angle = (angle + 90.0) % 180.0 - 90.0  # an axis, not an arrow
    return (float(lam[0]), float(lam[1])), angle
