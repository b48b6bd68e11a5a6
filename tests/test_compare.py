"""make_mlp, run_seeds, pareto_front, smallest_reaching: the tools of episode 4's comparisons."""

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
