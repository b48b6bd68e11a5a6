"""What one neuron of each form can and cannot separate (the facts DESIGN.md asks the book to show).

These are consequences of the math, not of tuning: each neuron is trained to convergence with Adam
on a fixed data set, over several seeds.
"""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_circles
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from torch import nn

import dql_teach as dql
from dql_teach.train import evaluate, fit

SEEDS = [0, 1, 2]


@pytest.fixture(scope="module")
def circles():
    X, y = make_circles(1000, noise=0.05, factor=0.5, random_state=0)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


@pytest.fixture(scope="module")
def xor():
    """XOR: label = 1 where x1 * x2 > 0; the Bayes boundary is the conic x1 * x2 = 0."""
    X = np.random.RandomState(0).uniform(-1, 1, size=(1000, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


def one_neuron_accuracy(cls, X, y, seed):
    torch.manual_seed(seed)
    model = cls(2, 1)
    fit(model, X, y, epochs=1500, lr=0.05, progress=False)
    return evaluate(model, X, y)


def test_one_linear_neuron_cannot_separate_circles(circles):
    """A hyperplane (a line here) splits the plane in two half-planes, and each holds points of
    both circles. Trained by cross-entropy on these centred rings a line stays near chance; even
    the most accurate line (dql.best_line: it cuts a cap off the outer ring) gets only about two
    thirds right."""
    X, y = circles
    for seed in SEEDS:
        assert one_neuron_accuracy(nn.Linear, X, y, seed) < 0.6
    assert 0.6 < evaluate(dql.best_line(X, y), X, y) < 0.75


@pytest.mark.parametrize("cls", [dql.QuadricLinear, dql.FanQuadric])
def test_one_quadric_neuron_separates_circles_like_polynomial_logistic_regression(cls, circles):
    """A full (or Fan) quadric neuron can draw the circle x² + y² = r² between the two classes. With
    a sigmoid it is the same model class as degree-2 polynomial features + logistic regression, so
    both reach the same accuracy."""
    X, y = circles
    sk = make_pipeline(PolynomialFeatures(2), LogisticRegression(C=1e4, max_iter=5000))
    sk_accuracy = sk.fit(X.numpy(), y.numpy()).score(X.numpy(), y.numpy())
    for seed in SEEDS:
        accuracy = one_neuron_accuracy(cls, X, y, seed)
        assert accuracy >= 0.98
        assert abs(accuracy - sk_accuracy) <= 0.02


def test_one_hadamard_neuron_cannot_separate_circles(circles):
    """A Hadamard neuron's A = sym(u v^T) has rank <= 2 with eigenvalues of opposite sign (or
    one zero): its boundary is a hyperbola, a parabola or a pair of lines, never a closed curve, so
    it cannot enclose the inner circle. The best it does is a strip or a parabola that cuts off part
    of the outer ring (well below 90% here)."""
    X, y = circles
    for seed in SEEDS:
        assert one_neuron_accuracy(dql.HadamardQuadric, X, y, seed) < 0.9


def test_xor_needs_the_mixed_term(xor):
    """XOR's boundary x1 x2 = 0 is the mixed term itself. A full quadric neuron has it; Deep Quadric
    Learning's diagonal neuron (squares only, no x1 x2) draws only axis-aligned conics and fails."""
    X, y = xor
    for seed in SEEDS:
        assert one_neuron_accuracy(dql.QuadricLinear, X, y, seed) >= 0.97
        assert one_neuron_accuracy(dql.DiagonalQuadric, X, y, seed) < 0.7


def test_diagonal_neuron_solves_xor_after_rotating_the_inputs(xor):
    """Dropping the mixed term loses nothing up to a rotation: rotated by 45°, x1 x2 becomes
    (u² − v²)/2, which the diagonal neuron can draw."""
    X, y = xor
    c = 2**-0.5
    rotation = torch.tensor([[c, -c], [c, c]])
    for seed in SEEDS:
        assert one_neuron_accuracy(dql.DiagonalQuadric, X @ rotation, y, seed) >= 0.97
