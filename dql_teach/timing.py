"""Timing training steps fairly on a busy machine: forward + backward of several candidates,
interleaved, compared by their fastest and their median steps.

A step is ``zero_grad(); fn(x).sum().backward()`` with ``x.requires_grad`` (a layer inside a
network also computes the gradient of its input). The candidates run in turn, one step each,
``repeats`` times after a warm-up, so a slow phase of the machine hits all of them. On a shared
CPU another process can stall a step for many milliseconds, so the fair ratio of two
candidates is that of their *fastest* steps (the least disturbed ones); the ratio of medians
is given beside it. On CUDA each timed sample runs enough steps to last about 20 ms between
two ``torch.cuda.synchronize()``, so launch overheads are averaged out.

Example:
    >>> from torch import nn
    >>> steps = {"wide": train_step(nn.Linear(8, 64), torch.randn(32, 8)),
    ...          "narrow": train_step(nn.Linear(8, 4), torch.randn(32, 8))}
    >>> times = time_interleaved(steps, repeats=3, warmup=1)
    >>> sorted(times.seconds), len(times.seconds["wide"])
    (['narrow', 'wide'], 3)
    >>> times.ratio("wide", "narrow") > 0
    True
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from ._checks import check_int, check_positive_int
from .forms import form_facts

__all__ = [
    "Comparison",
    "Timings",
    "describe_machine",
    "linear_steps",
    "read_benchmark",
    "time_against_linear",
    "time_interleaved",
    "train_step",
]

Step = Callable[[], None]


def train_step(
    fn: Callable[[Tensor], Tensor], x: Tensor, params: Iterable[Tensor] | None = None
) -> Step:
    """One forward + backward pass of ``fn(x).sum()``, gradients reset first.

    Args:
        fn: a module or any function of one tensor.
        x: its input; it gets ``requires_grad`` (the gradient of the input is part of a step).
        params: the tensors whose gradients to reset (default: ``fn.parameters()`` for a
            module, none otherwise).
    """
    x.requires_grad_(True)
    if params is None:
        params = fn.parameters() if isinstance(fn, nn.Module) else ()
    params = list(params)

    def step() -> None:
        for p in params:
            p.grad = None
        x.grad = None
        fn(x).sum().backward()

    return step


def _linear_step(fan_in: int, fan_out: int, batch: int, like: nn.Module) -> Step:
    ref = next(like.parameters())
    factory = {"device": ref.device, "dtype": ref.dtype}
    return train_step(nn.Linear(fan_in, fan_out, **factory), torch.randn(batch, fan_in, **factory))


def linear_steps(layer: nn.Module, batch: int) -> dict[str, Step]:
    """A :func:`train_step` of each FLOP-equivalent ``nn.Linear`` of ``layer`` (its form's
    ``flop_equivalent()``, the headline one first), on random inputs of ``batch`` samples, on
    the layer's device and dtype: the references a form is timed against."""
    shapes = form_facts(layer).flop_equivalent(layer)
    return {name: _linear_step(*shape, batch, layer) for name, shape in shapes.items()}


@dataclass
class Timings:
    """Seconds per step of each candidate (``seconds[name]``, one entry per repeat)."""

    seconds: dict[Hashable, list[float]]

    def best(self, name: Hashable) -> float:
        """The fastest step of ``name``, in seconds."""
        return min(self.seconds[name])

    def median(self, name: Hashable) -> float:
        """The median step of ``name``, in seconds."""
        return statistics.median(self.seconds[name])

    def ratio(self, name: Hashable, reference: Hashable) -> float:
        """Fastest step of ``name`` over that of ``reference``: the headline comparison."""
        return self.best(name) / self.best(reference)

    def ratio_of_medians(self, name: Hashable, reference: Hashable) -> float:
        """Median step of ``name`` over that of ``reference``."""
        return self.median(name) / self.median(reference)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_interleaved(
    steps: Mapping[Hashable, Step],
    *,
    repeats: int = 20,
    warmup: int = 3,
    device: str | torch.device = "cpu",
    threads: int | None = None,
) -> Timings:
    """Time each of ``steps``, run in turn ``repeats`` times after ``warmup`` runs each.

    Args:
        steps: name -> a function that runs one step (:func:`train_step`).
        repeats: timed rounds; each round runs every step once (more on CUDA, see above).
        warmup: untimed runs of each step first (allocator, kernel choice, lazy init).
        device: where the steps run: CUDA steps are synchronised before and after timing.
        threads: CPU threads while timing (``torch.set_num_threads``), restored after; by
            default as set. One thread suits a small shared CPU: two threads stall each other
            whenever another process runs.

    Returns:
        The :class:`Timings`.
    """
    check_positive_int("repeats", repeats)
    check_int("warmup", warmup, minimum=0)
    check_positive_int("threads", threads, allow_none=True)
    device = torch.device(device)
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        for step in steps.values():
            for _ in range(warmup):
                step()
        inner = {}  # steps per timed sample: on a GPU one step can be shorter than a launch
        for name, step in steps.items():
            _sync(device)
            start = time.perf_counter()
            step()
            _sync(device)
            one = time.perf_counter() - start
            inner[name] = 1 if device.type != "cuda" else max(1, math.ceil(0.02 / max(one, 1e-6)))
        seconds: dict[Hashable, list[float]] = {name: [] for name in steps}
        for _ in range(repeats):
            for name, step in steps.items():
                _sync(device)
                start = time.perf_counter()
                for _ in range(inner[name]):
                    step()
                _sync(device)
                seconds[name].append((time.perf_counter() - start) / inner[name])
    finally:
        torch.set_num_threads(previous)
    return Timings(seconds)


