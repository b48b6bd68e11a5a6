"""How many times more parameters one family of networks needs than another to reach an
accuracy, with a bootstrap interval over the seeds (episode 4's question of a sweep).

The two families are sweeps of :class:`~dql_teach.results.SeedResult` run on the same seeds;
:func:`parameter_ratio` finds the smallest network of each that reaches the target
(:func:`~dql_teach.results.smallest_reaching`) and resamples the seeds to see how far that ratio
can move.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ._checks import check_int, check_number
from .results import SeedResult, _check_criterion, _results, _scores, smallest_reaching

__all__ = ["ParameterRatio", "parameter_ratio"]


@dataclass(frozen=True)
class ParameterRatio:
    """How many times more parameters family ``b`` needs than family ``a`` to reach a target.

    Attributes:
        ratio: ``smallest_b.params / smallest_a.params`` on all seeds; ``inf`` when only ``a``
            reaches the target, ``0`` when only ``b`` does, NaN when neither does.
        low, high: the bootstrap interval of the ratio at ``level`` (see
            :func:`parameter_ratio`).
        level: the interval's coverage, e.g. 0.9.
        smallest_a, smallest_b: the smallest network of each family that reaches the target
            on all seeds (``None``: none).
        undefined: the fraction of bootstrap samples in which neither family reached it
            (left out of the interval).
    """

    ratio: float
    low: float
    high: float
    level: float
    smallest_a: SeedResult | None
    smallest_b: SeedResult | None
    undefined: float

    @property
    def favours(self) -> str | None:
        """``"a"`` when the whole interval lies above 1 (``a`` needs fewer parameters),
        ``"b"`` when it lies below 1, ``None`` when the seeds cannot tell."""
        if self.low > 1:
            return "a"
        if self.high < 1:
            return "b"
        return None

    def __str__(self) -> str:
        return f"{self.ratio:.2g}x [{self.low:.2g}, {self.high:.2g}] ({self.level:.0%})"


def parameter_ratio(
    a: Iterable[SeedResult],
    b: Iterable[SeedResult],
    target: float,
    *,
    criterion: str = "mean",
    level: float = 0.9,
    samples: int = 2000,
    seed: int = 0,
) -> ParameterRatio:
    """The parameter ratio of the smallest networks of two families that reach ``target``,
    with a bootstrap interval over the seeds.

    Each family is a sweep of results (widths, say) run on the same seeds. On all seeds, the
    smallest network of each family whose ``criterion`` reaches ``target``
    (:func:`smallest_reaching`) gives ``ratio = b.params / a.params``: ``ratio > 1`` means
    family ``a`` gets there with fewer parameters. The spread comes from resampling the seeds:
    ``samples`` times, draw ``n`` of the ``n`` seeds with replacement (the same draw for every
    result, so the pairing by seed is kept), recompute every result's criterion on the draw,
    find each family's smallest network again, and take the ratio. ``low`` and ``high`` are the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of those ratios, taken as values that
    occurred (parameter counts are discrete). A family that does not reach the target on a draw
    needs "more than the sweep offers" there: the ratio is ``inf`` (only ``a`` reached it) or
    ``0`` (only ``b`` did), so the interval shows it. The target itself is held fixed.

    Args:
        a, b: the two families; every result must have the same seeds (at least two).
        target: the accuracy to reach.
        criterion: what must reach it, as in :func:`smallest_reaching`.
        level: the coverage of the interval, in ``(0, 1)``.
        samples: bootstrap draws.
        seed: seeds the draws (a local NumPy generator).

    Example:
        >>> def family(name, *rows):
        ...     return [SeedResult(f"{name} {p}", p, 0, seeds=[0, 1, 2, 3], accuracies=acc)
        ...             for p, acc in rows]
        >>> quadric = family("q", (10, [0.99, 0.98, 0.99, 0.97]))
        >>> linear = family("l", (10, [0.8, 0.8, 0.9, 0.8]), (30, [0.99, 0.98, 0.97, 0.99]))
        >>> r = parameter_ratio(quadric, linear, 0.95)
        >>> r.ratio, r.low, r.high, r.favours
        (3.0, 3.0, 3.0, 'a')
    """
    a, b = _results(a, "a"), _results(b, "b")
    target = check_number("target", target)
    criterion = _check_criterion(criterion)
    level = check_number("level", level, minimum=0, exclusive_minimum=True)
    if level >= 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    samples = check_int("samples", samples, minimum=1)
    if not a or not b:
        raise ValueError(f"a and b must each hold results, got {len(a)} and {len(b)}")
    seeds = a[0].seeds
    for r in a + b:
        if sorted(r.seeds) != sorted(seeds) or not r.seeds:
            raise ValueError(
                f"every result must have the same seeds to resample them together: "
                f"{a[0].name!r} has {seeds}, {r.name!r} has {r.seeds}"
            )
    if len(seeds) < 2:
        raise ValueError(f"resampling the seeds needs at least two, got {seeds}")
    acc = np.array([[r.by_seed[s] for s in seeds] for r in a + b])  # (R, n)
    params = np.array([r.params for r in a + b], dtype=np.float64)
    in_a = np.arange(len(a) + len(b)) < len(a)

    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    draws = rng.integers(0, len(seeds), size=(samples, len(seeds)))  # (B, n)
    scores = _scores(acc[:, draws].transpose(1, 0, 2), criterion)  # (B, R)
    cost = np.where(scores >= target, params, np.inf)  # (B, R); NaN scores never reach
    ratios = _ratio(cost[:, in_a].min(1), cost[:, ~in_a].min(1))  # (B,)
    defined = ratios[~np.isnan(ratios)]
    if defined.size:
        low = float(np.quantile(defined, (1 - level) / 2, method="lower"))
        high = float(np.quantile(defined, (1 + level) / 2, method="higher"))
    else:
        low = high = math.nan

    best_a = smallest_reaching(a, target, criterion)
    best_b = smallest_reaching(b, target, criterion)
    point = _ratio(
        np.array([best_a.params if best_a else np.inf]),
        np.array([best_b.params if best_b else np.inf]),
    )[0]
    undefined = 1 - defined.size / samples
    return ParameterRatio(float(point), low, high, level, best_a, best_b, undefined)


def _ratio(cost_a: np.ndarray, cost_b: np.ndarray) -> np.ndarray:
    """``cost_b / cost_a`` with ``inf`` for "not reached": inf / x = inf, x / inf = 0,
    inf / inf = NaN."""
    with np.errstate(invalid="ignore"):
        return cost_b / cost_a
