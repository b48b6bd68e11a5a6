"""dql_teach.quadric: evaluation, conic coefficients, eigen form, classification of quadrics."""

import math

import numpy as np
import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach.quadric import augmented_matrix, signature

D = lambda *v: torch.diag(torch.tensor(v, dtype=torch.float64))  # noqa: E731
Q = dql.conic_to_quadric

# (a11, a12, a22, b1, b2, c): a11 x1² + 2 a12 x1 x2 + a22 x2² + b1 x1 + b2 x2 + c
CONICS = [
    ((1, 0, 1, 0, 0, -1), "circle", False),  # x1² + x2² = 1
    ((1, 0, -1, 0, 0, -1), "hyperbola", False),  # x1² − x2² = 1
    ((1, 0, 0, 0, -1, 0), "parabola", False),  # x2 = x1²
    ((1, 0, 0, 0, 0, 0), "double line", True),  # x1² = 0
    ((1, 0.5, 2, 0, 0, -1), "ellipse", False),  # x1² + x1 x2 + 2 x2² = 1, tilted
    ((0, 0.5, 0, 0, 0, -1), "hyperbola", False),  # x1 x2 = 1
    ((1, 0, 1, 0, 0, 1), "empty", True),  # x1² + x2² = −1
    ((1, 0, 1, 0, 0, 0), "point", True),
    ((1, 0, -1, 0, 0, 0), "intersecting lines", True),
    ((1, 0, 0, 0, 0, -1), "parallel lines", True),
    ((0, 0, 0, 1, 1, -1), "line", True),  # A = 0: x1 + x2 = 1
]
SURFACES = [
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
]


@pytest.mark.parametrize("coeffs, name, degenerate", CONICS)
def test_textbook_conics(coeffs, name, degenerate):
    info = dql.classify_quadric(*Q(*coeffs))
    assert info.name == name
    assert info.degenerate is degenerate
    assert info.dim == 2


def test_conic_notation_is_the_entries_of_A_b_and_c():
    # a11 x1² + 2 a12 x1 x2 + a22 x2² + b1 x1 + b2 x2 + c, with A = [[a11, a12], [a12, a22]]
    coeffs = (1.5, -2.0, 0.25, 3.0, -1.0, 0.5)
    A, b, c = Q(*coeffs)
    torch.testing.assert_close(A, torch.tensor([[1.5, -2.0], [-2.0, 0.25]]))
    torch.testing.assert_close(b, torch.tensor([3.0, -1.0]))
    assert float(c) == 0.5
    x = torch.tensor([[0.3, -0.7], [2.0, 1.0]])
    x1, x2 = x.T
    poly = 1.5 * x1**2 + 2 * -2.0 * x1 * x2 + 0.25 * x2**2 + 3.0 * x1 - 1.0 * x2 + 0.5
    torch.testing.assert_close(dql.evaluate_quadric(A, b, c, x), poly)
    assert dql.quadric_to_conic(A, b, c) == pytest.approx(coeffs)
    # only A's symmetric part is seen: a12 is the mean of the off-diagonal entries
    assert dql.quadric_to_conic(torch.tensor([[1.0, 1.0], [0.0, 2.0]]))[1] == 0.5
    assert Q(1, 0, 1)[2].shape == ()  # b and c default to zero
    with pytest.raises(ValueError, match="a12 must be a finite number"):
        Q(1, float("nan"), 1)
    with pytest.raises(ValueError, match="single 2x2"):
        dql.quadric_to_conic(torch.eye(3), torch.zeros(3), 0.0)


def test_rank_signature_and_axes():
    A, b, c = Q(1, 0, -1, 0, 0, -1)
    info = dql.classify_quadric(A, b, c)
    assert info.rank == 2 and info.signature == (1, 1, 0)
    torch.testing.assert_close(info.eigenvalues, torch.tensor([-1.0, 1.0]))
    # a rotated ellipse: its principal axes are the rotation's columns
    R = dql.rotation_matrix(30.0, dtype=torch.float64)
    A = R @ D(1.0, 4.0) @ R.T
    info = dql.classify_quadric(A, None, -1.0)
    assert info.name == "ellipse" and info.signature == (2, 0, 0)
    torch.testing.assert_close(info.eigenvectors.abs(), R.abs())
    assert dql.classify_quadric(*Q(1, 0, 0, 0, -1, 0)).signature == (1, 0, 1)


