"""The two processes of tests/test_distributed.py: each trains every form under DDP and FSDP2 on
its half of the batch and rank 0 saves the gradients.

Started as a script (``python tests/distributed_worker.py RANK PORT OUT``) by the test rather
than by ``torch.multiprocessing.spawn``: a spawned process unpickles its function by module
name, and under pytest's importlib import mode the test module's name is not importable from a
fresh interpreter in every environment (it failed in .venv-colab); a script needs no pickling.
The test imports this file for the shared pieces (model, data, training loop).
"""

from __future__ import annotations

import os
import sys

import torch
import torch.distributed as dist
from torch import nn

import dql_teach as dql

WORLD_SIZE = 2
BATCH, N_IN, HIDDEN, STEPS = 8, 3, 4, 3
ENGINES = ["ddp", "fsdp"]
CASES = [(form, me) for form in dql.QUADRIC_FORMS for me in (False, True)]

try:  # torch >= 2.6; older versions have it as torch.distributed._composable.fsdp
    from torch.distributed.fsdp import fully_shard
except ImportError:  # pragma: no cover
    fully_shard = None


def make_model(form: str, memory_efficient: bool) -> nn.Module:
    torch.manual_seed(0)
    model = dql.make_mlp(
        [N_IN, HIDDEN, 1], form, nn.Tanh, rank=2, memory_efficient=memory_efficient
    ).double()
    # generic values: the low-rank form's Λ would otherwise start at zero
    return dql.randomize_(model, std=0.5, generator=torch.Generator().manual_seed(1))


def make_data() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(2)
    X = torch.randn(BATCH, N_IN, generator=gen, dtype=torch.float64)
    return X, torch.randn(BATCH, 1, generator=gen, dtype=torch.float64)


def train(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> list[list[torch.Tensor]]:
    """The gradients of every parameter after each of ``STEPS`` SGD steps on the mean loss."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    grads = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        # FSDP's gradients are shards (DTensors): gather them (every process takes part)
        full = [getattr(p.grad, "full_tensor", p.grad.detach)() for p in model.parameters()]
        grads.append([g.detach().clone() for g in full])
        optimizer.step()
    return grads


def distribute(model: nn.Module, engine: str) -> nn.Module:
    if engine == "ddp":
        return nn.parallel.DistributedDataParallel(model)
    for layer in model:  # FSDP2's recipe: shard each layer with parameters, then the root
        if next(layer.parameters(), None) is not None:
            fully_shard(layer)
    return fully_shard(model)


def worker(rank: int, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD_SIZE)
    try:
        X, y = make_data()
        half = slice(rank * BATCH // WORLD_SIZE, (rank + 1) * BATCH // WORLD_SIZE)
        results = {}
        for engine in ENGINES if fully_shard is not None else ["ddp"]:
            for form, memory_efficient in CASES:
                model = distribute(make_model(form, memory_efficient), engine)
                results[engine, form, memory_efficient] = train(model, X[half], y[half])
        if rank == 0:
            torch.save(results, out)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    rank, port, out = sys.argv[1:]
    worker(int(rank), int(port), out)
