"""Quadric layers under PyTorch's own distributed engines: DistributedDataParallel, and
FullyShardedDataParallel (``fully_shard``), over two CPU processes (gloo) compute the gradients
of one process on the whole batch.

Both average the gradients of their processes; each process takes the mean loss of its half of
the batch, so the average is the gradient of the mean loss over the whole batch. Every form,
``memory_efficient`` off and on, is trained for a few SGD steps by each engine inside one pair
of processes (tests/distributed_worker.py; starting processes is what costs time), and each
step's gradients are compared with those of a single process.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

WORKER = Path(__file__).with_name("distributed_worker.py")
_spec = importlib.util.spec_from_file_location("distributed_worker", WORKER)
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

pytestmark = pytest.mark.skipif(
    not dist.is_available() or not dist.is_gloo_available(), reason="needs torch.distributed"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def distributed_gradients(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("ddp") / "gradients.pt"
    port = str(_free_port())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # the same dql_teach
    procs = [
        subprocess.Popen([sys.executable, str(WORKER), str(rank), port, str(out)], env=env)
        for rank in range(worker.WORLD_SIZE)
    ]
    codes = [proc.wait(timeout=300) for proc in procs]
    assert codes == [0] * worker.WORLD_SIZE, f"worker exit codes {codes} (stderr above)"
    return torch.load(out, weights_only=True)


@pytest.mark.parametrize("form, memory_efficient", worker.CASES)
@pytest.mark.parametrize("engine", worker.ENGINES)
def test_two_processes_give_the_gradients_of_one(
    distributed_gradients, engine, form, memory_efficient
):
    if engine == "fsdp" and worker.fully_shard is None:
        pytest.skip("torch.distributed.fsdp.fully_shard needs torch >= 2.6")
    X, y = worker.make_data()
    single = worker.train(worker.make_model(form, memory_efficient), X, y)
    distributed = distributed_gradients[engine, form, memory_efficient]
    assert len(distributed) == len(single) == worker.STEPS
    for step, (got, want) in enumerate(zip(distributed, single)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert w.abs().max() > 0  # a gradient that can differ
            torch.testing.assert_close(g, w, rtol=0, atol=1e-6, msg=f"step {step}")
