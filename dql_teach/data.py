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
import sklearn.datasets
import sklearn.model_selection
import torch
from torch import Tensor

__all__ = [
    "DATASETS",
    "GAUSSIANS",
    "dataset_names",
    "load_digits",
    "load_iris",
    "make_dataset",
    "train_test_split",
]


def _circles(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    return sklearn.datasets.make_circles(n, noise=noise, factor=0.5, random_state=rng)


def _moons(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    return sklearn.datasets.make_moons(n, noise=noise, random_state=rng)


def _xor(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    # label 1 where x1 * x2 > 0: the Bayes boundary is the conic x1 x2 = 0
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + noise * rng.randn(n, 2), y


def _spirals(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    n0 = n // 2
    t = np.sqrt(rng.uniform(0, 1, size=n)) * 3 * math.pi  # sqrt: even density along the arm
    y = (np.arange(n) >= n0).astype(np.int64)
    angle = t + np.pi * y
    X = np.stack([t * np.cos(angle), t * np.sin(angle)], 1) / (3 * math.pi)
    return X + noise * rng.randn(n, 2), y


@dataclass(frozen=True)
class GaussianClasses:
    """Two Gaussian classes with different covariances: their Bayes boundary is a quadric."""

    means: tuple[tuple[float, float], tuple[float, float]]
    covariances: tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]

    def bayes_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        """``(A, b, c)`` with ``x^T A x + b·x + c > 0`` where class 1 is more likely (equal
        priors): the log-likelihood ratio of two Gaussians is exactly a quadric."""
        m0, m1 = (np.array(m) for m in self.means)
        S0, S1 = (np.array(s) for s in self.covariances)
        P0, P1 = np.linalg.inv(S0), np.linalg.inv(S1)
        A = -0.5 * (P1 - P0)
        b = P1 @ m1 - P0 @ m0
        c = -0.5 * (m1 @ P1 @ m1 - m0 @ P0 @ m0) - 0.5 * np.log(
            np.linalg.det(S1) / np.linalg.det(S0)
        )
        as_t = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
        return as_t(A), as_t(b), as_t(c)


GAUSSIANS = GaussianClasses(
    means=((0.0, 0.0), (0.6, 0.4)),
    covariances=(((0.15, 0.08), (0.08, 0.1)), ((0.6, -0.2), (-0.2, 0.4))),
)
"""The two classes of the ``gaussians`` dataset (noise scales both covariances)."""


def _gaussians(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    n0 = n // 2
    scale = 1.0 + noise
    X0 = rng.multivariate_normal(GAUSSIANS.means[0], np.array(GAUSSIANS.covariances[0]) * scale, n0)
    X1 = rng.multivariate_normal(
        GAUSSIANS.means[1], np.array(GAUSSIANS.covariances[1]) * scale, n - n0
    )
    return np.concatenate([X0, X1]), np.repeat([0, 1], [n0, n - n0])


def _shells(n: int, noise: float, rng: np.random.RandomState) -> tuple:
    # 3-D: a ball of radius 0.5 (class 0) inside a shell of radius 1 (class 1); boundary: a sphere
    n0 = n // 2
    direction = rng.randn(n, 3)
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    radius = np.where(np.arange(n) < n0, 0.5 * rng.uniform(0, 1, n) ** (1 / 3), 1.0)
    X = direction * (radius + noise * rng.randn(n))[:, None]
    return X, (np.arange(n) >= n0).astype(np.int64)


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


def make_dataset(
    name: str, n_samples: int = 1000, noise: float | None = None, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """Generate a toy dataset.

    Args:
        name: one of :func:`dataset_names` (``circles``, ``moons``, ``xor``, ``spirals``,
            ``gaussians``, ``shells``).
        n_samples: number of points ``N`` (> 0); the two classes get ``N // 2`` and the rest.
        noise: standard deviation of the noise (``None``: the dataset's default).
        seed: seed of the generator; the same seed gives the same data.

    Returns:
        ``X`` float32 ``(N, d)`` (``d = 3`` for ``shells``, else 2) and ``y`` int64 ``(N,)``.

    Example:
        >>> X, y = make_dataset("circles", n_samples=100, seed=0)
        >>> X.shape, X.dtype, y.dtype
        (torch.Size([100, 2]), torch.float32, torch.int64)
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"name must be one of {dataset_names()}, got {name!r}")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"n_samples must be an int, got {type(n_samples).__name__} {n_samples!r}")
    if n_samples <= 0:
        raise ValueError(f"n_samples must be a positive int, got {n_samples}")
    spec = DATASETS[name]
    noise = spec.default_noise if noise is None else noise
    if not isinstance(noise, (int, float)) or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    X, y = spec.make(int(n_samples), float(noise), np.random.RandomState(seed))
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)


def _bundled(loader: Callable) -> tuple[Tensor, Tensor]:
    data = loader()  # shipped inside scikit-learn's wheel, read from disk
    return torch.tensor(data.data, dtype=torch.float32), torch.tensor(data.target)


def load_digits() -> tuple[Tensor, Tensor]:
    """scikit-learn's 8x8 digits: ``X`` float32 ``(1797, 64)`` in ``[0, 16]``, ``y`` in 0..9."""
    return _bundled(sklearn.datasets.load_digits)


def load_iris() -> tuple[Tensor, Tensor]:
    """Fisher's iris: ``X`` float32 ``(150, 4)``, ``y`` int64 in 0..2."""
    return _bundled(sklearn.datasets.load_iris)


def train_test_split(
    X: Tensor, y: Tensor, test_size: float = 0.25, seed: int = 0
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """A seeded, stratified split: ``X_train, X_test, y_train, y_test`` as tensors."""
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size}")
    index = np.arange(len(y))
    train, test = sklearn.model_selection.train_test_split(
        index, test_size=test_size, random_state=seed, stratify=y.cpu().numpy()
    )
    train, test = torch.as_tensor(train), torch.as_tensor(test)
    return X[train], X[test], y[train], y[test]