def test_tolerance_decides_what_counts_as_zero():
    A = D(1.0, 1e-9)
    assert dql.classify_quadric(A, None, -1.0, tol=1e-6).name == "parallel lines"
    assert dql.classify_quadric(A, None, -1.0, tol=1e-12).name == "ellipse"
    assert signature(D(2.0, -3.0, 0.0)) == (1, 1, 1)
    assert signature(1e-9 * D(2.0, -3.0, 0.0)) == (1, 1, 1)  # relative: scale-free
    assert dql.classify_quadric(D(1.0, 1.0 + 1e-9), None, -1.0, tol=1e-6).name == "circle"


@pytest.mark.parametrize("tol", [float("nan"), float("inf"), -1e-3])
def test_tolerance_must_be_a_finite_non_negative_number(tol):
    with pytest.raises(ValueError, match="tol must be"):
        dql.classify_quadric(torch.eye(2), None, -1.0, tol=tol)


@pytest.mark.parametrize("tol", ["1e-3", True, [1e-3]])
def test_tolerance_must_be_a_number(tol):
    with pytest.raises(TypeError, match="tol must be a number"):
        dql.classify_quadric(torch.eye(2), None, -1.0, tol=tol)


@pytest.mark.parametrize("A, b, c, name", SURFACES)
def test_3d_quadrics(A, b, c, name):
    b = None if b is None else torch.tensor(b, dtype=torch.float64)
    info = dql.classify_quadric(A, b, c)
    assert info.name == name and info.dim == 3


SCALES = [1e-12, 1e-6, 1.0, 1e6, 1e12, -1e-12, -1.0, -1e12]
DTYPES = [torch.float32, torch.float64, torch.bfloat16]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("scale", SCALES)
def test_the_name_does_not_depend_on_scale_or_dtype(scale, dtype):
    """q = 0 and s q = 0 are the same set, for every s != 0 and every floating dtype."""
    for coeffs, name, degenerate in CONICS:
        A, b, c = (scale * t.double() for t in Q(*coeffs))
        info = dql.classify_quadric(A.to(dtype), b.to(dtype), c.to(dtype))
        assert (info.name, info.degenerate) == (name, degenerate), (coeffs, scale, dtype)
    for A, b, c, name in SURFACES:
        b = torch.zeros(3) if b is None else torch.tensor(b)
        A, b, c = (scale * torch.as_tensor(t, dtype=torch.float64).to(dtype) for t in (A, b, c))
        assert dql.classify_quadric(A, b, c).name == name, (name, scale, dtype)


def test_tiny_coefficients_are_not_zero_and_equal_eigenvalues_are_relative():
    # the defects: an absolute 1e-6 floor made these 'zero everywhere' (float32) or 'circle'
    for dtype in (torch.float32, torch.float64):
        A = torch.diag(torch.tensor([1e-6, 2e-6], dtype=dtype))
        assert dql.classify_quadric(A, None, torch.tensor(-1e-6, dtype=dtype)).name == "ellipse"
        assert dql.classify_quadric(A[:1, :1].expand(2, 2) * torch.eye(2, dtype=dtype), None,
                                    -1e-6).name == "circle"  # fmt: skip
    # bfloat16's 100 epsilons (0.78) made every eigenvalue of diag(1, 2) count as zero
    A = torch.diag(torch.tensor([1.0, 2.0], dtype=torch.bfloat16))
    assert dql.classify_quadric(A, None, -1.0).name == "ellipse"
    assert dql.quadric.default_tolerance(A) == 1e-2
    info = dql.classify_quadric(1e6 * D(1.0, 4.0), None, -1e6)
    torch.testing.assert_close(info.eigenvalues, torch.tensor([1e6, 4e6], dtype=torch.float64))


