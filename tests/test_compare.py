"""make_mlp, run_seeds, pareto_front, smallest_reaching: the tools of episode 4's comparisons."""

import math
import re
import statistics

import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach.compare import SeedResult


def result(name: str, params: int, *accuracies: float) -> SeedResult:
    return SeedResult(name, params, 0, accuracies=list(accuracies))


def test_make_mlp_builds_the_named_layers_with_activations_between():
    model = dql.make_mlp([4, 6, 5, 3], ["lowrank", "linear", "lowrank"], rank=2)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["LowRankQuadric", "ReLU", "Linear", "ReLU", "LowRankQuadric"]
    assert model[0].rank == model[4].rank == 2  # options reach the quadric layers only
    assert model(torch.randn(7, 4)).shape == (7, 3)
    assert dql.count_parameters(dql.make_mlp([2, 8, 1])) == 2 * 8 + 8 + 8 + 1
    tanh = dql.make_mlp([2, 3, 1], "diagonal", activation=nn.Tanh)
    assert isinstance(tanh[1], nn.Tanh) and len(tanh) == 3


@pytest.mark.parametrize(
    "sizes, forms, match",
    [
        ([4], "linear", "two or more"),
        ([4, 0, 1], "linear", r"sizes\[1\] must be an int >= 1, got 0"),
        ([4, 2, 1], ["linear"], "2 layers need 2 forms"),
        ([4, 2, 1], "cubic", "form must be one of"),
    ],
)
def test_make_mlp_rejects_bad_input(sizes, forms, match):
    with pytest.raises(ValueError, match=match):
        dql.make_mlp(sizes, forms)


def test_make_mlp_rejects_a_bool_width():
    with pytest.raises(TypeError, match=r"sizes\[1\] must be an int, got bool True"):
        dql.make_mlp([2, True, 1])


def test_run_seeds_trains_one_model_per_seed_on_seeded_splits():
    X, y = dql.make_dataset("circles", n_samples=200, seed=0)
    r = dql.run_seeds(
        "quadric", lambda: dql.make_mlp([2, 1], "full"), X, y, seeds=[0, 1, 2], epochs=150, lr=0.1
    )
    assert (r.params, r.connections) == (6, 2)
    assert r.seeds == [0, 1, 2] and len(r.accuracies) == len(r.models) == 3
    assert r.mean == pytest.approx(statistics.fmean(r.accuracies))
    assert r.std == pytest.approx(statistics.stdev(r.accuracies))
    assert r.mean > 0.9  # one quadric neuron separates the circles
    # a seed's run is reproducible, and different seeds give different models
    again = dql.run_seeds(
        "quadric", lambda: dql.make_mlp([2, 1], "full"), X, y, seeds=[1], epochs=150, lr=0.1
    )
    assert again.accuracies[0] == r.accuracies[1]
    torch.testing.assert_close(again.models[0][0].weight, r.models[1][0].weight)
    assert not torch.equal(r.models[0][0].weight, r.models[1][0].weight)
    # the held-out fraction is what was asked: 25% of 200 points
    X_tr, X_te, y_tr, y_te = dql.train_test_split(X, y, 0.25, seed=2)
    assert r.accuracies[2] == dql.evaluate(r.models[2], X_te, y_te)
    assert "quadric" in str(r) and "±" in str(r)


def test_run_seeds_rejects_bad_input():
    X, y = dql.make_dataset("moons", n_samples=40)
    with pytest.raises(TypeError, match="a new model"):
        dql.run_seeds("x", nn.Linear(2, 1), X, y)  # a model, not a function that makes one
    with pytest.raises(TypeError, match="a new model"):
        dql.run_seeds("x", None, X, y)
    with pytest.raises(ValueError, match="at least one seed"):
        dql.run_seeds("x", lambda: nn.Linear(2, 1), X, y, seeds=[])


def test_one_seed_has_zero_spread():
    assert result("a", 1, 0.5).std == 0.0


def test_pareto_front_keeps_only_models_no_smaller_one_beats():
    rows = [
        result("big", 100, 0.95),
        result("tiny", 5, 0.6),
        result("worse and bigger", 50, 0.7),
        result("mid", 20, 0.8),
        result("tie", 20, 0.75),
    ]
    assert [r.name for r in dql.pareto_front(rows)] == ["tiny", "mid", "big"]
    assert dql.pareto_front([]) == []


def test_smallest_reaching_takes_the_fewest_parameters_at_or_above_the_target():
    rows = [result("a", 30, 0.9), result("b", 10, 0.7), result("c", 20, 0.8, 1.0)]
    assert dql.smallest_reaching(rows, 0.9).name == "c"  # mean 0.9 counts as reaching
    assert dql.smallest_reaching(rows, 0.5).name == "b"
    assert dql.smallest_reaching(rows, 0.99) is None


