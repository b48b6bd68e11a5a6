"""dql_teach.train (fit, History, evaluate, predict) and dql_teach.device."""

import math
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dql_teach as dql
from dql_teach.data import make_dataset
from dql_teach.device import default_device
from dql_teach.train import History, evaluate, fit, predict


@pytest.fixture(scope="module")
def moons():
    return make_dataset("moons", 300, seed=0)


@pytest.fixture(scope="module")
def circles():
    return make_dataset("circles", 200, seed=0)


def mlp(out=1, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, out))


class NaNModel(nn.Module):
    """A linear layer whose output turns NaN from a given forward call on."""

    def __init__(self, nan_from_call=0):
        super().__init__()
        self.layer = nn.Linear(2, 1)
        self.calls, self.nan_from_call = 0, nan_from_call

    def forward(self, x):
        out = self.layer(x)
        self.calls += self.training  # training steps only (fit's label check runs in eval mode)
        return out * float("nan") if self.calls > self.nan_from_call else out


def mse(logits, target):
    return (logits - target).pow(2).mean()


# --- it learns, and History records what happened -----------------------------------------------
@pytest.mark.parametrize("out", [1, 2])
def test_fit_learns_an_easy_problem(moons, out):
    X, y = moons
    model = mlp(out)
    history = fit(model, X, y, epochs=150, lr=0.05, progress=False)
    assert isinstance(history, History)
    assert history.epochs == len(history.loss) == len(history.accuracy) == 150
    assert history.val_loss == [] and history.val_accuracy == []
    assert history.loss[-1] < history.loss[0] / 3
    assert history.final_accuracy > 0.95 and history.final_loss == history.loss[-1]
    assert evaluate(model, X, y) > 0.95
    assert all(isinstance(v, float) and 0 <= v <= 1 for v in history.accuracy)


def test_one_quadric_neuron_fits_circles_with_quadratic_param_groups(circles):
    X, y = circles
    torch.manual_seed(0)
    model = dql.FanQuadric(2, 1, init="relinear")
    groups = dql.quadratic_param_groups(model, lr=0.05, quadratic_lr=0.02)
    history = fit(model, X, y, epochs=300, param_groups=groups, progress=False)
    assert history.final_accuracy > 0.95


def test_multiclass_on_iris():
    X, y = dql.load_iris()
    X = (X - X.mean(0)) / X.std(0)
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    history = fit(model, X, y.int(), epochs=200, lr=0.05, progress=False)  # int32 labels work
    assert history.final_accuracy > 0.9


