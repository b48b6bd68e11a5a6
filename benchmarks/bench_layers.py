"""Forward + backward time of each quadric form against its FLOP-equivalent ``nn.Linear``.

The reference for each form is the plain ``nn.Linear`` doing the same number of multiply-adds
per sample, so a ratio near 1 means the form costs no more than the arithmetic it needs:

======== ==================================================== ==============================
form     what it computes                                     reference
======== ==================================================== ==============================
hadamard one GEMM of 3m outputs, then a multiply-add          ``Linear(n, 3m)``
fan      one GEMM of 2m outputs + one on x∘x                  ``Linear(n, 3m)``
lowrank  one GEMM of (k+1)m outputs, then Λ-weighted squares  ``Linear(n, (k+1)m)``
diagonal one GEMM on x∘x + one on x                           ``Linear(n, 2m)``
full     monomials x_i x_j (i<=j), one GEMM on them + linear  ``Linear(n(n+1)/2 + n, m)``
======== ==================================================== ==============================

Usage::

    python benchmarks/bench_layers.py            # CPU: batch 4096, n = m = 256, float32
    python benchmarks/bench_layers.py --device cuda --dtype bfloat16 --batch 8192 --n 1024

Prints a table and writes ``benchmarks/results/layers-<device>-<dtype>.json``. Targets
(issue 5): ratio <= 1.3 on a 2-core CPU, <= 1.15 on a GPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch
from torch import nn

import dql_teach as dql

RESULTS = Path(__file__).parent / "results"


def reference(form: str, n: int, m: int, k: int) -> nn.Module:
    outputs = {"hadamard": 3 * m, "fan": 3 * m, "lowrank": (k + 1) * m, "diagonal": 2 * m}
    if form == "full":
        return nn.Linear(n * (n + 1) // 2 + n, m)
    return nn.Linear(n, outputs[form])


def time_fwd_bwd(layer: nn.Module, x: torch.Tensor, repeats: int, device: str) -> float:
    """Median seconds of one forward + backward pass."""

    def step():
        layer.zero_grad(set_to_none=True)
        layer(x).sum().backward()

    for _ in range(3):  # warm-up: allocator, kernels, thread pools
        step()
    times = []
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--n", type=int, default=256, help="in_features = out_features")
    parser.add_argument("--rank", type=int, default=4)
    # the full form's monomials are n(n+1)/2 wide: a smaller batch keeps them in memory
    parser.add_argument("--full-batch", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    device, dtype = args.device, getattr(torch, args.dtype)
    n = m = args.n
    rows = []
    for form in ["hadamard", "fan", "lowrank", "diagonal", "full"]:
        torch.manual_seed(0)
        batch = args.full_batch if form == "full" else args.batch
        options = {"rank": args.rank} if form == "lowrank" else {}
        layer = dql.make_layer(form, n, m, device=device, dtype=dtype, **options)
        ref = reference(form, n, m, args.rank).to(device=device, dtype=dtype)
        x = torch.randn(batch, n, device=device, dtype=dtype, requires_grad=True)
        x_ref = torch.randn(batch, ref.in_features, device=device, dtype=dtype, requires_grad=True)
        t_form = time_fwd_bwd(layer, x, args.repeats, device)
        t_ref = time_fwd_bwd(ref, x_ref, args.repeats, device)
        rows.append({"form": form, "batch": batch, "reference": repr(ref),
                     "form_ms": t_form * 1e3, "reference_ms": t_ref * 1e3,
                     "ratio": t_form / t_ref})  # fmt: skip
    print(f"{args.device} {args.dtype}, n = m = {n}, low-rank k = {args.rank}")
    print(f"{'form':9s} {'batch':>6s} {'form ms':>9s} {'linear ms':>10s} {'ratio':>6s}")
    for r in rows:
        print(f"{r['form']:9s} {r['batch']:6d} {r['form_ms']:9.2f} {r['reference_ms']:10.2f} "
              f"{r['ratio']:6.2f}")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"layers-{args.device}-{args.dtype}.json"
    info = {
        "device": torch.cuda.get_device_name()
        if device == "cuda"
        else platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "args": vars(args),
        "rows": rows,
    }
    out.write_text(json.dumps(info, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
