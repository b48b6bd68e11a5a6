"""Fair comparisons of architectures: networks built from form names, trained over seeds.

A single training run says little: the split and the initialisation each move a small
network's test accuracy by a point or more. :func:`run_seeds` trains one fresh network per
seed (the seed fixes both the split and the initial weights, so every architecture sees the
same splits) and keeps every test accuracy; :func:`pareto_front` and :func:`smallest_reaching`
turn a set of such results into the questions episode 4 asks: which models are not beaten by
a smaller one, and what is the smallest network of a family that reaches a given accuracy.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .analysis import count_connections, count_parameters
from .data import train_test_split
from .forms.registry import make_mlp
from .train import evaluate, fit

__all__ = ["SeedResult", "make_mlp", "pareto_front", "run_seeds", "smallest_reaching"]


@dataclass
class SeedResult:
    """Test accuracies of one architecture, one per seed, and the trained models."""

    name: str
    params: int
    connections: int
    seeds: list[int] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    models: list[nn.Module] = field(default_factory=list, repr=False)

    @property
    def mean(self) -> float:
        """Mean test accuracy over the seeds."""
        return statistics.fmean(self.accuracies)

    @property
    def std(self) -> float:
        """Sample standard deviation of the test accuracy (0 for a single seed)."""
        return statistics.stdev(self.accuracies) if len(self.accuracies) > 1 else 0.0

    def __str__(self) -> str:
        return (
            f"{self.name:22s} {self.params:5d} params {self.connections:5d} conn.  "
            f"{self.mean:6.1%} ± {self.std:.1%}"
        )


def run_seeds(
    name: str,
    build: Callable[[], nn.Module],
    X: Tensor,
    y: Tensor,
    seeds: Iterable[int] = (0, 1, 2),
    test_size: float = 0.25,
    **fit_options,
) -> SeedResult:
    """Train a fresh ``build()`` once per seed and record its test accuracy.

    Seed ``s`` fixes the stratified split (:func:`dql_teach.train_test_split`) and, through
    ``torch.manual_seed(s)``, the initial weights, so two architectures run with the same seeds
    are compared on the same splits. The global torch seed is left as seed's last value.

    Args:
        name: a label for tables and plots.
        build: makes a new untrained model each time it is called.
        X: ``(N, ...)`` samples; y: ``(N,)`` integer labels.
        seeds: one training run per seed.
        test_size: the fraction of samples held out for the test accuracy.
        fit_options: passed to :func:`dql_teach.fit` (``epochs``, ``lr``...); its progress
            bar is off unless asked for.

    Returns:
        A :class:`SeedResult` with one accuracy and one trained model per seed.

    Example:
        >>> from dql_teach import make_dataset
        >>> X, y = make_dataset("circles", n_samples=100)
        >>> r = run_seeds("quadric", lambda: make_mlp([2, 1], "full"), X, y, seeds=[0, 1],
        ...               epochs=50, lr=0.1)
        >>> r.params, len(r.accuracies)
        (6, 2)
    """
    if isinstance(build, nn.Module) or not callable(build):
        # a module is callable too, but training it per seed would reuse one set of weights
        raise TypeError(
            f"build must be a function that returns a new model (lambda: ...), got "
            f"{type(build).__name__}"
        )
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    fit_options.setdefault("progress", False)
    result: SeedResult | None = None
    for seed in seeds:
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size, seed=seed)
        torch.manual_seed(seed)
        model = build()
        if result is None:
            result = SeedResult(name, count_parameters(model), count_connections(model))
        fit(model, X_train, y_train, **fit_options)
        result.seeds.append(seed)
        result.accuracies.append(evaluate(model, X_test, y_test))
        result.models.append(model)
    assert result is not None
    return result


def pareto_front(results: Iterable[SeedResult]) -> list[SeedResult]:
    """The results that no other result beats with as few or fewer parameters.

    Returns:
        Those results by increasing parameter count (and increasing mean accuracy).

    Example:
        >>> small, big, worse = (SeedResult(n, p, 0, accuracies=[a])
        ...                      for n, p, a in [("s", 10, .8), ("b", 50, .9), ("w", 60, .85)])
        >>> [r.name for r in pareto_front([big, worse, small])]
        ['s', 'b']
    """
    front: list[SeedResult] = []
    for r in sorted(results, key=lambda r: (r.params, -r.mean)):
        if not front or r.mean > front[-1].mean:
            front.append(r)
    return front


def smallest_reaching(results: Iterable[SeedResult], accuracy: float) -> SeedResult | None:
    """The result with the fewest parameters whose mean accuracy is at least ``accuracy``.

    Returns:
        That result, or ``None`` when none reaches it.
    """
    good = [r for r in results if r.mean >= accuracy]
    return min(good, key=lambda r: (r.params, -r.mean)) if good else None