def test_history_records_validation_and_callback(moons):
    X, y = moons
    seen = []
    history = fit(
        mlp(),
        X[:200],
        y[:200],
        epochs=30,
        lr=0.05,
        X_val=X[200:],
        y_val=y[200:],
        callback=lambda epoch, model: seen.append((epoch, isinstance(model, nn.Sequential))),
        progress=False,
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 30
    assert seen == [(epoch, True) for epoch in range(30)]
    assert history.val_accuracy[-1] > 0.8


def test_history_defaults_and_short_repr():
    h = History()
    assert h.epochs == 0 and math.isnan(h.final_accuracy) and math.isnan(h.final_loss)
    h = History(loss=[0.5] * 300, accuracy=[0.75] * 300, val_loss=[0.6], val_accuracy=[0.5])
    assert repr(h) == (
        "History(epochs=300, final_loss=0.5, final_accuracy=0.75, final_val_accuracy=0.5)"
    )


# --- it is exactly the training loop it claims to be ----------------------------------------
def test_full_batch_fit_is_plain_adam(moons):
    """Adam by default, one step per epoch, loss measured before the step."""
    X, y = moons
    model, reference = mlp(seed=1), mlp(seed=1)
    history = fit(model, X, y, epochs=5, lr=0.02, progress=False)
    optimizer = torch.optim.Adam(reference.parameters(), lr=0.02)
    losses = []
    for _ in range(5):
        loss = F.binary_cross_entropy_with_logits(reference(X).squeeze(-1), y.float())
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert history.loss == pytest.approx(losses, rel=1e-6)
    for p, q in zip(model.parameters(), reference.parameters()):
        assert torch.allclose(p, q)


def test_given_optimizer_and_loss_are_used(moons):
    X, y = moons
    model, reference = mlp(2, seed=2), mlp(2, seed=2)
    fit(model, X, y, epochs=3, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        loss_fn=F.cross_entropy, progress=False)  # fmt: skip
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    for _ in range(3):
        loss = F.cross_entropy(reference(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    for p, q in zip(model.parameters(), reference.parameters()):
        assert torch.allclose(p, q)


def test_param_groups_set_each_groups_learning_rate(circles):
    X, y = circles
    torch.manual_seed(0)
    model = dql.HadamardQuadric(2, 1)
    quadratic = model.quadratic_parameters()
    frozen = [p.detach().clone() for p in quadratic]
    linear = [p for p in model.parameters() if all(p is not q for q in quadratic)]
    groups = [{"params": linear}, {"params": quadratic, "lr": 0.0}]  # first group gets lr
    before = [p.detach().clone() for p in linear]
    fit(model, X, y, epochs=5, lr=0.1, param_groups=groups, progress=False)
    assert all(torch.equal(p, q) for p, q in zip(quadratic, frozen))
    assert all(not torch.equal(p, q) for p, q in zip(linear, before))


def test_accuracy_is_measured_per_epoch(circles):
    X, y = circles
    model = nn.Linear(2, 1)
    history = fit(model, X, y, epochs=1, lr=1e-9, progress=False)  # a step that changes ~nothing
    assert history.accuracy[0] == pytest.approx(evaluate(model, X, y))
    with torch.no_grad():
        expected = F.binary_cross_entropy_with_logits(model(X).squeeze(-1), y.float())
    assert history.loss[0] == pytest.approx(float(expected), rel=1e-5)


# --- mini-batches ---------------------------------------------------------------------------
def test_minibatches_are_seeded(circles):
    X, y = circles

    def run(seed):
        torch.manual_seed(0)
        return fit(dql.QuadricLinear(2, 1), X, y, epochs=4, batch_size=32, seed=seed,
                   progress=False).loss  # fmt: skip

    assert run(7) == run(7)
    assert run(7) != run(8)
    # one full-size batch is full-batch training
    torch.manual_seed(0)
    full = fit(dql.QuadricLinear(2, 1), X, y, epochs=4, progress=False).loss
    torch.manual_seed(0)
    assert (
        fit(dql.QuadricLinear(2, 1), X, y, epochs=4, batch_size=len(X), progress=False).loss == full
    )


def test_minibatch_seed_none_follows_torch_manual_seed(circles):
    X, y = circles
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        runs.append(fit(nn.Linear(2, 1), X, y, epochs=3, batch_size=16, progress=False).loss)
    assert runs[0] == runs[1]


def test_seeded_fit_leaves_global_random_state_alone(circles):
    X, y = circles
    model = nn.Linear(2, 1)
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    fit(model, X, y, epochs=3, batch_size=16, seed=1, progress=False)
    assert torch.equal(torch.rand(3), expected)


def test_minibatch_history_averages_over_the_epoch(circles):
    X, y = circles
    history = fit(nn.Linear(2, 1), X, y, epochs=3, batch_size=64, seed=0, progress=False)
    assert len(history.loss) == 3 and all(0 <= a <= 1 for a in history.accuracy)


# --- NaN and inf stop training at once -------------------------------------------------------
def test_nan_output_stops_at_epoch_1_without_updating(circles):
    X, y = circles
    model = NaNModel()
    before = [p.detach().clone() for p in model.parameters()]
    calls = []
    with pytest.raises(
        FloatingPointError, match=r"loss became nan at epoch 1 of 10.*lower learning rate"
    ):
        fit(model, X, y, epochs=10, progress=False, callback=lambda e, m: calls.append(e))
    assert calls == [] and model.calls == 1  # stopped at the first step: nothing trained on NaN
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before))


def test_nan_later_names_its_epoch_and_mini_batch(circles):
    X, y = circles
    with pytest.raises(FloatingPointError, match=r"epoch 4 of 10:"):
        fit(NaNModel(nan_from_call=3), X, y, epochs=10, progress=False)
    # 200 points in batches of 50: 4 steps per epoch; call 6 is epoch 2, mini-batch 2
    with pytest.raises(FloatingPointError, match=r"epoch 2 of 10 \(mini-batch 2 of 4\)"):
        fit(NaNModel(nan_from_call=5), X, y, epochs=10, batch_size=50, seed=0, progress=False)


def test_a_huge_learning_rate_diverges_with_a_clear_error(circles):
    """Gradient descent on a squared loss diverges geometrically once lr exceeds 2 / the
    largest curvature; the loss overflows to inf within a few dozen steps."""
    X, y = circles
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
    with pytest.raises(FloatingPointError) as error:
        fit(model, 3 * X, y, epochs=500, optimizer=optimizer, loss_fn=mse, progress=False)
    message = str(error.value)
    assert re.search(r"the loss became (inf|nan) at epoch \d+ of 500", message)
    assert "lower learning rate (lr=5.0 now)" in message


def test_divergence_restores_the_last_parameters_with_a_finite_loss(circles):
    """The update that makes the loss non-finite is only seen at the next step: fit undoes it,
    so the model keeps the weights of the last epoch whose loss was finite."""
    X, y = circles
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
    seen = [model.weight.detach().clone()]  # w_0, then w_t after epoch t
    with pytest.raises(FloatingPointError, match="restored to those before the last update"):
        fit(model, 3 * X, y, epochs=500, optimizer=optimizer, loss_fn=mse, progress=False,
            callback=lambda e, m: seen.append(m.weight.detach().clone()))  # fmt: skip
    # the loss of w_{T-1} (the last seen) was not finite: the model is back at w_{T-2}
    torch.testing.assert_close(model.weight, seen[-2], rtol=0, atol=0)
    with torch.no_grad():
        assert math.isfinite(mse(model(3 * X).squeeze(-1), y.float()).item())


def test_a_nan_gradient_leaves_finite_weights(circles):
    X, y = circles
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    steps = []
    # the third backward pass gives NaN gradients: Adam then writes NaN into the weights
    model.weight.register_hook(lambda g: g * math.nan if len(steps) == 2 else steps.append(1))
    with pytest.raises(FloatingPointError, match="loss became nan at epoch 4 of 10"):
        fit(model, X, y, epochs=10, lr=0.1, progress=False)
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_fit_works_under_inference_mode(circles):
    X, y = circles
    model = nn.Linear(2, 1)
    before = model.weight.detach().clone()
    with torch.inference_mode():
        history = fit(model, X, y, epochs=3, lr=0.1, progress=False)
        X_inference = X.clone()  # an inference tensor, which autograd cannot save
        fit(model, X_inference, y, epochs=3, lr=0.1, progress=False)
        with pytest.raises(ValueError, match="created under torch.inference_mode"):
            fit(nn.Linear(2, 1), X, y, epochs=1, progress=False)
    assert history.epochs == 3 and not torch.equal(model.weight, before)


# --- the progress bar, modes, threads ------------------------------------------------------------
def test_progress_false_prints_nothing_and_true_shows_a_bar(circles, capsys):
    X, y = circles
    fit(nn.Linear(2, 1), X, y, epochs=20, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    fit(nn.Linear(2, 1), X, y, epochs=20, progress=True)
    err = capsys.readouterr().err
    assert "20/20" in err and "loss=" in err and "acc=" in err


def test_training_mode_and_thread_count_are_restored(circles):
    X, y = circles
    threads = torch.get_num_threads()
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 1))
    model.eval()
    fit(model, X, y, epochs=2, progress=False)
    assert not model.training and torch.get_num_threads() == threads
    model.train()
    fit(model, X, y, epochs=2, progress=False)
    assert model.training and torch.get_num_threads() == threads
    with pytest.raises(FloatingPointError):
        fit(NaNModel(), X, y, epochs=2, progress=False)
    assert torch.get_num_threads() == threads


