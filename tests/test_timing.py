"""dql_teach.timing: what is run and recorded (no assertion on how fast anything is)."""

import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach.timing import (
    Comparison,
    describe_machine,
    linear_steps,
    read_benchmark,
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


def test_read_benchmark_reads_a_results_file_and_is_empty_where_there_is_none(tmp_path):
    (tmp_path / "layers.json").write_text('{"cpu": {"results": [{"ratio": 1.5}]}}')
    assert read_benchmark("layers", tmp_path) == {"cpu": {"results": [{"ratio": 1.5}]}}
    assert read_benchmark("memory", tmp_path) == {}
    # the repository's own files, found from the package's location
    assert "cpu" in read_benchmark("layers")
    for bad in ("", "results/layers", 3):
        with pytest.raises(ValueError, match="name must be a results file's name"):
            read_benchmark(bad)


def test_describe_machine_names_the_gpu_or_the_cpu_and_when():
    cpu = {"cpu": "AMD EPYC", "cpu_count": 2, "threads": 1, "torch": "2.13.0+cpu",
           "date": "2026-11-30T23:41:12+0000", "cuda_available": False}  # fmt: skip
    assert (
        describe_machine(cpu) == "AMD EPYC (2 cores, 1 torch thread), torch 2.13.0+cpu, 2026-11-30"
    )
    gpu = {**cpu, "gpu": "NVIDIA H200", "cuda": "12.8"}
    assert describe_machine(gpu) == "NVIDIA H200 (CUDA 12.8), torch 2.13.0+cpu, 2026-11-30"
    assert describe_machine({}) == "a CPU"
    with pytest.raises(TypeError, match="machine must be a mapping, got list"):
        describe_machine([])
