"""dql_teach.timing: what is run and recorded (no assertion on how fast anything is)."""

import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach.timing import (
    Comparison,
    linear_steps,
    time_against_linear,
    time_interleaved,
    train_step,
)


def test_train_step_is_forward_and_backward_with_fresh_gradients():
    layer = nn.Linear(3, 2)
    x = torch.randn(5, 3)
    step = train_step(layer, x)
    step()
    step()  # gradients are reset, not accumulated
    torch.testing.assert_close(layer.weight.grad, torch.ones(2, 5) @ x)
    torch.testing.assert_close(x.grad, torch.ones(5, 2) @ layer.weight.detach())


def test_time_interleaved_runs_every_step_in_turn_and_restores_threads():
    calls = []
    steps = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    threads = torch.get_num_threads()
    times = time_interleaved(steps, repeats=3, warmup=2, threads=1)
    assert calls == ["a", "a", "b", "b"] + ["a", "b"] + ["a", "b"] * 3  # warm-up, probe, rounds
    assert torch.get_num_threads() == threads
    assert [len(times.seconds[k]) for k in "ab"] == [3, 3]
    assert times.best("a") == min(times.seconds["a"]) and times.median("a") > 0
    assert times.ratio("a", "b") == times.best("a") / times.best("b")
    with pytest.raises(ValueError, match="repeats must be an int >= 1, got 0"):
        time_interleaved(steps, repeats=0)


def test_linear_steps_are_the_forms_flop_equivalents():
    layer = dql.make_layer("diagonal", 6, 4, dtype=torch.float64)
    steps = linear_steps(layer, batch=3)
    assert list(steps) == list(layer.flop_equivalent()) == ["Linear(2n, m)", "Linear(n, 2m)"]


def test_time_against_linear_shares_one_reference_per_shape():
    hadamard = dql.HadamardQuadric(4, 2)
    fan = dql.FanQuadric(4, 2)  # also Linear(n, 3m) = Linear(4, 6)
    x = torch.randn(8, 4)
    candidates = {
        ("hadamard", "library"): (train_step(hadamard, x), hadamard),
        ("fan", "library"): (train_step(fan, x), fan),
    }
    rows = time_against_linear(candidates, 8, repeats=2, warmup=0)
    assert [r.name for r in rows] == list(candidates)
    assert all(isinstance(r, Comparison) and r.reference == "Linear(n, 3m)" for r in rows)
    assert rows[0].reference_ms == rows[1].reference_ms  # the same timed reference
    for r in rows:
        assert r.ratio == pytest.approx(r.ms / r.reference_ms)