def test_fit_works_under_no_grad(circles):
    X, y = circles
    model = nn.Linear(2, 1)
    before = model.weight.detach().clone()
    with torch.no_grad():
        fit(model, X, y, epochs=2, lr=0.1, progress=False)
    assert not torch.equal(model.weight, before)


# --- predict and evaluate -----------------------------------------------------------------------
def test_predict_thresholds_one_logit_and_argmaxes_several():
    X = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]])
    one = nn.Linear(2, 1)
    with torch.no_grad():
        one.weight.copy_(torch.tensor([[1.0, 0.0]]))
        one.bias.zero_()
    assert predict(one, X).tolist() == [1, 0, 0]  # logit 0 is class 0: strictly positive is 1
    several = nn.Linear(2, 3)
    with torch.no_grad():
        several.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]]))
        several.bias.copy_(torch.tensor([0.0, 0.0, 0.5]))
    assert predict(several, X).tolist() == [0, 1, 2]
    assert predict(one, X).dtype == torch.int64
    y = torch.tensor([1, 1, 0])
    assert evaluate(one, X, y) == pytest.approx(2 / 3)


def test_predict_uses_eval_mode_and_restores_it():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Dropout(0.9), nn.Linear(32, 3))
    X = torch.randn(64, 2)
    first = predict(model, X)
    assert model.training  # restored
    assert all(torch.equal(predict(model, X), first) for _ in range(3))  # no dropout noise