@pytest.mark.parametrize(
    "A, b, c, bad",
    [
        (torch.tensor([[1.0, float("nan")], [0.0, 1.0]]), None, -1.0, "A"),
        (torch.eye(2), None, float("nan"), "c"),
        (torch.eye(2), torch.tensor([float("nan"), 0.0]), -1.0, "b"),
        (torch.eye(2), None, float("inf"), "c"),
        (torch.full((3, 3), float("-inf")), None, 0.0, "A"),
    ],
)
def test_non_finite_coefficients_are_a_value_error_naming_them(A, b, c, bad):
    # they gave 'zero everywhere' (NaN in A), 'point' (NaN c), LinAlgError from eigh (NaN b)
    with pytest.raises(ValueError, match=f"{bad} must be finite"):
        dql.classify_quadric(A, b, c)


def test_complex_coefficients_are_a_type_error():
    with pytest.raises(TypeError, match="A must be real"):
        dql.classify_quadric(torch.eye(2, dtype=torch.complex64), None, -1.0)
    with pytest.raises(TypeError, match="c must be real"):
        dql.classify_quadric(torch.eye(2), None, np.complex128(1 + 1j))
    with pytest.raises(TypeError, match="b must be"):
        dql.classify_quadric(torch.eye(2), "x", 1.0)


def test_non_finite_layer_weights_are_a_value_error():
    layer = dql.QuadricLinear(2, 1)
    with torch.no_grad():
        layer.weight_quad.fill_(float("nan"))
    with pytest.raises(ValueError, match="A must be finite"):
        dql.classify_quadric(*(t[0] for t in layer.as_quadric()))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_no_real_points_are_reported_in_every_dimension(n):
    # x·x + 1 = 0 and x1² + 1 = 0 have no real solution: empty and degenerate
    for A in (torch.eye(n), torch.diag(torch.tensor([1.0] + [0.0] * (n - 1)))):
        for scale in (1.0, -1e-9, 1e9):
            info = dql.classify_quadric(scale * A, None, scale * 1.0)
            assert info.empty and info.degenerate and info.name == "empty", (n, A, scale)
    # the same quadrics with -1: real points, and proper when A has full rank
    proper = dql.classify_quadric(torch.eye(n), None, -1.0)
    assert not proper.empty and not proper.degenerate
    assert proper.name == {1: "two points", 2: "circle", 3: "sphere"}.get(n, "quadric")


def test_other_dimensions_name_degenerate_and_constant_quadrics():
    info = dql.classify_quadric(D(1, 2, 3, -4), None, -1.0)
    assert info.name == "quadric" and info.rank == 4 and info.signature == (3, 1, 0)
    assert dql.classify_quadric(D(1, -1, 0, 0), None, 0.0).name == "degenerate"
    assert dql.classify_quadric(torch.zeros(4, 4), None, 0.0).name == "zero everywhere"
    const = dql.classify_quadric(torch.zeros(4, 4), None, 2.0)
    assert const.empty and const.name == "empty"
    assert dql.classify_quadric(torch.zeros(2, 2), None, 2.0).name == "no curve"  # empty too
    assert dql.classify_quadric(torch.zeros(2, 2), None, 2.0).empty
    # on the line: a x² + b x + c
    names = {(1, 0, 0): "point", (0, 1, 0): "point", (1, 0, 1): "empty", (0, 0, 1): "empty",
             (0, 0, 0): "zero everywhere", (1, 0, -1): "two points"}  # fmt: skip
    for (a, b, c), name in names.items():
        assert dql.classify_quadric(D(a), torch.tensor([b], dtype=torch.float64), c).name == name


