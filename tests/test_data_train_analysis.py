"""dql_teach.data, .train, .analysis and .device."""

import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach.analysis import (
    activation_memory,
    count_connections,
    count_parameters,
    form_table,
    multiply_adds,
)
from dql_teach.data import (
    GAUSSIANS,
    dataset_names,
    load_digits,
    load_iris,
    make_dataset,
    train_test_split,
)
from dql_teach.device import default_device
from dql_teach.train import History, evaluate, fit, predict


# --- data ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", dataset_names())
def test_datasets_shapes_dtypes_seeds(name):
    X, y = make_dataset(name, n_samples=101, seed=3)
    dim = 3 if name == "shells" else 2
    assert X.shape == (101, dim) and X.dtype == torch.float32
    assert y.shape == (101,) and y.dtype == torch.int64
    assert set(y.tolist()) == {0, 1}
    # balanced classes by construction; XOR's labels come from uniform points (about half)
    assert abs(int(y.sum()) - 50) <= (15 if name == "xor" else 1)
    X2, y2 = make_dataset(name, n_samples=101, seed=3)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    X3, _ = make_dataset(name, n_samples=101, seed=4)
    assert not torch.equal(X, X3)


def test_datasets_do_not_touch_global_rng():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    make_dataset("spirals", 50, seed=1)
    assert torch.equal(torch.rand(3), expected)


def test_xor_and_shells_follow_their_definitions():
    X, y = make_dataset("xor", 500, noise=0.0)
    assert torch.equal(y, (X[:, 0] * X[:, 1] > 0).long())
    X, y = make_dataset("shells", 500, noise=0.0)
    r = X.norm(dim=1)
    assert torch.all(r[y == 0] <= 0.5 + 1e-6) and torch.allclose(r[y == 1], torch.ones(250))


def test_gaussians_bayes_quadric_beats_chance_like_qda():
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

    X, y = make_dataset("gaussians", 4000, seed=0)
    A, b, c = GAUSSIANS.bayes_quadric()
    bayes = ((dql.evaluate_quadric(A, b, c, X) > 0).long() == y).float().mean().item()
    qda = QuadraticDiscriminantAnalysis().fit(X.numpy(), y.numpy()).score(X.numpy(), y.numpy())
    assert bayes > 0.8 and abs(bayes - qda) < 0.02


def test_bundled_datasets():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == torch.float32 and int(y.max()) == 9
    X, y = load_iris()
    assert X.shape == (150, 4) and set(y.tolist()) == {0, 1, 2}
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_te) == 30 and len(X_tr) == 120
    assert torch.bincount(y_te).tolist() == [10, 10, 10]  # stratified
    again = train_test_split(X, y, test_size=0.2, seed=0)
    assert torch.equal(again[1], X_te)


def test_dataset_bad_inputs():
    with pytest.raises(ValueError, match=r"name must be one of \['circles'.*got 'donut'"):
        make_dataset("donut")
    with pytest.raises(ValueError, match="n_samples must be a positive int, got 0"):
        make_dataset("moons", n_samples=0)
    with pytest.raises(TypeError, match="n_samples must be an int"):
        make_dataset("moons", n_samples=10.5)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0, got -1"):
        make_dataset("moons", noise=-1)
    with pytest.raises(ValueError, match="same length"):
        train_test_split(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long))


# --- train -----------------------------------------------------------------------------------
def test_fit_learns_and_records_history(capsys):
    X, y = make_dataset("moons", 400, seed=0)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    seen = []
    history = fit(
        model,
        X,
        y,
        epochs=150,
        lr=0.05,
        progress=False,
        X_val=X[:100],
        y_val=y[:100],
        callback=lambda epoch, m: seen.append(epoch),
    )
    assert isinstance(history, History) and history.epochs == 150 == len(history.val_loss)
    assert seen == list(range(150))
    assert history.loss[-1] < history.loss[0] / 3
    assert history.final_accuracy > 0.95 and evaluate(model, X, y) > 0.95
    assert capsys.readouterr().err == ""  # progress=False prints nothing
    assert predict(model, X).shape == (400,)


def test_fit_minibatches_are_seeded():
    X, y = make_dataset("circles", 200, seed=0)
    results = []
    for _ in range(2):
        torch.manual_seed(0)
        model = dql.QuadricLinear(2, 1)
        results.append(fit(model, X, y, epochs=5, batch_size=32, seed=7, progress=False).loss)
    assert results[0] == results[1]


