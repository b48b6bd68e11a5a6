"""Quadric layers under PyTorch's own distributed engines: DistributedDataParallel, and
FullyShardedDataParallel (``fully_shard``), over two CPU processes (gloo) compute the gradients
of one process on the whole batch.

Both average the gradients of their processes; each process takes the mean loss of its half of
the batch, so the average is the gradient of the mean loss over the whole batch. Every form,
``memory_efficient`` off and on, is trained for a few SGD steps by each engine inside one pair
of processes (starting processes is what costs time), and each step's gradients are compared
with those of a single process.
"""

from __future__ import annotations

import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
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

pytestmark = pytest.mark.skipif(
    not dist.is_available() or not dist.is_gloo_available(), reason="needs torch.distributed"
)


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


def _worker(rank: int, port: int, out: str) -> None:
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def distributed_gradients(tmp_path_factory) -> dict:
    out = str(tmp_path_factory.mktemp("ddp") / "gradients.pt")
    mp.spawn(_worker, args=(_free_port(), out), nprocs=WORLD_SIZE, join=True)
    return torch.load(out, weights_only=True)


@pytest.mark.parametrize("form, memory_efficient", CASES)
@pytest.mark.parametrize("engine", ENGINES)
def test_two_processes_give_the_gradients_of_one(
    distributed_gradients, engine, form, memory_efficient
):
    if engine == "fsdp" and fully_shard is None:
        pytest.skip("torch.distributed.fsdp.fully_shard needs torch >= 2.6")
    X, y = make_data()
    single = train(make_model(form, memory_efficient), X, y)
    distributed = distributed_gradients[engine, form, memory_efficient]
    assert len(distributed) == len(single) == STEPS
    for step, (got, want) in enumerate(zip(distributed, single)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert w.abs().max() > 0  # a gradient that can differ
            torch.testing.assert_close(g, w, rtol=0, atol=1e-6, msg=f"step {step}")