# --- bad input: the message names the argument, the value and what is expected ---------------
def test_fit_bad_inputs(circles):
    X, y = circles
    model = nn.Linear(2, 1)
    cases = [
        (TypeError, "model must be a torch.nn.Module, got function", dict(model=lambda x: x)),
        (TypeError, "X must be a torch.Tensor, got ndarray", dict(X=X.numpy())),
        (TypeError, "X must be a floating-point tensor, got torch.int64", dict(X=X.long())),
        (TypeError, "X has dtype torch.float64 but the model's parameters have torch.float32",
         dict(X=X.double())),
        (TypeError, "y must be an integer tensor of class labels (torch.int64), got torch.float32",
         dict(y=y.float())),
        (TypeError, "y must be an integer tensor", dict(y=y.bool())),
        (ValueError, "X and y must have the same number of samples: y must have shape (N,) with "
         "N = len(X) = 200, got y of shape (5,)", dict(y=y[:5])),
        (ValueError, "got y of shape (200, 1)", dict(y=y[:, None])),
        (ValueError, "X must hold at least one sample", dict(X=X[:0], y=y[:0])),
        (ValueError, "X_val and y_val must be given together", dict(X_val=X)),
        (ValueError, "X_val and y_val must have the same number of samples",
         dict(X_val=X, y_val=y[:3])),
        (ValueError, "epochs must be an int >= 1, got 0", dict(epochs=0)),
        (TypeError, "epochs must be an int, got float 2.5", dict(epochs=2.5)),
        (ValueError, "lr must be a number > 0, got -1.0", dict(lr=-1)),
        (ValueError, "lr must be a finite number, got nan", dict(lr=math.nan)),
        (ValueError, "lr must be at most 3.403e+38, the largest torch.float32 (the dtype of the "
         "model's parameters), got 1e+39", dict(lr=1e39)),
        (ValueError, "param_groups[0]['lr'] must be at most 3.403e+38",
         dict(param_groups=[{"params": list(model.parameters()), "lr": 1e39}])),
        (ValueError, "batch_size must be an int >= 1, got 0", dict(batch_size=0)),
        (ValueError, "seed must be an int in [0, 4294967295], got 1180591620717411303424",
         dict(seed=2**70)),
        (ValueError, "X_val must hold at least one sample, got shape (0, 2)",
         dict(X_val=X[:0], y_val=y[:0])),
        (ValueError, "the model must return logits of shape (N,), (N, 1) or (N, C) with N = 2 "
         "samples, got (2, 1, 1)", dict(model=nn.Sequential(model, nn.Unflatten(1, (1, 1))))),
        (TypeError, "optimizer must be a torch.optim.Optimizer, got str", dict(optimizer="adam")),
        (ValueError, "give optimizer or param_groups, not both",
         dict(optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
              param_groups=[{"params": list(model.parameters())}])),
        (ValueError, "param_groups must be a non-empty list of dicts, got []",
         dict(param_groups=[])),
        (TypeError, "param_groups[0] must be a dict with a 'params' key", dict(param_groups=[1])),
        (TypeError, "seed must be an int or None, got float 1.5", dict(seed=1.5)),
        (TypeError, "callback must be callable, got int", dict(callback=3)),
        (TypeError, "loss_fn must be callable, got str", dict(loss_fn="mse")),
        (ValueError, "must hold labels 0 and 1, got labels from 0 to 2", dict(y=y * 2)),
        (ValueError, "model gives 3 logits per sample, so y must hold labels 0..2, got labels "
         "from 0 to 5", dict(model=nn.Linear(2, 3), y=y * 5)),
        (ValueError, "model has no parameters to train", dict(model=nn.Identity())),
        (ValueError, "so y_val must hold labels 0 and 1, got labels from 0 to 3",
         dict(X_val=X, y_val=y * 3)),
    ]  # fmt: skip
    for error, message, overrides in cases:
        args = {"model": model, "X": X, "y": y, "epochs": 2, "progress": False, **overrides}
        before = model.weight.detach().clone()
        with pytest.raises(error, match=re.escape(message)):
            fit(args.pop("model"), args.pop("X"), args.pop("y"), **args)
        assert torch.equal(model.weight, before), message  # checked before any training