def test_markdown_table_renders_rows_and_checks_their_length():
    table = dql.viz.markdown_table(["form", "neuron"], [["hadamard", "$|w|$"], ["x", 3]])
    assert table.data.splitlines() == [
        "| form | neuron |",
        "| --- | --- |",
        "| hadamard | $\\|w\\|$ |",
        "| x | 3 |",
    ]
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        dql.viz.markdown_table(["a", "b"], [["only one"]])


# --- seeds trained together ------------------------------------------------------------------
def double_mlp(sizes, forms):
    return lambda: dql.make_mlp(sizes, forms).double()


@pytest.mark.parametrize(
    "data, sizes, forms, test_size",
    [
        ("moons", [2, 4, 1], ["diagonal", "linear"], 0.25),
        ("spirals", [2, 3, 1], ["hadamard", "diagonal"], 0.25),
        ("iris", [4, 5, 3], ["linear", "lowrank"], 0.2),  # three classes: cross-entropy
    ],
)
def test_seeds_trained_together_end_where_one_fit_each_ends(data, sizes, forms, test_size):
    """float64, so that rounding (the batched products add in another order) stays far below
    the tolerance: same split, same initial weights, same Adam steps per seed."""
    if data == "iris":
        X, y = dql.load_iris()
        X = (X - X.mean(0)) / X.std(0)
    else:
        X, y = dql.make_dataset(data, n_samples=200, seed=0)
    X = X.double()
    options = dict(seeds=[0, 3, 7, 11], test_size=test_size, epochs=80, lr=0.05)
    alone = dql.run_seeds("a", double_mlp(sizes, forms), X, y, together=False, **options)
    together = dql.run_seeds("t", double_mlp(sizes, forms), X, y, together=True, **options)
    assert together.seeds == alone.seeds and together.accuracies == alone.accuracies
    for m_alone, m_together in zip(alone.models, together.models):
        for (name, p), q in zip(m_alone.named_parameters(), m_together.parameters()):
            torch.testing.assert_close(q, p, rtol=1e-10, atol=1e-12, msg=name)
    for h_alone, h_together in zip(alone.histories, together.histories):
        assert h_together.loss == pytest.approx(h_alone.loss, rel=1e-10)
        assert h_together.accuracy == h_alone.accuracy
    # the seeds did train apart: different weights, not one model copied
    assert not torch.equal(together.models[0][0].weight, together.models[1][0].weight)


def test_run_seeds_trains_together_where_it_gives_the_same_result(monkeypatch):
    calls = []
    original = dql.compare.fit_together
    monkeypatch.setattr(
        dql.compare, "fit_together", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    X, y = dql.make_dataset("moons", n_samples=80)
    run = dict(X=X, y=y, seeds=range(4), epochs=3)
    dql.run_seeds("full batch", lambda: dql.make_mlp([2, 3, 1], "diagonal"), **run)
    assert calls == [1]
    dql.run_seeds("batch of all", lambda: nn.Linear(2, 1), batch_size=1000, **run)
    assert calls == [1, 1]  # a batch larger than the data is full-batch training
    dql.run_seeds("two seeds", lambda: nn.Linear(2, 1), **{**run, "seeds": [0, 1]})
    dql.run_seeds("two seeds", lambda: nn.Linear(2, 1), **{**run, "seeds": [0, 1]}, together=True)
    assert calls == [1, 1, 1]  # too few seeds to pay, unless asked for
    big = lambda: dql.make_mlp([2, 2**16, 1])  # noqa: E731 - 60 rows x 2**18 params > 2**22
    dql.run_seeds("large", big, **{**run, "epochs": 1})
    assert calls == [1, 1, 1]
    for options in [dict(batch_size=16), dict(callback=lambda e, m: None), dict(together=False)]:
        dql.run_seeds("one at a time", lambda: nn.Linear(2, 1), **run, **options)
    dql.run_seeds("no vmap rule", lambda: dql.make_mlp([2, 1], "full"), **run)  # custom autograd
    assert calls == [1, 1, 1]


class CountsCalls(nn.Module):
    """A linear layer that counts its forward calls in a buffer: state that forward changes."""

    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(2, 1)
        self.register_buffer("calls", torch.zeros(()))

    def forward(self, x):
        self.calls += 1
        return self.layer(x)


@pytest.mark.parametrize(
    "build, options, reason",
    [
        (lambda: nn.Linear(2, 1), dict(batch_size=16), "mini-batches"),
        (lambda: nn.Linear(2, 1), dict(callback=print), "['callback'] need one model at a time"),
        (lambda: dql.make_mlp([2, 1], "full"), {}, "vmap cannot run the model"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 1)), {},
         "random operation"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)), {},
         "running_mean"),
        (CountsCalls, {}, "changes its buffers in forward"),
    ],
)  # fmt: skip
def test_together_true_says_why_it_cannot(build, options, reason):
    X, y = dql.make_dataset("moons", n_samples=80)
    with pytest.raises(ValueError, match=re.escape(reason)):
        dql.run_seeds("x", build, X, y, seeds=[0, 1], epochs=2, together=True, **options)
    r = dql.run_seeds("x", build, X, y, seeds=[0, 1], epochs=2, **options)  # one at a time
    assert len(r.accuracies) == 2


