"""dql_teach.data: toy datasets, scikit-learn's bundled ones, and the stratified split."""

import math
import re

import numpy as np
import pytest
import torch

from dql_teach.data import (
    DATASETS,
    GAUSSIANS,
    MAX_NOISE,
    dataset_names,
    load_digits,
    load_iris,
    make_dataset,
    train_test_split,
)
from dql_teach.quadric import evaluate_quadric

NAMES = dataset_names()


def test_registry_lists_every_dataset_the_book_needs():
    assert NAMES == list(DATASETS)
    assert {"circles", "moons", "xor", "spirals", "gaussians", "shells"} <= set(NAMES)
    for spec in DATASETS.values():
        assert spec.dim in (2, 3) and spec.default_noise >= 0 and spec.description


# --- every generator -------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtypes_and_labels(name):
    X, y = make_dataset(name, n_samples=101, seed=3)
    assert X.shape == (101, DATASETS[name].dim) and X.dtype == torch.float32
    assert y.shape == (101,) and y.dtype == torch.int64
    assert set(y.tolist()) == {0, 1}
    assert torch.isfinite(X).all()


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    X, y = make_dataset(name, n_samples=60, seed=3)
    X2, y2 = make_dataset(name, n_samples=60, seed=3)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    X3, _ = make_dataset(name, n_samples=60, seed=4)
    assert not torch.equal(X, X3)


@pytest.mark.parametrize("name", NAMES)
def test_classes_are_balanced_and_shuffled(name):
    X, y = make_dataset(name, n_samples=400, seed=0)
    ones = int(y.sum())
    if name == "xor":  # uniform points: balanced on average (std of the count is 10)
        assert abs(ones - 200) <= 40
    else:  # N // 2 and N - N // 2 by construction
        assert ones == 200
    # shuffled: a slice from the start holds both classes, not a block of one
    assert 0 < int(y[:40].sum()) < 40


@pytest.mark.parametrize("name", NAMES)
def test_generators_leave_global_random_state_alone(name):
    torch.manual_seed(123)
    np.random.seed(123)
    expected_torch, expected_numpy = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    make_dataset(name, n_samples=50, seed=1)
    assert torch.equal(torch.rand(3), expected_torch)
    assert np.array_equal(np.random.rand(3), expected_numpy)


@pytest.mark.parametrize("name", NAMES)
def test_noise_changes_the_points_and_defaults_to_the_registry(name):
    X_default, _ = make_dataset(name, n_samples=50, seed=0)
    X_spec, _ = make_dataset(name, n_samples=50, noise=DATASETS[name].default_noise, seed=0)
    assert torch.equal(X_default, X_spec)
    X_noisy, _ = make_dataset(name, n_samples=50, noise=0.3, seed=0)
    assert not torch.allclose(X_noisy, X_default)


# --- each generator is what its name says ------------------------------------------------------
def test_xor_label_is_the_sign_of_x1_x2():
    X, y = make_dataset("xor", 500, noise=0.0)
    assert torch.equal(y, (X[:, 0] * X[:, 1] > 0).long())
    assert X.abs().max() <= 1


def test_circles_are_two_concentric_circles():
    X, y = make_dataset("circles", 300, noise=0.0)
    r = X.norm(dim=1)
    assert torch.allclose(r[y == 0], torch.tensor(1.0), atol=1e-5)  # outer circle: class 0
    assert torch.allclose(r[y == 1], torch.tensor(0.5), atol=1e-5)


def test_shells_are_a_ball_inside_a_sphere():
    X, y = make_dataset("shells", 500, noise=0.0)
    r = X.norm(dim=1)
    assert torch.all(r[y == 0] <= 0.5 + 1e-6)
    assert torch.allclose(r[y == 1], torch.ones(250))


def test_spirals_interleave():
    X, y = make_dataset("spirals", 400, noise=0.0)
    # the two arms are the same curve rotated by 180 degrees: the class means sit near 0
    for k in (0, 1):
        assert X[y == k].mean(0).norm() < 0.25
    assert X.norm(dim=1).max() <= 1 + 1e-6