def test_evaluate_quadric_single_and_batched():
    A, b, c = Q(1, 1, 3, 4, 5, 6)  # x² + 2xy + 3y² + 4x + 5y + 6
    x = torch.tensor([[1.0, 2.0], [-1.0, 0.5]])
    expect = torch.tensor([1 + 2 * 2 + 3 * 4 + 4 + 10 + 6, 1 - 1 + 0.75 - 4 + 2.5 + 6])
    torch.testing.assert_close(dql.evaluate_quadric(A, b, c, x), expect)
    out = dql.evaluate_quadric(A[None].repeat(3, 1, 1), b[None].repeat(3, 1), c.repeat(3), x)
    assert out.shape == (2, 3)
    torch.testing.assert_close(out, expect[:, None].expand(2, 3))
    M = augmented_matrix(A, b, c)
    xh = torch.cat([x, torch.ones(2, 1)], 1)
    torch.testing.assert_close(torch.einsum("bi,ij,bj->b", xh, M, xh), expect)
    # differentiable in every argument (episode 2 checks its gradients with autograd)
    A2, b2, c2, x2 = (t.clone().double().requires_grad_() for t in (A, b, c, x))
    assert torch.autograd.gradcheck(dql.evaluate_quadric, (A2, b2, c2, x2))
    # array-likes are points too (this was an error from deep inside torch)
    torch.testing.assert_close(dql.evaluate_quadric(A, b, c, x.numpy()), expect)
    torch.testing.assert_close(dql.evaluate_quadric(A, b, c, x.tolist()), expect)


def test_eigen_form_and_rotation_round_trip():
    R = dql.rotation_matrix(90.0)
    torch.testing.assert_close(R, torch.tensor([[0.0, -1.0], [1.0, 0.0]]), atol=1e-7, rtol=0)
    for angle in (-85.0, -30.0, 0.0, 45.0, 60.0):
        A = dql.eigen_to_matrix([-1.0, 2.5], angle, dtype=torch.float64)
        assert torch.equal(A, A.T)
        (l1, l2), back = dql.matrix_to_eigen(A)
        assert (l1, l2, back) == pytest.approx((-1.0, 2.5, angle))
        # the first eigenvector is the x1 axis turned by the angle
        t = math.radians(angle)
        v = torch.tensor([math.cos(t), math.sin(t)], dtype=torch.float64)
        torch.testing.assert_close(A @ v, -1.0 * v)
    # an axis has no direction: 120 degrees is -60
    assert dql.matrix_to_eigen(dql.eigen_to_matrix([1.0, 2.0], 120.0))[1] == pytest.approx(-60.0)
    assert dql.matrix_to_eigen(torch.eye(2)) == ((1.0, 1.0), 0.0)
    # three eigenvalues: turned about the x3 axis, which stays an eigenvector
    A3 = dql.eigen_to_matrix([1.0, 2.0, -3.0], 30.0, dtype=torch.float64)
    torch.testing.assert_close(A3[2], torch.tensor([0.0, 0.0, -3.0], dtype=torch.float64))
    torch.testing.assert_close(A3[:2, :2], dql.eigen_to_matrix([1.0, 2.0], 30.0, torch.float64))
    with pytest.raises(ValueError, match="angle must be a finite number"):
        dql.eigen_to_matrix([1.0, 1.0], float("nan"))
    with pytest.raises(ValueError, match=r"eigenvalues\[1\] must be a finite number"):
        dql.eigen_to_matrix([1.0, float("inf")])
    with pytest.raises(ValueError, match=r"A must have shape \(2, 2\)"):
        dql.matrix_to_eigen(torch.eye(3))


def test_normalize_quadric_keeps_the_zero_set():
    A, b, c = Q(1, 0, 1, 0, 0, -4)
    An, bn, cn = dql.normalize_quadric(1e-300 * A.double(), 1e-300 * b.double(), -4e-300)
    assert An.dtype == torch.float64 and float(cn) == -1.0
    torch.testing.assert_close(An, A.double() / 4)
    zero = dql.normalize_quadric(torch.zeros(2, 2), None, 0.0)
    assert all(torch.count_nonzero(t) == 0 for t in zero)
    with pytest.raises(ValueError, match="c must be finite"):
        dql.normalize_quadric(torch.eye(2), None, float("nan"))


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