def test_fit_together_checks_its_input_like_fit():
    X, y = dql.make_dataset("moons", n_samples=40)
    two = [nn.Linear(2, 1), nn.Linear(2, 1)]
    with pytest.raises(ValueError, match="one entry per model, got 2, 1 and 2"):
        dql.fit_together(two, [X], [y, y])
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got 0"):
        dql.fit_together(two, [X, X], [y, y], epochs=0)
    with pytest.raises(ValueError, match="so y must hold labels 0 and 1"):
        dql.fit_together(two, [X, X], [y, y * 2])
    with pytest.raises(ValueError, match="the same number of samples"):
        dql.fit_together(two, [X, X[:30]], [y, y[:30]])
    with pytest.raises(ValueError, match="the models differ in their parameters"):
        dql.fit_together([nn.Linear(2, 1), nn.Linear(2, 1, bias=False)], [X, X], [y, y])


def test_fit_together_divergence_names_the_model_and_keeps_the_weights():
    X, y = dql.make_dataset("moons", n_samples=40)
    models = [nn.Linear(2, 1), nn.Linear(2, 1)]
    before = [m.weight.detach().clone() for m in models]
    X_bad = X.clone()
    X_bad[3, 0] = math.nan
    with pytest.raises(FloatingPointError, match=r"model 1 \(of 2 trained together\): the loss "
                       r"became nan at epoch 1 of 5"):  # fmt: skip
        dql.fit_together(models, [X, X_bad], [y, y], epochs=5)
    assert all(torch.equal(m.weight, b) for m, b in zip(models, before))


def test_fit_together_restores_threads_modes_and_random_state():
    X, y = dql.make_dataset("moons", n_samples=40)
    models = [nn.Linear(2, 1).eval(), nn.Linear(2, 1).eval()]
    threads = torch.get_num_threads()
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    dql.fit_together(models, [X, X], [y, y], epochs=3)
    assert torch.equal(torch.rand(2), expected)
    assert torch.get_num_threads() == threads and not any(m.training for m in models)


def test_run_seeds_checks_seeds_and_options():
    X, y = dql.make_dataset("moons", n_samples=40)
    build = lambda: nn.Linear(2, 1)  # noqa: E731
    with pytest.raises(ValueError, match=r"seeds must differ .* got \[1, 1\]"):
        dql.run_seeds("x", build, X, y, seeds=[1, 1])
    with pytest.raises(ValueError, match=r"seeds\[\] must be an int in \[0, 4294967295\]"):
        dql.run_seeds("x", build, X, y, seeds=[2**40])
    with pytest.raises(TypeError, match=r"options that fit does not take: \['epoch'\]"):
        dql.run_seeds("x", build, X, y, epoch=3)
    with pytest.raises(TypeError, match="together must be None, True or False"):
        dql.run_seeds("x", build, X, y, together="yes")
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 4294967295\]"):
        dql.run_seeds("x", build, X, y, seed=2**40)  # unused by full-batch training, still checked
    with pytest.raises(TypeError, match="batch_size must be an int or None, got str"):
        dql.run_seeds("x", build, X, y, batch_size="16")


@pytest.mark.parametrize("options", [dict(batch_size=16), {}])
def test_a_seeds_run_does_not_depend_on_the_other_seeds(options):
    """Dropout (and mini-batches) draw random numbers while training: each seed draws them
    from its own seed, whichever seeds run with it and whichever path trains them."""
    X, y = dql.make_dataset("moons", n_samples=80)

    def build():
        return nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.3), nn.Linear(8, 1))

    both = dql.run_seeds("x", build, X, y, seeds=[0, 1], epochs=5, **options)
    alone = dql.run_seeds("x", build, X, y, seeds=[1], epochs=5, **options)
    torch.testing.assert_close(both.models[1][0].weight, alone.models[0][0].weight)
    assert both.histories[1].loss == alone.histories[0].loss