def test_gaussians_follow_the_stated_means_and_covariances():
    X, y = make_dataset("gaussians", 20_000, seed=1)
    for k in (0, 1):
        Xk = X[y == k].double()
        assert torch.allclose(Xk.mean(0), torch.tensor(GAUSSIANS.mean(k)), atol=0.03)
        assert torch.allclose(Xk.T.cov(), torch.tensor(GAUSSIANS.covariance(k)), atol=0.03)
    # noise s adds s^2 to the variances, and covariance() says so
    Xn, yn = make_dataset("gaussians", 20_000, noise=0.5, seed=1)
    cov = Xn[yn == 0].double().T.cov()
    assert torch.allclose(cov, torch.tensor(GAUSSIANS.covariance(0, noise=0.5)), atol=0.03)
    assert GAUSSIANS.covariance(0, noise=0.5)[0, 0] == pytest.approx(0.15 + 0.25)


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_bayes_quadric_is_the_log_likelihood_ratio(noise):
    A, b, c = GAUSSIANS.bayes_quadric(noise=noise, dtype=torch.float64)
    assert A.shape == (2, 2) and b.shape == (2,) and c.shape == ()
    assert torch.equal(A, A.T)
    x = torch.randn(50, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    log_p = [
        torch.distributions.MultivariateNormal(
            torch.tensor(GAUSSIANS.mean(k)), torch.tensor(GAUSSIANS.covariance(k, noise))
        ).log_prob(x)
        for k in (0, 1)
    ]
    assert torch.allclose(evaluate_quadric(A, b, c, x), log_p[1] - log_p[0], atol=1e-10)
    # unequal covariances: A is not zero, so the boundary really is a quadric, not a line
    assert A.abs().max() > 0.1


def test_bayes_quadric_matches_qda_accuracy():
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

    X, y = make_dataset("gaussians", 4000, seed=0)
    bayes = ((evaluate_quadric(*GAUSSIANS.bayes_quadric(), X) > 0).long() == y).float().mean()
    qda = QuadraticDiscriminantAnalysis().fit(X.numpy(), y.numpy()).score(X.numpy(), y.numpy())
    assert 0.8 < float(bayes) and abs(float(bayes) - qda) < 0.02


# --- bad input: the message names the argument, the value and what is expected ---------------
def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as error:
        make_dataset("donut")
    message = str(error.value)
    assert "name must be one of" in message and "'donut'" in message
    assert all(repr(name) in message for name in NAMES)
    with pytest.raises(ValueError, match="name must be one of"):
        make_dataset(3)


@pytest.mark.parametrize("n_samples", [0, -5])
def test_n_samples_must_be_positive(n_samples):
    with pytest.raises(ValueError, match=f"n_samples must be an int >= 1, got {n_samples}"):
        make_dataset("moons", n_samples=n_samples)


@pytest.mark.parametrize("n_samples", [10.5, "100", True])
def test_n_samples_must_be_an_int(n_samples):
    with pytest.raises(
        TypeError, match=re.escape(f"n_samples must be an int, got {type(n_samples).__name__}")
    ):
        make_dataset("moons", n_samples=n_samples)


@pytest.mark.parametrize(
    "noise, message",
    [
        (-0.1, "noise must be a number in [0, 1000.0], got -0.1"),
        (math.nan, "noise must be a finite number, got nan"),
        (math.inf, "noise must be a finite number, got inf"),
    ],
)
def test_noise_must_be_finite_and_non_negative(noise, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_dataset("circles", noise=noise)
    with pytest.raises(ValueError, match=re.escape(message)):
        GAUSSIANS.bayes_quadric(noise=noise)


@pytest.mark.parametrize("name", NAMES)
def test_noise_too_large_to_represent_is_refused_by_every_generator(name):
    """1e300 made every generator return inf (and the Gaussians overflow in noise**2)."""
    with pytest.raises(ValueError, match=re.escape("noise must be a number in [0, 1000.0]")):
        make_dataset(name, n_samples=20, noise=1e300)
    X, _ = make_dataset(name, n_samples=20, noise=MAX_NOISE)  # the largest allowed is finite
    assert torch.isfinite(X).all()


def test_noise_and_seed_types():
    with pytest.raises(TypeError, match="noise must be a number, got str '0.1'"):
        make_dataset("circles", noise="0.1")
    with pytest.raises(
        ValueError, match=re.escape("seed must be an int in [0, 4294967295], got -1")
    ):
        make_dataset("circles", seed=-1)
    with pytest.raises(TypeError, match="seed must be an int, got float 1.5"):
        make_dataset("circles", seed=1.5)


def test_numpy_ints_are_accepted():
    X, _ = make_dataset("moons", n_samples=np.int64(30), seed=np.int32(2))
    assert torch.equal(X, make_dataset("moons", n_samples=30, seed=2)[0])


# --- scikit-learn's bundled datasets --------------------------------------------------------
def test_load_digits_is_sklearns_digits_as_tensors():
    from sklearn.datasets import load_digits as sk_digits

    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == torch.float32
    assert y.shape == (1797,) and y.dtype == torch.int64
    assert X.min() == 0 and X.max() == 16 and set(y.tolist()) == set(range(10))
    reference = sk_digits()
    assert np.array_equal(X.numpy(), reference.data.astype(np.float32))
    assert np.array_equal(y.numpy(), reference.target)


def test_load_iris():
    X, y = load_iris()
    assert X.shape == (150, 4) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.bincount(y).tolist() == [50, 50, 50]


# --- train_test_split ----------------------------------------------------------------------
def test_split_is_stratified_disjoint_and_complete():
    X, y = load_iris()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0)
    assert (len(X_tr), len(X_te), len(y_tr), len(y_te)) == (120, 30, 120, 30)
    assert X_tr.dtype == torch.float32 and y_tr.dtype == torch.int64
    assert torch.bincount(y_te).tolist() == [10, 10, 10]  # each class keeps its share
    assert torch.bincount(y_tr).tolist() == [40, 40, 40]
    # every sample lands in exactly one part, with its own label (iris rows are unique)
    together = torch.cat([X_tr, X_te])
    assert torch.equal(together.unique(dim=0), X.unique(dim=0)) and len(together) == 150
    rows = {tuple(row.tolist()): int(label) for row, label in zip(X, y)}
    assert all(rows[tuple(r.tolist())] == int(k) for r, k in zip(X_te, y_te))


def test_split_is_seeded():
    X, y = make_dataset("moons", 100, seed=0)
    a = train_test_split(X, y, test_size=0.3, seed=5)
    b = train_test_split(X, y, test_size=0.3, seed=5)
    c = train_test_split(X, y, test_size=0.3, seed=6)
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not torch.equal(a[1], c[1])


def test_split_bad_inputs():
    X, y = make_dataset("moons", 20)
    with pytest.raises(ValueError, match=r"same length.*\(4, 2\).*\(3,\)"):
        train_test_split(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long))
    for bad in (0, 1, 1.5, -0.2):
        with pytest.raises(
            ValueError, match=f"test_size must be a fraction between 0 and 1, got {float(bad)}"
        ):
            train_test_split(X, y, test_size=bad)
    with pytest.raises(TypeError, match="test_size must be a number, got str"):
        train_test_split(X, y, test_size="0.2")
    with pytest.raises(ValueError, match=re.escape("seed must be an int in [0, 4294967295]")):
        train_test_split(X, y, seed=2**40)
    with pytest.raises(ValueError, match=r"X and y must hold samples to split, got X of shape"):
        train_test_split(X[:0], y[:0])
    with pytest.raises(ValueError, match=r"test_size=0.01 of 20 samples gives 1 test and 19"):
        train_test_split(X, y, test_size=0.01)  # one test sample cannot hold both classes
    with pytest.raises(TypeError, match="y must be integer labels"):
        train_test_split(X, y.float())
    with pytest.raises(TypeError, match="X must be a torch.Tensor, got ndarray"):
        train_test_split(X.numpy(), y)
    with pytest.raises(ValueError, match="at least 2 samples of every class"):
        train_test_split(X[:5], torch.tensor([0, 0, 0, 0, 1]))
