"""The facts episode 2 (book/02_single_neuron.ipynb) states, checked outside the notebook.

Each test names the section whose claim it checks; the notebook computes the numbers it shows,
these tests make sure the claims behind them hold beyond the one run the page shows.
"""

import functools

import pytest
import torch
from torch import nn

import dql_teach as dql


def test_2_3_a_quadratic_gradient_is_a_linear_one_times_one_input():
    """d q / d w_ij = x_i x_j and d q / d b_i = x_i: the ratio is x_j, one input, so inputs
    of size 10 give quadratic gradients 10 (not 100) times the linear ones."""
    torch.manual_seed(0)
    layer = dql.QuadricLinear(3, 1)
    x = torch.randn(1, 3, dtype=torch.float64) * 10
    layer = layer.double()
    layer(x).sum().backward()
    rows, cols = torch.triu_indices(3, 3)
    quad, lin = layer.weight_quad.grad[0], layer.weight.grad[0]
    assert torch.allclose(quad, x[0, rows] * x[0, cols])
    assert torch.allclose(lin, x[0])
    assert torch.allclose(quad / lin[rows], x[0, cols])  # the ratio is one input
    # the point of the episode's table: x = (s, s)
    for s in (1.0, 10.0):
        layer.zero_grad()
        layer(torch.full((1, 3), s, dtype=torch.float64)).sum().backward()
        assert torch.allclose(
            layer.weight_quad.grad / layer.weight.grad[:, :1], torch.tensor(s).double()
        )


def test_2_4_the_plain_pytorch_loop_is_what_fit_does():
    X, y = dql.make_dataset("circles", n_samples=200, seed=0)
    X_train, _, y_train, _ = dql.train_test_split(X, y, seed=0)
    torch.manual_seed(0)
    model = dql.QuadricLinear(2, 1)
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(50):
        loss = loss_fn(model(X_train)[:, 0], y_train.float())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    torch.manual_seed(0)
    same = dql.QuadricLinear(2, 1)
    history = dql.fit(same, X_train, y_train, epochs=50, lr=0.05, progress=False)
    assert torch.allclose(torch.tensor(history.loss), torch.tensor(losses))
    for p, q in zip(model.parameters(), same.parameters()):
        assert torch.allclose(p, q)


def test_2_5_one_fan_neuron_reaches_every_symmetric_2x2_matrix():
    """u = (1, 0), v = (0, 2 a12), q = (a11, a22): sym(u v^T) + diag(q) = A, for any A."""
    gen = torch.Generator().manual_seed(0)
    fan = dql.FanQuadric(2, 1, dtype=torch.float64)
    for _ in range(20):
        a11, a12, a22 = (torch.randn(3, generator=gen, dtype=torch.float64) * 3).tolist()
        with torch.no_grad():
            fan.weight_u.copy_(torch.tensor([[1.0, 0.0]]))
            fan.weight_v.copy_(torch.tensor([[0.0, 2 * a12]]))
            fan.weight_sq.copy_(torch.tensor([[a11, a22]]))
        A = fan.as_quadric()[0][0]
        assert torch.allclose(A, dql.conic_to_quadric(a11, a12, a22, dtype=torch.float64)[0])


def test_2_5_fan_moves_a_in_3n_minus_1_directions_too_few_from_five_inputs_on():
    """3n numbers, but (t u, v / t) is the same neuron: the Jacobian of (u, v, q) -> A has rank
    min(3n - 1, n(n+1)/2), below the entries of a symmetric A exactly from n = 5 on."""
    from torch.func import functional_call, jacrev

    torch.manual_seed(0)
    for n in range(2, 9):
        fan = dql.FanQuadric(n, 1, bias=False, dtype=torch.float64)
        assert dql.count_parameters(fan) == 3 * n  # u, v, q
        dql.randomize_(fan)
        params = {k: p.detach() for k, p in fan.named_parameters()}
        X = torch.randn(n * (n + 1), n, dtype=torch.float64)  # outputs determine A
        J = jacrev(lambda p, fan=fan, X=X: functional_call(fan, p, (X,)))(params)
        J = torch.cat([j.reshape(len(X), -1) for j in J.values()], 1)
        rank, entries = torch.linalg.matrix_rank(J).item(), n * (n + 1) // 2
        assert rank == min(3 * n - 1, entries)
        assert (rank < entries) == (n >= 5)


def test_2_2_the_constant_after_completing_the_square_is_det_m_over_det_a():
    """c' = c - b^T A^{-1} b / 4 is the Schur complement of A in M: det M / det A."""
    gen = torch.Generator().manual_seed(0)
    for n in (2, 3, 4):
        for _ in range(10):
            S = torch.randn(n, n, generator=gen, dtype=torch.float64)
            A = S + S.T + 0.5 * torch.eye(n, dtype=torch.float64)
            b = torch.randn(n, generator=gen, dtype=torch.float64)
            c = torch.randn((), generator=gen, dtype=torch.float64)
            _, c_prime = dql.complete_square(A, b, c)
            M = dql.quadric.augmented_matrix(A, b, c)
            ratio = torch.linalg.det(M) / torch.linalg.det(A)
            assert torch.allclose(c_prime, ratio)
            assert torch.allclose(c_prime, c - b @ torch.linalg.solve(A, b) / 4)