# -- complete_square ---------------------------------------------------------------------------
def test_complete_square_rewrites_q_around_its_centre():
    """q(x) == (x - x0)^T A (x - x0) + c' at random points, and x0 is where the gradient
    2 A x + b vanishes, for random invertible quadrics of every size."""
    gen = torch.Generator().manual_seed(0)
    for n in (1, 2, 3, 5):
        M = torch.randn(n, n, generator=gen, dtype=torch.float64)
        A, b, c = M + M.T, torch.randn(n, generator=gen, dtype=torch.float64), 0.7
        x0, c_prime = dql.complete_square(A, b, c)
        x = torch.randn(20, n, generator=gen, dtype=torch.float64)
        d = x - x0
        completed = torch.einsum("bi,ij,bj->b", d, A, d) + c_prime
        assert torch.allclose(dql.evaluate_quadric(A, b, c, x), completed)
        assert torch.allclose(2 * A @ x0 + b, torch.zeros(n, dtype=torch.float64), atol=1e-10)
        # the textbook formula for an invertible A
        assert torch.isclose(c_prime, c - b @ torch.linalg.solve(A, b) / 4)


def test_complete_square_decides_the_sheets_where_the_sign_of_c_does_not():
    """Eigenvalue signs (+, +, -): one sheet for c' < 0, a cone at 0, two sheets for c' > 0,
    whatever the sign of c; checked against classify_quadric on random quadrics."""
    gen = torch.Generator().manual_seed(1)
    names = {-1: "hyperboloid of one sheet", 0: "cone", 1: "hyperboloid of two sheets"}
    misled = 0
    for _ in range(200):
        Q = torch.linalg.qr(torch.randn(3, 3, generator=gen, dtype=torch.float64))[0]
        lam = torch.rand(3, generator=gen, dtype=torch.float64) + 0.2
        A = Q @ torch.diag(lam * torch.tensor([1.0, 1.0, -1.0], dtype=torch.float64)) @ Q.T
        b = torch.randn(3, generator=gen, dtype=torch.float64)
        c = float(torch.randn(1, generator=gen))
        _, c_prime = dql.complete_square(A, b, c)
        name = dql.classify_quadric(A, b, c).name
        assert name == names[int(torch.sign(c_prime))]
        misled += name != names[int(math.copysign(1, c))]
    assert misled > 20  # the sign of c alone names many of them wrongly
    # the example of episode 2: c < 0 but two sheets
    A = torch.diag(torch.tensor([1.0, 1.0, -1.0]))
    b = torch.tensor([0.0, 0.0, 1.0])
    x0, c_prime = dql.complete_square(A, b, -0.1)
    assert x0.tolist() == [0.0, 0.0, 0.5] and abs(c_prime.item() - 0.15) < 1e-6
    assert dql.classify_quadric(A, b, -0.1).name == "hyperboloid of two sheets"
    assert dql.classify_quadric(A, None, -0.1).name == "hyperboloid of one sheet"


def test_complete_square_with_a_zero_eigenvalue():
    # a cylinder has a line of centres: the one nearest the origin; its dtype is A's
    A = torch.diag(torch.tensor([1.0, 2.0, 0.0]))
    x0, c_prime = dql.complete_square(A, torch.tensor([2.0, 0.0, 0.0]), 0.5)
    assert x0.dtype == torch.float32 and x0.tolist() == [-1.0, 0.0, 0.0]
    assert c_prime.item() == -0.5
    # a paraboloid has no centre: b along the zero eigenvalue's eigenvector
    with pytest.raises(ValueError, match="no centre"):
        dql.complete_square(A, torch.tensor([0.0, 0.0, -1.0]), 0.0)
    # scale-invariant: the same centre for tiny and huge coefficients
    for s in (1e-30, 1e30):
        x0_s, c_s = dql.complete_square(
            A.double() * s, torch.tensor([2.0, 0, 0]).double() * s, 0.5 * s
        )
        assert torch.allclose(x0_s, x0.double()) and math.isclose(c_s.item(), -0.5 * s)
    with pytest.raises(ValueError, match="one quadric"):
        dql.complete_square(torch.eye(2).expand(3, 2, 2))
    with pytest.raises(ValueError, match="finite"):
        dql.complete_square(torch.eye(2), None, float("nan"))
