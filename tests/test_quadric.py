"""dql_teach.quadric: evaluation, conic coefficients, classification of conics and quadrics."""

import math

import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach.quadric import augmented_matrix, signature

D = lambda *v: torch.diag(torch.tensor(v, dtype=torch.float64))  # noqa: E731


@pytest.mark.parametrize(
    "coeffs, name, degenerate",
    [
        ((1, 0, 1, 0, 0, -1), "circle", False),  # x² + y² = 1
        ((1, 0, -1, 0, 0, -1), "hyperbola", False),  # x² − y² = 1
        ((1, 0, 0, 0, -1, 0), "parabola", False),  # y = x²
        ((1, 0, 0, 0, 0, 0), "double line", True),  # x² = 0
        ((1, 1, 2, 0, 0, -1), "ellipse", False),  # a tilted ellipse
        ((0, 1, 0, 0, 0, -1), "hyperbola", False),  # xy = 1
        ((1, 0, 1, 0, 0, 1), "empty", True),  # x² + y² = −1
        ((1, 0, 1, 0, 0, 0), "point", True),
        ((1, 0, -1, 0, 0, 0), "intersecting lines", True),
        ((1, 0, 0, 0, 0, -1), "parallel lines", True),
        ((0, 0, 0, 1, 1, -1), "line", True),  # A = 0: x + y = 1
    ],
)
def test_textbook_conics(coeffs, name, degenerate):
    info = dql.classify_quadric(*dql.conic_coefficients_to_quadric(*coeffs))
    assert info.name == name
    assert info.degenerate is degenerate
    assert info.dim == 2


def test_rank_signature_and_axes():
    A, b, c = dql.conic_coefficients_to_quadric(1, 0, -1, 0, 0, -1)
    info = dql.classify_quadric(A, b, c)
    assert info.rank == 2 and info.signature == (1, 1, 0)
    torch.testing.assert_close(info.eigenvalues, torch.tensor([-1.0, 1.0]))
    # a rotated ellipse: its principal axes are the rotation's columns
    t = math.pi / 6
    R = torch.tensor([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], dtype=torch.float64)
    A = R @ D(1.0, 4.0) @ R.T
    info = dql.classify_quadric(A, None, -1.0)
    assert info.name == "ellipse" and info.signature == (2, 0, 0)
    torch.testing.assert_close(info.eigenvectors.abs(), R.abs())
    A, b, c = dql.conic_coefficients_to_quadric(1, 0, 0, 0, -1, 0)
    assert dql.classify_quadric(A, b, c).signature == (1, 0, 1)


def test_tolerance_decides_what_counts_as_zero():
    A = D(1.0, 1e-9)
    assert dql.classify_quadric(A, None, -1.0, tol=1e-6).name == "parallel lines"
    assert dql.classify_quadric(A, None, -1.0, tol=1e-12).name == "ellipse"
    assert signature(D(2.0, -3.0, 0.0)) == (1, 1, 1)


@pytest.mark.parametrize(
    "A, b, c, name",
    [
        (D(1, 1, 1), None, -1, "sphere"),
        (D(1, 2, 3), None, -1, "ellipsoid"),
        (D(1, 1, -1), None, -1, "hyperboloid of one sheet"),
        (D(1, 1, -1), None, 1, "hyperboloid of two sheets"),
        (D(-1, -1, 1), None, -1, "hyperboloid of two sheets"),
        (D(1, 1, -1), None, 0, "cone"),
        (D(1, 1, 0), (0, 0, -1), 0, "elliptic paraboloid"),
        (D(1, -1, 0), (0, 0, -1), 0, "hyperbolic paraboloid"),
        (D(1, 1, 0), None, -1, "elliptic cylinder"),
        (D(1, -1, 0), None, -1, "hyperbolic cylinder"),
        (D(1, 0, 0), (0, 1, 0), 0, "parabolic cylinder"),
        (D(1, 1, 1), None, 1, "empty"),
    ],
)
def test_3d_quadrics(A, b, c, name):
    b = None if b is None else torch.tensor(b, dtype=torch.float64)
    info = dql.classify_quadric(A, b, c)
    assert info.name == name and info.dim == 3


def test_other_dimensions_report_rank_and_signature():
    info = dql.classify_quadric(D(1, 2, 3, -4), None, -1.0)
    assert info.name == "quadric" and info.rank == 4 and info.signature == (3, 1, 0)


def test_evaluate_quadric_single_and_batched():
    A, b, c = dql.conic_coefficients_to_quadric(1, 2, 3, 4, 5, 6)
    x = torch.tensor([[1.0, 2.0], [-1.0, 0.5]])
    expect = torch.tensor([1 + 2 * 2 + 3 * 4 + 4 + 10 + 6, 1 - 1 + 0.75 - 4 + 2.5 + 6])
    torch.testing.assert_close(dql.evaluate_quadric(A, b, c, x), expect)
    out = dql.evaluate_quadric(A[None].repeat(3, 1, 1), b[None].repeat(3, 1), c.repeat(3), x)
    assert out.shape == (2, 3)
    torch.testing.assert_close(out, expect[:, None].expand(2, 3))
    M = augmented_matrix(A, b, c)
    xh = torch.cat([x, torch.ones(2, 1)], 1)
    torch.testing.assert_close(torch.einsum("bi,ij,bj->b", xh, M, xh), expect)


def test_conic_coefficient_round_trip():
    coeffs = (1.5, -2.0, 0.25, 3.0, -1.0, 0.5)
    A, b, c = dql.conic_coefficients_to_quadric(*coeffs)
    assert dql.quadric_to_conic_coefficients(A, b, c) == pytest.approx(coeffs)


def test_as_quadric_of_linear_layer():
    layer = nn.Linear(3, 2)
    A, b, c = dql.as_quadric(layer)
    assert torch.count_nonzero(A) == 0 and A.shape == (2, 3, 3)
    x = torch.randn(4, 3)
    torch.testing.assert_close(dql.evaluate_quadric(A, b, c, x), layer(x))
    A, b, c = dql.as_quadric(nn.Linear(3, 2, bias=False))
    assert torch.count_nonzero(c) == 0


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"A must have shape \(\.\.\., n, n\), got \(2, 3\)"):
        dql.classify_quadric(torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"b must have shape \(2,\)"):
        dql.classify_quadric(torch.eye(2), torch.ones(3))
    with pytest.raises(ValueError, match="x must have last dimension n=2"):
        dql.evaluate_quadric(torch.eye(2), None, None, torch.ones(4, 3))
    with pytest.raises(ValueError, match="one quadric"):
        dql.classify_quadric(torch.ones(2, 2, 2))
    with pytest.raises(TypeError, match="nn.Linear or a quadric form"):
        dql.as_quadric(nn.ReLU())