def test_exercise_4_the_gaussians_bayes_boundary_is_a_tilted_ellipse():
    """The solution's claim: A = (P0 - P1) / 2 is positive definite with off-diagonal
    entries, so the boundary is an ellipse whose axes are far from the coordinate axes."""
    import math

    A, b, c = dql.data.GAUSSIANS.bayes_quadric(dtype=torch.float64)
    P0, P1 = (torch.linalg.inv(torch.tensor(dql.data.GAUSSIANS.covariance(k))) for k in (0, 1))
    assert torch.allclose(A, (P0 - P1) / 2)
    assert (torch.linalg.eigvalsh(P0 - P1) > 0).all() and (P0 - P1)[0, 1].abs() > 1
    info = dql.classify_quadric(A, b, c)
    assert info.name == "ellipse"
    # the angle of each principal axis to the nearest coordinate axis
    for v in info.eigenvectors.T:
        angle = math.degrees(math.atan2(abs(v[1]), abs(v[0])))
        assert 20 < angle < 70


def test_2_5_the_low_rank_lambdas_are_eigenvalues_only_for_orthonormal_q():
    """Unconstrained Q_k: rank <= k and the signs of Λ_k (Sylvester's law of inertia), but not
    the values; with orthonormal columns A's nonzero eigenvalues are exactly Λ_k / k."""
    torch.manual_seed(0)
    low = dql.LowRankQuadric(4, 1, rank=2, dtype=torch.float64)
    dql.randomize_(low)
    lam = low.weight_lambda[0].detach().sort().values / low.rank
    eig = torch.linalg.eigvalsh(low.as_quadric()[0][0])  # ascending
    nonzero = eig[eig.abs() > 1e-9]
    assert len(nonzero) == 2
    assert torch.equal(torch.sign(nonzero), torch.sign(lam))
    assert not torch.allclose(nonzero, lam, atol=1e-3)
    with torch.no_grad():
        low.weight_q[0] = torch.linalg.qr(low.weight_q[0].T).Q.T
    eig = torch.linalg.eigvalsh(low.as_quadric()[0][0])
    assert torch.allclose(eig[eig.abs() > 1e-9], lam)


@pytest.fixture(scope="module")
def noisy_circles():
    # the episode's 2.5 data: the noise of the playground presets
    return dql.make_dataset("circles", n_samples=400, noise=0.1, seed=0)


def _ten_seeds(form, X, y, **options):
    build = functools.partial(dql.make_layer, form, 2, 1, **options)
    return dql.run_seeds(form, build, X, y, seeds=range(10), epochs=200, lr=0.1)


def test_2_5_a_lone_hadamard_neuron_fails_to_enclose_the_inner_ring(noisy_circles):
    """Its best is an open curve: well above chance, well below a full neuron, beyond the spread."""
    full = _ten_seeds("full", *noisy_circles)
    hadamard = _ten_seeds("hadamard", *noisy_circles)
    rank1 = _ten_seeds("lowrank", *noisy_circles, rank=1)
    assert full.min >= 0.97
    for r in (hadamard, rank1):
        assert 0.6 < r.mean < 0.85 and r.max < 0.9
        assert dql.beats(full, r)
        # and what they draw is never an ellipse
        for model in r.models:
            assert dql.classify_quadric(*dql.viz.quadric_of(model)).name not in (
                "ellipse",
                "circle",
            )


def test_exercise_1_the_answer_is_parallel_lines_from_eigenvalues_0_and_4():
    A, b, c = dql.conic_to_quadric(2, 2, 2, 0, 0, -1)
    assert torch.allclose(torch.linalg.eigvalsh(A), torch.tensor([0.0, 4.0]), atol=1e-6)
    assert dql.classify_quadric(A, b, c).name == "parallel lines"
    # the lines x1 + x2 = ±1/sqrt(2) lie on the conic
    t = torch.linspace(-2, 2, 5)
    for offset in (1 / 2**0.5, -(1 / 2**0.5)):
        points = torch.stack([t, offset - t], dim=1)
        assert torch.allclose(dql.evaluate_quadric(A, b, c, points), torch.zeros(5), atol=1e-5)


def test_exercise_3_the_answer_counts_the_parameters_of_n_64():
    n = 64
    full, diagonal = dql.QuadricLinear(n, 1), dql.DiagonalQuadric(n, 1)
    assert dql.count_parameters(full) == 2145
    assert dql.count_parameters(diagonal) == 129
    assert n * (n - 1) // 2 == 2016 and n * (n + 1) // 2 == 2080
    assert dql.count_parameters(full) - dql.count_parameters(diagonal) == 2016


def test_exercise_5_the_answer_is_two_sheets_around_0_0_minus_1():
    A = torch.diag(torch.tensor([1.0, 1.0, -1.0]))
    b = torch.tensor([0.0, 0.0, -2.0])
    centre, c_prime = dql.complete_square(A, b, 0.0)
    assert torch.allclose(centre, torch.tensor([0.0, 0.0, -1.0]))
    assert float(c_prime) == pytest.approx(1.0)
    assert dql.classify_quadric(A, b, torch.tensor(0.0)).name == "hyperboloid of two sheets"


@pytest.mark.parametrize(
    "u, v, q", [((1.0, 0.0), (0.0, 4.0), (1.0, -3.0)), ((1.0, 1.0), (1.0, 3.0), (0.0, -6.0))]
)
def test_exercise_6_both_answers_give_the_asked_a(u, v, q):
    fan = dql.FanQuadric(2, 1)
    with torch.no_grad():
        fan.weight_u.copy_(torch.tensor([u]))
        fan.weight_v.copy_(torch.tensor([v]))
        fan.weight_sq.copy_(torch.tensor([q]))
    A = fan.as_quadric()[0][0]
    assert torch.allclose(A, torch.tensor([[1.0, 2.0], [2.0, -3.0]]))