def test_fit_with_quadratic_param_groups():
    X, y = make_dataset("circles", 300, seed=0)
    torch.manual_seed(0)
    model = dql.FanQuadric(2, 1, init="relinear")
    groups = dql.quadratic_param_groups(model, lr=0.05, quadratic_lr=0.01)
    history = fit(model, X, y, epochs=400, param_groups=groups, progress=False)
    assert history.final_accuracy > 0.95


def test_fit_stops_on_nan_with_a_clear_error():
    X, y = make_dataset("circles", 100, seed=0)

    class Exploding(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(2, 1)

        def forward(self, x):
            return self.layer(x) * float("nan")

    with pytest.raises(FloatingPointError, match=r"epoch 1.*lower learning rate"):
        fit(Exploding(), X, y, epochs=10, progress=False)
    with pytest.raises(FloatingPointError, match="epoch"):
        fit(
            dql.QuadricLinear(2, 1),
            X * 1e3,
            y,
            epochs=50,
            lr=1e6,
            optimizer=torch.optim.SGD(dql.QuadricLinear(2, 1).parameters(), lr=1e6),
            loss_fn=lambda logits, target: (logits - target).pow(2).mean() * float("inf"),
            progress=False,
        )


def test_fit_bad_inputs():
    model = nn.Linear(2, 1)
    X, y = make_dataset("xor", 20)
    with pytest.raises(TypeError, match="X must be a floating-point tensor, got torch.int64"):
        fit(model, X.long(), y)
    with pytest.raises(TypeError, match="y must be an integer tensor"):
        fit(model, X, y.float())
    with pytest.raises(ValueError, match="same number of samples"):
        fit(model, X, y[:5])
    with pytest.raises(ValueError, match="epochs must be a positive int, got 0"):
        fit(model, X, y, epochs=0)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        fit(model, X, y, lr=-1)


# --- analysis --------------------------------------------------------------------------------
def test_counts_against_hand_counts():
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    assert count_parameters(mlp) == 4 * 8 + 8 + 8 * 3 + 3 == 67  # Deep Quadric Learning's Iris net
    hybrid = nn.Sequential(dql.DiagonalQuadric(4, 3), nn.ReLU(), nn.Linear(3, 3))
    assert count_parameters(hybrid) == 3 * (2 * 4 + 1) + 3 * 3 + 3 == 39
    assert count_connections(mlp) == 4 * 8 + 8 * 3
    assert count_connections(hybrid) == 4 * 3 + 3 * 3
    conv = nn.Sequential(nn.Conv2d(3, 8, 3), dql.QuadricConv2d(8, 4, 3))
    assert count_connections(conv) == 8 * 3 * 9 + 4 * 8 * 9
    mlp[0].weight.requires_grad_(False)
    assert count_parameters(mlp, trainable_only=True) == 67 - 32


def test_activation_memory_is_measured():
    x = torch.randn(64, 10)
    assert activation_memory(nn.Linear(10, 4), x) == 64 * 10 * 4  # the saved input only
    relu_net = nn.Sequential(nn.Linear(10, 4), nn.ReLU(), nn.Linear(4, 2))
    # input, ReLU's output (saved by ReLU and by the second Linear: one storage)
    assert activation_memory(relu_net, x) == (64 * 10 + 64 * 4) * 4
    hadamard = dql.HadamardQuadric(10, 4)
    plain = activation_memory(hadamard, x)
    assert plain > 64 * 10 * 4
    hadamard.memory_efficient = True
    assert activation_memory(hadamard, x) == 64 * 10 * 4


def test_form_table_and_multiply_adds():
    rows = {r.form: r for r in form_table(6, rank=2)}
    n = 6
    assert rows["linear"].parameters == n + 1 and rows["linear"].max_rank == 0
    assert rows["full"].parameters == n * (n + 1) // 2 + n + 1 and rows["full"].max_rank == n
    assert rows["hadamard"].parameters == 3 * n + 1 and rows["hadamard"].max_rank == 2
    assert rows["lowrank"].parameters == 2 * n + 2 + n + 1 and rows["lowrank"].max_rank == 2
    assert rows["fan"].parameters == 3 * n + 3
    assert multiply_adds(nn.Linear(n, 5)) == 30
    assert multiply_adds(dql.HadamardQuadric(n, 5)) == 3 * 30 + 5


def test_default_device():
    device = default_device()
    assert isinstance(device, torch.device)
    assert device.type == ("cuda" if torch.cuda.is_available() else device.type)
    torch.zeros(1, device=device)