@dataclass(frozen=True)
class Comparison:
    """One candidate of :func:`time_against_linear` against its FLOP-equivalent linear layer.

    Attributes:
        name: the candidate's key.
        reference: the linear layer's name (``"Linear(n, 3m)"``).
        ms, reference_ms: the fastest step of each, in milliseconds.
        ratio: ``ms / reference_ms``, the headline comparison.
        ratio_of_medians: the same for the median steps.
    """

    name: Hashable
    reference: str
    ms: float
    reference_ms: float
    ratio: float
    ratio_of_medians: float


def time_against_linear(
    candidates: Mapping[Hashable, tuple[Step, nn.Module]], batch: int, **timing
) -> list[Comparison]:
    """Time steps against the FLOP-equivalent ``nn.Linear`` of the form each one computes, all
    interleaved in one :func:`time_interleaved` run.

    Args:
        candidates: name -> ``(step, layer)``: a :func:`train_step` and the layer (a quadric
            form or ``nn.Linear``) whose arithmetic it does; several ways of computing one
            form share its reference.
        batch: samples per step of the references (that of the candidates' inputs).
        timing: ``repeats, warmup, device, threads`` of :func:`time_interleaved`.

    Returns:
        One :class:`Comparison` per candidate, in order.
    """
    check_positive_int("batch", batch)
    steps: dict[Hashable, Step] = {
        ("candidate", name): step for name, (step, _) in candidates.items()
    }
    headline = {}
    for name, (_, layer) in candidates.items():
        label, shape = next(iter(form_facts(layer).flop_equivalent(layer).items()))
        headline[name] = label, shape
        if ("linear", shape) not in steps:  # one reference per shape
            steps["linear", shape] = _linear_step(*shape, batch, layer)
    times = time_interleaved(steps, **timing)
    rows = []
    for name in candidates:
        label, shape = headline[name]
        key, ref = ("candidate", name), ("linear", shape)
        rows.append(
            Comparison(
                name=name,
                reference=label,
                ms=times.best(key) * 1e3,
                reference_ms=times.best(ref) * 1e3,
                ratio=times.ratio(key, ref),
                ratio_of_medians=times.ratio_of_medians(key, ref),
            )
        )
    return rows


def _results_folders(folder: str | Path | None) -> list[Path]:
    if folder is not None:
        return [Path(folder)]
    # this checkout's benchmarks/results (the package sits in the repository), else the one
    # above the working directory (a notebook runs in book/)
    here = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
    return [here] + [p / "benchmarks" / "results" for p in (Path.cwd(), *Path.cwd().parents)]


def read_benchmark(name: str, folder: str | Path | None = None) -> dict:
    """The measured figures of one benchmark, ``benchmarks/results/<name>.json``.

    The benchmarks (``benchmarks/*.py``) key their files by device type: ``"cpu"`` and
    ``"cuda"`` entries, each with the ``"machine"`` it ran on and its ``"results"``; an entry
    without results says why (``"not_measured"``). The episodes read them at build time to
    show what was measured, and where.

    Args:
        name: the file's name without ``.json`` (``"layers"``, ``"compile"``, ``"memory"``).
        folder: where to look; by default the repository this package belongs to, then the
            working directory and its parents.

    Returns:
        The file's contents, or ``{}`` where this copy of the project has no such file (an
        installed package, Colab).

    Example:
        >>> sorted(read_benchmark("layers"))  # doctest: +SKIP
        ['cpu', 'cuda']
        >>> read_benchmark("no-such-benchmark")
        {}
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"name must be a results file's name (no folder, no .json), got {name!r}")
    for results in _results_folders(folder):
        path = results / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text())
    return {}


def describe_machine(machine: Mapping) -> str:
    """A benchmark's ``"machine"`` record in a few words: the GPU (or the CPU, its cores and
    torch threads), torch's version and the date.

    Example:
        >>> describe_machine({"cpu": "AMD EPYC", "cpu_count": 2, "threads": 2,
        ...                   "torch": "2.13.0+cpu", "date": "2026-11-30T23:41:12+0000"})
        'AMD EPYC (2 cores, 2 torch threads), torch 2.13.0+cpu, 2026-11-30'
        >>> describe_machine({"gpu": "NVIDIA H100", "cuda": "12.4", "torch": "2.5.1"})
        'NVIDIA H100 (CUDA 12.4), torch 2.5.1'
    """
    if not isinstance(machine, Mapping):
        raise TypeError(f"machine must be a mapping, got {type(machine).__name__}")
    if machine.get("gpu"):
        cuda = f" (CUDA {machine['cuda']})" if machine.get("cuda") else ""
        parts = [f"{machine['gpu']}{cuda}"]
    else:
        details = [
            f"{machine[k]} {w}{'s' if machine[k] != 1 else ''}"
            for k, w in (("cpu_count", "core"), ("threads", "torch thread"))
            if k in machine
        ]
        cpu = machine.get("cpu", "a CPU")
        parts = [f"{cpu} ({', '.join(details)})" if details else cpu]
    if machine.get("torch"):
        parts.append(f"torch {machine['torch']}")
    if machine.get("date"):
        parts.append(str(machine["date"])[:10])
    return ", ".join(parts)
