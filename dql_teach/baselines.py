"""Baselines found by search, not by training: the most accurate line on 2-D data.

A trained perceptron minimises its loss (cross-entropy), not its error count, so its line is
not the most accurate line there is. To say what *no* line can do, :func:`best_line` searches
all of them (up to the direction grid) for the one with the fewest errors on the given points.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ._checks import check_int
from .train import _threads

__all__ = ["best_line"]


def best_line(X: Tensor, y: Tensor, directions: int = 720) -> nn.Linear:
    """The line with the highest accuracy on 2-D points, by exhaustive search.

    For each of ``directions`` unit normals ``n`` evenly spread over the circle, every cut
    between two neighbouring projections ``n·x`` (and the cuts below and above all of them) is
    scored, class 1 on the side ``n·x > t``; the best cut of the best direction wins. The
    search is exact up to the direction grid: a finer grid can only find a line as good or
    better. Evaluated with :func:`dql_teach.evaluate`, the returned line reaches that accuracy
    (the cut lies halfway between two projections; only points closer than ``X``'s floating
    point precision could fall on the wrong side of it).

    Args:
        X: ``(N, 2)`` float points; y: ``(N,)`` labels 0 and 1.
        directions: how many normals to try, at least 4 (720: every half degree).

    Returns:
        An ``nn.Linear(2, 1)`` whose logit ``n·x - t`` is positive on the class-1 side; its
        weight is a unit vector.

    Raises:
        TypeError: ``X`` or ``y`` not tensors, ``directions`` not an int.
        ValueError: ``X`` not ``(N, 2)``, ``y`` not ``(N,)`` labels 0/1, no points,
            ``directions < 4``.

    Example:
        >>> X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        >>> y = torch.tensor([0, 1, 1, 0])  # XOR of two bits: no line gets all four
        >>> from dql_teach import evaluate
        >>> evaluate(best_line(X, y), X, y)
        0.75
    """
    for name, value in (("X", X), ("y", y)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"X must be points of shape (N, 2) with N >= 1, got {tuple(X.shape)}")
    if y.shape != (len(X),) or y.is_floating_point() or not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(
            f"y must hold one label 0 or 1 per point, shape ({len(X)},), got {y.dtype} "
            f"{tuple(y.shape)}"
        )
    directions = check_int("directions", directions, minimum=4)
    # one CPU thread: the search is small, and a second thread only spin-waits when another
    # process wants the core (six times slower on the book's 2-core machine, as in fit)
    with _threads(1):
        best, proj, normals = _search(X, y, directions)
    i, k = divmod(best, directions)
    p = proj[:, k]
    if i == 0:
        threshold = p[0] - 1.0
    elif i == len(p):
        threshold = p[-1] + 1.0
    else:
        threshold = (p[i - 1] + p[i]) / 2
    line = nn.Linear(2, 1, dtype=X.dtype, device=X.device)
    with torch.no_grad():
        line.weight.copy_(normals[k].reshape(1, 2))
        line.bias.fill_(-float(threshold))
    return line


def _search(X: Tensor, y: Tensor, directions: int) -> tuple[int, Tensor, Tensor]:
    """The flat index ``i * K + k`` of the best cut (after ``i`` points, direction ``k``), the
    sorted projections ``(N, K)`` and the normals ``(K, 2)``."""
    x = X.detach().double().cpu()
    labels = y.detach().cpu().double()
    angles = torch.arange(directions, dtype=torch.float64) * (2 * math.pi / directions)
    normals = torch.stack([angles.cos(), angles.sin()], 1)  # (K, 2)
    proj, order = (x @ normals.T).sort(0)  # (N, K): each direction's projections, ascending
    ones = labels[order]  # (N, K): the labels in that order
    # a cut after the first i points (i = 0..N) calls those class 0 and the rest class 1
    none = torch.zeros(1, directions, dtype=torch.float64)  # the counts before any point
    zeros_below = torch.cat([none, torch.cumsum(1 - ones, 0)])
    ones_above = ones.sum(0) - torch.cat([none, torch.cumsum(ones, 0)])
    correct = zeros_below + ones_above  # (N + 1, K)
    # a cut between two equal projections cannot be drawn: score it out
    inner = proj[1:] > proj[:-1]  # (N - 1, K)
    valid = torch.cat([torch.ones(1, directions, dtype=torch.bool), inner,
                       torch.ones(1, directions, dtype=torch.bool)])  # fmt: skip
    correct = torch.where(valid, correct, torch.tensor(-1.0, dtype=torch.float64))
    return int(correct.argmax()), proj, normals  # the first best wins
