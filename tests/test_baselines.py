"""best_line: the most accurate line on 2-D points, found by exhaustive search."""

import itertools
import math

import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach import best_line, evaluate


def brute_force_accuracy(X, y, directions):
    """The same search written out naively: every direction, every threshold between points."""
    best = 0.0
    for k in range(directions):
        angle = 2 * math.pi * k / directions
        n = torch.tensor([math.cos(angle), math.sin(angle)], dtype=torch.float64)
        p = X.double() @ n
        values = sorted(set(p.tolist()))
        cuts = [values[0] - 1] + [(a + b) / 2 for a, b in itertools.pairwise(values)]
        cuts.append(values[-1] + 1)
        for t in cuts:
            best = max(best, ((p > t).long() == y).double().mean().item())
    return best


def test_xor_of_two_bits_gets_three_of_four():
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([0, 1, 1, 0])
    line = best_line(X, y)
    assert isinstance(line, nn.Linear) and line.in_features == 2 and line.out_features == 1
    assert evaluate(line, X, y) == 0.75
    assert torch.linalg.norm(line.weight).item() == pytest.approx(1.0)


def test_separable_points_are_separated():
    X, y = dql.make_dataset("gaussians", n_samples=200, seed=0)
    X = X + torch.tensor([4.0, 0.0]) * y[:, None]  # push class 1 far to the right
    assert evaluate(best_line(X, y), X, y) == 1.0


def test_one_class_is_all_on_one_side():
    X = torch.randn(10, 2)
    for label in (0, 1):
        y = torch.full((10,), label)
        assert evaluate(best_line(X, y, directions=4), X, y) == 1.0


@pytest.mark.parametrize("name", ["xor", "circles", "moons"])
def test_matches_a_naive_search_and_beats_a_trained_perceptron(name):
    X, y = dql.make_dataset(name, n_samples=60, seed=1)
    line = best_line(X, y, directions=36)
    found = evaluate(line, X, y)
    assert found == pytest.approx(brute_force_accuracy(X, y, 36))
    # the finer grid can only do as well or better
    assert evaluate(best_line(X, y, directions=360), X, y) >= found
    torch.manual_seed(0)
    perceptron = nn.Linear(2, 1)
    dql.fit(perceptron, X, y, epochs=300, lr=0.05, progress=False)
    assert evaluate(best_line(X, y, directions=720), X, y) >= evaluate(perceptron, X, y)


@pytest.mark.parametrize("seed", range(5))
def test_repeated_points_do_not_get_an_impossible_cut(seed):
    # points on a 3 x 3 grid, many on the same spot with different labels: a cut between two
    # equal projections cannot be drawn, so the line found must reach what the search claims
    g = torch.Generator().manual_seed(seed)
    X = torch.randint(0, 3, (40, 2), generator=g).float()
    y = torch.randint(0, 2, (40,), generator=g)
    assert evaluate(best_line(X, y, directions=36), X, y) == pytest.approx(
        brute_force_accuracy(X, y, 36)
    )


def test_wrong_arguments():
    X, y = torch.zeros(4, 2), torch.tensor([0, 1, 0, 1])
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        best_line(X.numpy(), y)
    with pytest.raises(ValueError, match=r"X must be points of shape \(N, 2\)"):
        best_line(torch.zeros(4, 3), y)
    with pytest.raises(ValueError, match="y must hold one label 0 or 1"):
        best_line(X, torch.tensor([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="y must hold one label 0 or 1"):
        best_line(X, y.float())
    with pytest.raises(TypeError, match="directions must be an int"):
        best_line(X, y, directions=7.5)
    with pytest.raises(ValueError, match="directions must be an int >= 4"):
        best_line(X, y, directions=3)