def test_evaluate_and_predict_bad_inputs(circles):
    X, y = circles
    model = nn.Linear(2, 1)
    with pytest.raises(TypeError, match="X must be a floating-point tensor"):
        predict(model, X.long())
    with pytest.raises(ValueError, match=r"got y of shape \(3,\)"):
        evaluate(model, X, y[:3])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        evaluate("model", X, y)


def test_evaluate_checks_the_labels_against_the_outputs(circles):
    X, y = circles
    with pytest.raises(ValueError, match="so y must hold labels 0 and 1, got labels from 0 to 2"):
        evaluate(dql.DiagonalQuadric(2, 1), X, y * 2)
    with pytest.raises(ValueError, match=r"3 logits per sample, so y must hold labels 0\.\.2"):
        evaluate(nn.Linear(2, 3), X, y * 5)
    assert 0 <= evaluate(nn.Linear(2, 3), X, y * 2) <= 1  # labels 0 and 2 of three classes


def test_evaluate_on_no_samples_is_an_error(circles):
    X, y = circles
    with pytest.raises(ValueError, match=r"X must hold at least one sample, got shape \(0, 2\)"):
        evaluate(nn.Linear(2, 1), X[:0], y[:0])


def test_model_outputs_of_another_shape_are_named():
    X, y = make_dataset("circles", 64)
    three_d = nn.Sequential(nn.Linear(2, 1), nn.Unflatten(1, (1, 1)))  # (N, 1, 1)
    with pytest.raises(ValueError, match=r"logits of shape \(N,\), \(N, 1\) or \(N, C\)"):
        fit(three_d, X, y, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"N = 64 samples, got \(64, 1, 1\)"):
        evaluate(three_d, X, y)


# --- devices -----------------------------------------------------------------------------------
def test_default_device_is_usable():
    device = default_device()
    assert isinstance(device, torch.device) and device.type in {"cuda", "mps", "cpu"}
    if torch.cuda.is_available():
        assert device.type == "cuda"
    assert torch.zeros(2, device=device).sum().item() == 0


def test_model_and_data_on_different_devices_is_reported(circles):
    X, y = circles
    model = nn.Linear(2, 1).to("meta")  # a second device that needs no accelerator
    with pytest.raises(ValueError, match=r"X is on cpu but the model is on meta"):
        fit(model, X, y, epochs=1, progress=False)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_fit_on_cuda(circles):
    X, y = (t.cuda() for t in circles)
    torch.manual_seed(0)
    model = dql.QuadricLinear(2, 1).cuda()
    history = fit(model, X, y, epochs=300, lr=0.05, batch_size=64, seed=0, progress=False)
    assert history.final_accuracy > 0.95 and evaluate(model, X, y) > 0.95
    assert predict(model, X).device.type == "cuda"


def test_fit_and_run_seeds_train_a_batchnorm_that_uses_batch_statistics(circles):
    """``BatchNorm1d(track_running_stats=False)`` normalises with the batch's statistics in
    eval mode too, so it cannot run on one sample; fit's size check used one and failed."""
    X, y = circles

    def build():
        return nn.Sequential(
            dql.HadamardQuadric(2, 4), nn.BatchNorm1d(4, track_running_stats=False),
            nn.Linear(4, 1),
        )  # fmt: skip

    torch.manual_seed(0)
    history = fit(build(), X, y, epochs=3, progress=False)
    assert history.epochs == 3
    # no buffers: the seeds can be trained together, and end where one fit per seed does
    together = dql.run_seeds("bn", build, X, y, seeds=range(4), epochs=20, together=True)
    alone = dql.run_seeds("bn", build, X, y, seeds=range(4), epochs=20, together=False)
    assert together.accuracies == pytest.approx(alone.accuracies, abs=1e-9)
