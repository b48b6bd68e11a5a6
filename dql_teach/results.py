"""Results of an architecture over seeds, and the questions episode 4 asks of a set of them.

A :class:`SeedResult` holds one test accuracy per seed (what :func:`dql_teach.run_seeds`
measured). Its spread is part of the answer: with ten seeds a small network's accuracy can move
by several points from seed to seed, and a comparison of means alone then crowns lucky runs.
Every query here therefore names the number it ranks by, a *criterion*:

``"mean"``
    the mean accuracy over the seeds;
``"mean-sem"``
    the mean minus one standard error of the mean (``std / sqrt(n)``): a cautious estimate
    of the mean, lower the fewer and the more scattered the seeds;
``"mean-std"``
    the mean minus one standard deviation: what a typical bad seed reaches;
``"min"``
    the worst seed.

:func:`pareto_front` ranks by ``"mean-sem"`` unless told otherwise, :func:`smallest_reaching`
by ``"mean"`` (its target is usually itself a mean). :func:`accuracy_gap` and :func:`beats`
compare two results seed by seed; :func:`dql_teach.ratio.parameter_ratio` builds on them to put
a bootstrap interval on "how many times more parameters does family B need than family A".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from torch import nn

from ._checks import check_number
from .history import History

__all__ = [
    "CRITERIA",
    "AccuracyGap",
    "SeedResult",
    "accuracy_gap",
    "beats",
    "pareto_front",
    "results_table",
    "smallest_reaching",
]

CRITERIA = ("mean", "mean-sem", "mean-std", "min")
"""The numbers a set of results can be ranked by (see the module's docstring)."""


def _check_criterion(criterion: object) -> str:
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    return criterion


@dataclass
class SeedResult:
    """Test accuracies of one architecture, one per seed, with the trained models.

    Attributes:
        name: a label for tables and plots.
        params, connections: of one model (:func:`dql_teach.count_parameters`,
            :func:`dql_teach.count_connections`).
        seeds: the seed of each run, in order; empty when unknown.
        accuracies: the test accuracy of each run, in ``[0, 1]`` (NaN: a run that gave none).
        models: the trained model of each run.
        histories: what :func:`dql_teach.fit` recorded in each run.

    The summaries (``mean``, ``std``, ``sem``, ``min``, ``max``) raise ``ValueError`` for a
    result without accuracies.

    Example:
        >>> r = SeedResult("net", params=10, connections=4, seeds=[0, 1, 2, 3],
        ...                accuracies=[0.9, 1.0, 0.8, 0.9])
        >>> round(r.mean, 3), round(r.std, 3), round(r.sem, 3), r.min, r.max
        (0.9, 0.082, 0.041, 0.8, 1.0)
        >>> r.fraction_reaching(0.9), round(r.score("mean-sem"), 3)
        (0.75, 0.859)
        >>> r.by_seed[2]
        0.8
    """

    name: str
    params: int
    connections: int
    seeds: list[int] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    models: list[nn.Module] = field(default_factory=list, repr=False)
    histories: list[History] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.seeds, self.accuracies = list(self.seeds), [float(a) for a in self.accuracies]
        if self.seeds and len(self.seeds) != len(self.accuracies):
            raise ValueError(
                f"seeds and accuracies must have one entry per run, got {len(self.seeds)} "
                f"seeds and {len(self.accuracies)} accuracies"
            )
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must differ (one run per seed), got {self.seeds}")

    def _values(self) -> list[float]:
        if not self.accuracies:
            raise ValueError(
                f"SeedResult {self.name!r} has no accuracies to summarise; run_seeds records "
                "one per seed"
            )
        return self.accuracies

    @property
    def n_seeds(self) -> int:
        """Number of runs (accuracies)."""
        return len(self.accuracies)

    @property
    def mean(self) -> float:
        """Mean test accuracy over the seeds."""
        return statistics.fmean(self._values())

    @property
    def std(self) -> float:
        """Sample standard deviation of the test accuracy (0 for a single seed)."""
        values = self._values()
        return statistics.stdev(values) if len(values) > 1 else 0.0

    @property
    def sem(self) -> float:
        """Standard error of the mean accuracy, ``std / sqrt(n)`` (0 for a single seed: one
        seed measures no spread, so treat its results with care)."""
        return self.std / math.sqrt(len(self._values()))

    @property
    def min(self) -> float:
        """The worst seed's accuracy."""
        return min(self._values())

    @property
    def max(self) -> float:
        """The best seed's accuracy."""
        return max(self._values())

    @property
    def by_seed(self) -> dict[int, float]:
        """``{seed: accuracy}`` (needs ``seeds``)."""
        if not self.seeds:
            raise ValueError(f"SeedResult {self.name!r} does not record its seeds")
        return dict(zip(self.seeds, self.accuracies))

    def fraction_reaching(self, accuracy: float) -> float:
        """The fraction of seeds whose accuracy is at least ``accuracy``."""
        accuracy = check_number("accuracy", accuracy)
        values = self._values()
        return sum(a >= accuracy for a in values) / len(values)

    def score(self, criterion: str = "mean") -> float:
        """The number ``criterion`` ranks this result by: ``"mean"``, ``"mean-sem"``,
        ``"mean-std"`` or ``"min"`` (see :mod:`dql_teach.results`)."""
        return float(_scores(np.array([self._values()]), _check_criterion(criterion))[0])

    def __str__(self) -> str:
        if not self.accuracies:
            return f"{self.name:22s} {self.params:5d} params {self.connections:5d} conn.  no runs"
        return (
            f"{self.name:22s} {self.params:5d} params {self.connections:5d} conn.  "
            f"{self.mean:6.1%} ± {self.std:.1%}"
        )


def _scores(accuracies: np.ndarray, criterion: str) -> np.ndarray:
    """The criterion along the last axis of ``accuracies (..., n)``."""
    n = accuracies.shape[-1]
    mean = accuracies.mean(-1)
    if criterion == "mean":
        return mean
    if criterion == "min":
        return accuracies.min(-1)
    std = accuracies.std(-1, ddof=1) if n > 1 else np.zeros_like(mean)
    return mean - (std / math.sqrt(n) if criterion == "mean-sem" else std)


def _results(results: Iterable[SeedResult], name: str = "results") -> list[SeedResult]:
    results = list(results)
    for r in results:
        if not isinstance(r, SeedResult):
            raise TypeError(f"{name} must hold SeedResult objects, got {type(r).__name__}")
    return results


def pareto_front(results: Iterable[SeedResult], criterion: str = "mean-sem") -> list[SeedResult]:
    """The results that no result with as few or fewer parameters matches or beats.

    Results are ranked by ``criterion`` (default ``"mean-sem"``, the mean minus one standard
    error): a network that is better only on average over a few lucky seeds does not push out
    a smaller, steadier one. Results whose score is NaN (a NaN accuracy) are left out; they do
    not hide the others.

    Returns:
        Those results by increasing parameter count (and increasing score).

    Example:
        >>> small, big, worse = (SeedResult(n, p, 0, accuracies=[a, a])
        ...                      for n, p, a in [("s", 10, .8), ("b", 50, .9), ("w", 60, .85)])
        >>> [r.name for r in pareto_front([big, worse, small])]
        ['s', 'b']
        >>> lucky = SeedResult("lucky", 20, 0, accuracies=[0.5, 1.0])  # mean .75, sem .25
        >>> [r.name for r in pareto_front([small, lucky])]
        ['s']
    """
    criterion = _check_criterion(criterion)
    scored = [(r, r.score(criterion)) for r in _results(results)]
    front: list[SeedResult] = []
    best = -math.inf
    for r, score in sorted(
        ((r, s) for r, s in scored if not math.isnan(s)), key=lambda rs: (rs[0].params, -rs[1])
    ):
        if score > best:
            front.append(r)
            best = score
    return front


def smallest_reaching(
    results: Iterable[SeedResult], accuracy: float, criterion: str = "mean"
) -> SeedResult | None:
    """The result with the fewest parameters whose ``criterion`` (default: the mean accuracy)
    is at least ``accuracy``; among equally small ones, the one with the highest score.

    Returns:
        That result, or ``None`` when none reaches it (a NaN score never does).

    Example:
        >>> rows = [SeedResult("a", 30, 0, accuracies=[0.9, 0.9]),
        ...         SeedResult("b", 10, 0, accuracies=[0.8, 1.0])]
        >>> smallest_reaching(rows, 0.9).name, smallest_reaching(rows, 0.9, "mean-sem").name
        ('b', 'a')
    """
    accuracy = check_number("accuracy", accuracy)
    criterion = _check_criterion(criterion)
    good = [(r, s) for r in _results(results) if (s := r.score(criterion)) >= accuracy]
    return min(good, key=lambda rs: (rs[0].params, -rs[1]))[0] if good else None


@dataclass(frozen=True)
class AccuracyGap:
    """How much more accurate result ``a`` is than ``b``, with the standard error of that.

    Attributes:
        gap: the mean of ``a``'s accuracy minus ``b``'s (paired: over their shared seeds).
        sem: the standard error of ``gap``.
        n: the seeds compared (paired), or the smaller of the two counts (unpaired).
        paired: whether the gap was measured seed by seed.
    """

    gap: float
    sem: float
    n: int
    paired: bool

    def exceeds(self, k: float = 2.0) -> bool:
        """Whether ``gap > k * sem``: ``a`` beats ``b`` by more than ``k`` standard errors."""
        return self.gap > check_number("k", k, minimum=0) * self.sem

    def beyond_spread(self, k: float = 2.0) -> bool:
        """Whether ``|gap| > k * sem``: the seeds tell ``a`` and ``b`` apart, whichever is
        ahead (``exceeds`` in one direction or the other).

        Example:
            >>> AccuracyGap(gap=-0.05, sem=0.01, n=10, paired=True).beyond_spread()
            True
        """
        return abs(self.gap) > check_number("k", k, minimum=0) * self.sem

    def verdict(self, k: float = 2.0) -> str:
        """``"better"``, ``"worse"`` or ``"within the spread"``: the word the book may write
        about ``a`` against ``b``, by the spread rule of :meth:`beyond_spread`.

        Example:
            >>> AccuracyGap(gap=0.01, sem=0.01, n=10, paired=True).verdict()
            'within the spread'
        """
        if not self.beyond_spread(k):
            return "within the spread"
        return "better" if self.gap > 0 else "worse"

    def __str__(self) -> str:
        """The gap with its standard error, in points: ``+3.8% ± 1.1%``."""
        return f"{self.gap:+.1%} ± {self.sem:.1%}"


def accuracy_gap(a: SeedResult, b: SeedResult) -> AccuracyGap:
    """The accuracy gap ``a - b`` and its standard error, paired by seed where possible.

    **Paired** (``a`` and ``b`` share at least two seeds, as results of
    :func:`dql_teach.run_seeds` with the same seeds do): the seed fixes the train/test split
    for both, so the difference ``d_s = acc_a(s) - acc_b(s)`` on each shared seed cancels what
    the split does to both (an easy or a hard test set) and keeps what differs, the
    architectures and their initialisations. ``gap = mean(d)``, ``sem = stdev(d) / sqrt(n)``.

    **Unpaired** (fewer than two shared seeds): ``gap = mean_a - mean_b`` and
    ``sem = sqrt(sem_a**2 + sem_b**2)`` (Welch's standard error); each needs two seeds.

    Raises:
        ValueError: too few seeds to measure a spread.

    Example:
        >>> a = SeedResult("a", 1, 0, seeds=[0, 1, 2], accuracies=[0.91, 0.81, 0.96])
        >>> b = SeedResult("b", 1, 0, seeds=[0, 1, 2], accuracies=[0.90, 0.80, 0.95])
        >>> g = accuracy_gap(a, b)  # every seed 1 point better: no spread in the differences
        >>> round(g.gap, 6), round(g.sem, 6), g.paired
        (0.01, 0.0, True)
        >>> g.exceeds(2.0), accuracy_gap(b, a).exceeds(2.0)
        (True, False)
    """
    a, b = _results([a, b], "a and b")
    shared = [s for s in a.seeds if s in set(b.seeds)]
    if len(shared) >= 2:
        pa, pb = a.by_seed, b.by_seed
        d = [pa[s] - pb[s] for s in shared]
        return AccuracyGap(
            statistics.fmean(d), statistics.stdev(d) / math.sqrt(len(d)), len(d), True
        )
    for r in (a, b):
        if r.n_seeds < 2:
            raise ValueError(
                f"{r.name!r} has {r.n_seeds} seed and shares {len(shared)} with the other "
                "result: a gap needs two seeds each (or two shared seeds) to measure its spread"
            )
    sem = math.hypot(a.sem, b.sem)
    return AccuracyGap(a.mean - b.mean, sem, min(a.n_seeds, b.n_seeds), False)


def beats(a: SeedResult, b: SeedResult, k: float = 2.0) -> bool:
    """Whether ``a`` is more accurate than ``b`` by more than ``k`` standard errors of the gap
    (:func:`accuracy_gap`: paired by seed where they share seeds).

    ``k = 2`` is close to a one-sided paired t-test at 2.5 % for ten or more seeds (the t
    quantile is 2.26 at 9 degrees of freedom, 2.09 at 19); ``beats(a, b)`` and
    ``beats(b, a)`` both false means the seeds cannot tell the two apart.

    Example:
        >>> a = SeedResult("a", 1, 0, seeds=[0, 1, 2, 3], accuracies=[0.9, 0.7, 1.0, 0.8])
        >>> b = SeedResult("b", 1, 0, seeds=[0, 1, 2, 3], accuracies=[0.8, 0.8, 0.9, 0.9])
        >>> beats(a, b), beats(b, a)  # a is better on average, not beyond the spread
        (False, False)
    """
    return accuracy_gap(a, b).exceeds(k)


def results_table(
    results: Mapping[tuple[object, object], SeedResult],
    cell: str = "{mean:.1%} ± {std:.1%}",
    corner: str = "",
    empty: str = "",
) -> tuple[list[str], list[list[str]]]:
    """A sweep as a table: results keyed ``(row, column)``, one cell each.

    Rows and columns come in the order their keys first appear. ``cell`` is formatted with
    the result's ``mean``, ``std``, ``sem``, ``min``, ``max``, ``params``, ``connections``,
    ``name`` and ``n_seeds``; a missing ``(row, column)`` gets ``empty``.

    Returns:
        ``(header, rows)``: the header (``corner``, then the columns) and one list of cells
        per row (the row's key, then its cells), as :func:`dql_teach.viz.markdown_table`
        takes them.

    Example:
        >>> sweep = {(h, f): SeedResult(f"{f} {h}", 3 * h, 0, accuracies=[0.9, 0.8 + h / 100])
        ...          for h, f in [(2, "linear"), (2, "quadric"), (4, "linear")]}
        >>> header, rows = results_table(sweep, "{mean:.0%} ({params})", corner="h")
        >>> header, rows
        (['h', 'linear', 'quadric'], [['2', '86% (6)', '86% (6)'], ['4', '87% (12)', '']])
    """
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a dict {{(row, column): SeedResult}}, got {results!r}")
    rows: dict[object, None] = {}
    columns: dict[object, None] = {}
    for key, r in results.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"results' keys must be (row, column) pairs, got {key!r}")
        _results([r])
        rows.setdefault(key[0])
        columns.setdefault(key[1])

    def text(r: SeedResult) -> str:
        fields = {k: getattr(r, k) for k in ("mean", "std", "sem", "min", "max", "n_seeds")}
        return cell.format(**fields, params=r.params, connections=r.connections, name=r.name)

    body = [
        [str(row)] + [text(results[row, c]) if (row, c) in results else empty for c in columns]
        for row in rows
    ]
    return [corner, *map(str, columns)], body
