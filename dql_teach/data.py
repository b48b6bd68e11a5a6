"""Toy datasets as tensors, generated or shipped with scikit-learn: nothing is downloaded.

Every generator is pure and seeded with its own ``numpy.random.RandomState`` (never global
state), returns ``X`` as ``float32 (N, d)`` and ``y`` as ``int64 (N,)``, and is listed in
:data:`DATASETS` so widgets can offer them by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ._checks import check_number, check_positive_int, check_seed

__all__ = [
    "DATASETS",
    "GAUSSIANS",
    "MAX_NOISE",
    "DatasetSpec",
    "GaussianClasses",
    "dataset_names",
    "load_digits",
    "load_iris",
    "make_dataset",
    "train_test_split",
]


# scikit-learn is imported where it is used: it would double the time of `import dql_teach`


def _circles(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    import sklearn.datasets

    return sklearn.datasets.make_circles(n, noise=noise, factor=0.5, random_state=rng)


def _moons(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    import sklearn.datasets

    return sklearn.datasets.make_moons(n, noise=noise, random_state=rng)


def _xor(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    # label 1 where x1 * x2 > 0: the Bayes boundary is the conic x1 x2 = 0
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + noise * rng.randn(n, 2), y


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.RandomState) -> tuple:
    # generators below build class 0 then class 1; shuffle so that any slice (X[:100]) holds
    # both classes, as scikit-learn's make_circles/make_moons do
    order = rng.permutation(len(y))
    return X[order], y[order]


def _spirals(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    n0 = n // 2
    t = np.sqrt(rng.uniform(0, 1, size=n)) * 3 * math.pi  # sqrt: even density along the arm
    y = (np.arange(n) >= n0).astype(np.int64)
    angle = t + np.pi * y
    X = np.stack([t * np.cos(angle), t * np.sin(angle)], 1) / (3 * math.pi)
    return _shuffled(X + noise * rng.randn(n, 2), y, rng)


@dataclass(frozen=True)
class GaussianClasses:
    """Two Gaussian classes with different covariances: their Bayes boundary is a quadric.

    ``make_dataset("gaussians", noise=s)`` adds isotropic noise of standard deviation ``s`` to
    every point (as for the other datasets), which turns covariance ``S_k`` into
    ``S_k + s² I``; :meth:`covariance` and :meth:`bayes_quadric` take the same ``noise``.

    Attributes:
        means: ``(mu_0, mu_1)``, each of length 2.
        covariances: ``(S_0, S_1)``, each 2x2, symmetric positive definite.
    """

    means: tuple[tuple[float, float], tuple[float, float]]
    covariances: tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]

    def mean(self, k: int) -> np.ndarray:
        """Mean of class ``k`` as a ``(2,)`` array."""
        return np.array(self.means[k], dtype=np.float64)

    def covariance(self, k: int, noise: float = 0.0) -> np.ndarray:
        """Covariance ``(2, 2)`` of class ``k`` with noise of standard deviation ``noise``."""
        return np.array(self.covariances[k], dtype=np.float64) + noise**2 * np.eye(2)

    def bayes_quadric(
        self, noise: float = 0.0, dtype: torch.dtype = torch.float32
    ) -> tuple[Tensor, Tensor, Tensor]:
        """``(A (2, 2), b (2,), c ())`` of the Bayes-optimal boundary (equal priors).

        ``x^T A x + b·x + c`` is the log-likelihood ratio ``log p(x | 1) - log p(x | 0)``,
        exactly a quadric for two Gaussians; it is positive where class 1 is more likely, so
        ``evaluate_quadric(A, b, c, X) > 0`` is the best possible classifier (what
        scikit-learn's ``QuadraticDiscriminantAnalysis`` estimates from data).

        Example:
            >>> A, b, c = GAUSSIANS.bayes_quadric()
            >>> A.shape, b.shape, c.shape
            (torch.Size([2, 2]), torch.Size([2]), torch.Size([]))
        """
        _check_noise(noise)
        m0, m1 = self.mean(0), self.mean(1)
        S0, S1 = self.covariance(0, noise), self.covariance(1, noise)
        P0, P1 = np.linalg.inv(S0), np.linalg.inv(S1)
        A = -0.5 * (P1 - P0)
        A = 0.5 * (A + A.T)  # inv() is symmetric only up to rounding; make it exact
        b = P1 @ m1 - P0 @ m0
        c = -0.5 * (m1 @ P1 @ m1 - m0 @ P0 @ m0) - 0.5 * np.log(
            np.linalg.det(S1) / np.linalg.det(S0)
        )
        return tuple(torch.tensor(t, dtype=dtype) for t in (A, b, c))


GAUSSIANS = GaussianClasses(
    means=((0.0, 0.0), (0.6, 0.4)),
    covariances=(((0.15, 0.08), (0.08, 0.1)), ((0.6, -0.2), (-0.2, 0.4))),
)
"""The two classes of the ``gaussians`` dataset."""


def _gaussians(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    n0 = n // 2
    X0 = rng.multivariate_normal(GAUSSIANS.mean(0), GAUSSIANS.covariance(0, noise), n0)
    X1 = rng.multivariate_normal(GAUSSIANS.mean(1), GAUSSIANS.covariance(1, noise), n - n0)
    return _shuffled(np.concatenate([X0, X1]), np.repeat([0, 1], [n0, n - n0]), rng)


def _shells(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    # 3-D: a ball of radius 0.5 (class 0) inside a shell of radius 1 (class 1); boundary: a sphere
    n0 = n // 2
    direction = rng.randn(n, 3)
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    radius = np.where(np.arange(n) < n0, 0.5 * rng.uniform(0, 1, n) ** (1 / 3), 1.0)
    X = direction * (radius + noise * rng.randn(n))[:, None]
    return _shuffled(X, (np.arange(n) >= n0).astype(np.int64), rng)


@dataclass(frozen=True)
class DatasetSpec:
    """A registered generator: ``make(n_samples, noise, rng) -> (X, y)`` as numpy arrays."""

    make: Callable[[int, float, np.random.RandomState], tuple]
    dim: int
    default_noise: float
    description: str


DATASETS: dict[str, DatasetSpec] = {
    "circles": DatasetSpec(_circles, 2, 0.05, "two concentric circles (boundary: a circle)"),
    "moons": DatasetSpec(_moons, 2, 0.1, "two interleaving half moons"),
    "xor": DatasetSpec(_xor, 2, 0.0, "XOR: label = [x1 x2 > 0] (boundary: x1 x2 = 0)"),
    "spirals": DatasetSpec(_spirals, 2, 0.02, "two interleaved spirals (hard for one neuron)"),
    "gaussians": DatasetSpec(_gaussians, 2, 0.0, "two Gaussians, unequal covariances (quadric)"),
    "shells": DatasetSpec(_shells, 3, 0.05, "3-D: a ball inside a spherical shell"),
}


def dataset_names() -> list[str]:
    """The names :func:`make_dataset` accepts."""
    return list(DATASETS)


MAX_NOISE = 1000.0
"""The largest ``noise`` the generators accept: every dataset lies within about
``[-1.5, 1.5]``, so a thousand times that scale is long past pure noise, and far from where
the points (float32) or the Gaussians' covariances (``noise**2``) would overflow."""


def _check_noise(noise: object) -> float:
    return check_number("noise", noise, minimum=0, maximum=MAX_NOISE)


def make_dataset(
    name: str, n_samples: int = 1000, noise: float | None = None, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """Generate a toy dataset (two classes).

    Args:
        name: one of :func:`dataset_names`: ``circles``, ``moons``, ``xor`` (class 1 where
            ``x1 x2 > 0``), ``spirals``, ``gaussians`` (see :data:`GAUSSIANS`), ``shells`` (3-D).
        n_samples: number of points ``N`` (> 0). ``xor`` draws points uniformly, so its
            classes are balanced only on average; the others give the classes ``N // 2`` and
            ``N - N // 2`` points.
        noise: standard deviation of the Gaussian noise added to the points, in
            ``[0, MAX_NOISE]`` (``None``: the dataset's default, ``DATASETS[name].default_noise``).
        seed: seed of the dataset's own ``numpy.random.RandomState`` (global random state is
            neither used nor changed); the same seed gives the same data.

    Returns:
        ``X`` float32 ``(N, d)`` (``d = 3`` for ``shells``, else 2) and ``y`` int64 ``(N,)``
        with labels 0 and 1, in shuffled order.

    Raises:
        ValueError: unknown ``name`` (the message lists the valid ones), ``n_samples <= 0``,
            ``noise`` outside ``[0, MAX_NOISE]``, ``seed`` outside ``[0, 2**32)``.
        TypeError: ``n_samples``, ``noise`` or ``seed`` of the wrong type.

    Example:
        >>> X, y = make_dataset("circles", n_samples=100, seed=0)
        >>> X.shape, X.dtype, y.dtype
        (torch.Size([100, 2]), torch.float32, torch.int64)
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"name must be one of {dataset_names()}, got {name!r}")
    n_samples = check_positive_int("n_samples", n_samples)
    spec = DATASETS[name]
    noise = _check_noise(spec.default_noise if noise is None else noise)
    rng = np.random.RandomState(check_seed("seed", seed))
    X, y = spec.make(n_samples, noise, rng)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)


def _bundled(name: str) -> tuple[Tensor, Tensor]:
    import sklearn.datasets

    data = getattr(
        sklearn.datasets, name
    )()  # shipped inside scikit-learn's wheel, read from disk: no download
    X = torch.tensor(data.data, dtype=torch.float32)
    return X, torch.tensor(data.target, dtype=torch.int64)  # int32 on some platforms


def load_digits() -> tuple[Tensor, Tensor]:
    """scikit-learn's 8x8 handwritten digits, bundled with it (no download).

    Returns:
        ``X`` float32 ``(1797, 64)``, pixel intensities 0..16 (row-major 8x8 images; divide
        by 16 to get ``[0, 1]``), and ``y`` int64 ``(1797,)``, digits 0..9.
    """
    return _bundled("load_digits")


def load_iris() -> tuple[Tensor, Tensor]:
    """Fisher's iris, bundled with scikit-learn (no download).

    Returns:
        ``X`` float32 ``(150, 4)`` (sepal and petal length and width, cm) and ``y`` int64
        ``(150,)``, species 0..2 (50 each).
    """
    return _bundled("load_iris")


def train_test_split(
    X: Tensor, y: Tensor, test_size: float = 0.25, seed: int = 0
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Split into training and test sets, stratified (each class keeps its share) and seeded.

    Args:
        X: ``(N, ...)`` samples; y: ``(N,)`` integer labels (at least two samples per class).
        test_size: fraction of the samples that go to the test set, in ``(0, 1)``: the test
            set gets ``ceil(test_size * N)`` of them, and each part must be able to hold one
            sample of every class.
        seed: the same seed gives the same split, an int in ``[0, 2**32)``.

    Returns:
        ``X_train, X_test, y_train, y_test``: tensors on ``X``'s and ``y``'s devices.

    Example:
        >>> X, y = make_dataset("moons", n_samples=100)
        >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        >>> len(X_train), len(X_test), int(y_test.sum())
        (80, 20, 10)
    """
    for arg, value in (("X", X), ("y", y)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{arg} must be a torch.Tensor, got {type(value).__name__}")
    if y.ndim != 1 or y.is_floating_point() or y.dtype == torch.bool:
        raise TypeError(f"y must be integer labels of shape (N,), got {y.dtype} {tuple(y.shape)}")
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"X and y must have the same length (one label per sample), got X of shape "
            f"{tuple(X.shape)} and y of shape {tuple(y.shape)}"
        )
    if len(y) == 0:
        raise ValueError(f"X and y must hold samples to split, got X of shape {tuple(X.shape)}")
    test_size = check_number("test_size", test_size)
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction between 0 and 1, got {test_size!r}")
    seed = check_seed("seed", seed)
    counts = torch.bincount(y.cpu() - y.min().cpu())
    counts = counts[counts > 0]
    if int(counts.min()) < 2:
        raise ValueError("y must hold at least 2 samples of every class to stratify the split")
    n_test = math.ceil(test_size * len(y))  # as scikit-learn rounds
    if min(n_test, len(y) - n_test) < len(counts):
        raise ValueError(
            f"test_size={test_size!r} of {len(y)} samples gives {n_test} test and "
            f"{len(y) - n_test} training samples; a stratified split needs at least one sample "
            f"of each of the {len(counts)} classes in each part"
        )
    import sklearn.model_selection

    train, test = sklearn.model_selection.train_test_split(
        np.arange(len(y)), test_size=test_size, random_state=seed, stratify=y.cpu().numpy()
    )
    train, test = torch.as_tensor(train), torch.as_tensor(test)
    return (
        X[train.to(X.device)],
        X[test.to(X.device)],
        y[train.to(y.device)],
        y[test.to(y.device)],
    )
