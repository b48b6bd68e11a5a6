"""Forward + backward time of each quadric form over that of its FLOP-equivalent ``nn.Linear``.

The reference for each form is the plain ``nn.Linear`` doing the same multiply-adds per
sample, as the form states it (``layer.flop_equivalent()``), so a ratio near 1 means the form
costs no more time than the arithmetic it needs:

======== ==================================================== ==============================
form     what the layer computes                              reference
======== ==================================================== ==============================
hadamard one GEMM with 3m outputs, then a multiply-add         ``Linear(n, 3m)``
fan      one GEMM with 2m outputs, one on x∘x, a multiply-add  ``Linear(n, 3m)``
lowrank  one GEMM with (k+1)m outputs, then Λ-weighted squares ``Linear(n, (k+1)m)``
diagonal one GEMM on x∘x, one on x                             ``Linear(2n, m)``
full     monomials x_i x_j (i <= j), one GEMM on them, one     ``Linear(n(n+1)/2 + n, m)``
         on x
======== ==================================================== ==============================

The diagonal form's reference is ``Linear(2n, m)``, not ``Linear(n, 2m)``: both do ``2nm``
multiply-adds, but the diagonal neuron *is* a linear neuron on the ``2n`` features
``[x∘x, x]``, just as the full neuron is one on its ``n(n+1)/2 + n`` monomials; the two
references are timed and both ratios are recorded.

Timing is :func:`dql_teach.timing.time_interleaved` (the method is in its docstring): every
step is ``zero_grad(); layer(x).sum().backward()`` with ``x.requires_grad``, the form and its
references alternate, and the headline ratio is that of the *fastest* steps, the ratio of
medians recorded beside it.

Usage::

    python benchmarks/bench_layers.py                 # CPU: batch 4096, n = m = 256, float32
    python benchmarks/bench_layers.py --quick         # a small run (seconds)
    python benchmarks/bench_layers.py --device cuda --dtype float32 bfloat16 \\
        --batch 8192 --n 1024                         # the GPU case of issue 5

Prints a table and writes ``benchmarks/results/layers.json`` (``layers-quick.json`` with
``--quick``), keyed by device type, so a CPU run and a GPU run made in different sessions
live side by side. Targets (issue 5): ratio <= 1.3 on the 2-core CPU, <= 1.15 on a GPU.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from _common import RESULTS, load_average, machine_info, note_missing_gpu, write_results

import dql_teach as dql
from dql_teach.timing import linear_steps, time_interleaved, train_step

FORMS = dql.QUADRIC_FORMS
TARGETS = {"cpu": 1.3, "cuda": 1.15}
NO_GPU = (
    "no GPU was available to the session that wrote this file; run "
    "`python benchmarks/bench_layers.py --device cuda --batch 8192 --n 1024` on one"
)


def bench_form(form, n, m, batch, rank, device, dtype, repeats, warmup, memory_efficient):
    torch.manual_seed(0)
    factory = {"device": device, "dtype": dtype}
    layer = dql.make_layer(form, n, m, rank=rank, **factory)
    x = torch.randn(batch, n, **factory)
    steps = {"form": train_step(layer, x)}
    if memory_efficient:
        layer_me = dql.make_layer(form, n, m, rank=rank, memory_efficient=True, **factory)
        steps["form (memory_efficient)"] = train_step(layer_me, x)
    refs = linear_steps(layer, batch)
    steps.update(refs)
    times = time_interleaved(steps, repeats=repeats, warmup=warmup, device=device)
    headline = next(iter(refs))
    row = {
        "form": form,
        "n": n,
        "m": m,
        "batch": batch,
        "rank": getattr(layer, "rank", None),
        "reference": headline,
        "form_ms": times.best("form") * 1e3,
        "reference_ms": times.best(headline) * 1e3,
        "ratio": times.ratio("form", headline),
        "ratio_of_medians": times.ratio_of_medians("form", headline),
        "best_ms": {name: times.best(name) * 1e3 for name in steps},
        "median_ms": {name: times.median(name) * 1e3 for name in steps},
        "all_ms": {name: [round(v * 1e3, 4) for v in t] for name, t in times.seconds.items()},
    }
    if memory_efficient:
        row["ratio_memory_efficient"] = times.ratio("form (memory_efficient)", headline)
    for name in list(refs)[1:]:
        row[f"ratio vs {name}"] = times.ratio("form", name)
    del layer, x, steps
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return row


def print_table(title: str, rows: list[dict], target: float | None) -> None:
    print(title)
    header = f"{'form':9s} {'n':>5s} {'batch':>6s} {'form ms':>9s} {'linear ms':>10s} {'ratio':>6s}"
    print(header + f" {'median':>7s} {'mem-eff':>7s}  reference")
    for r in rows:
        me = r.get("ratio_memory_efficient")
        flag = "" if target is None or r["ratio"] <= target else "  > target"
        print(
            f"{r['form']:9s} {r['n']:5d} {r['batch']:6d} {r['form_ms']:9.2f} "
            f"{r['reference_ms']:10.2f} {r['ratio']:6.2f} {r['ratio_of_medians']:7.2f} "
            f"{'' if me is None else f'{me:7.2f}':>7s}  {r['reference']}{flag}"
        )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", nargs="+", default=["cpu"], help="cpu, cuda, cuda:1 ...")
    parser.add_argument(
        "--dtype", nargs="+", default=None, help="default: float32 on CPU, float32 bfloat16 on CUDA"
    )
    parser.add_argument("--batch", type=int, default=None, help="default 4096 (CPU), 8192 (CUDA)")
    parser.add_argument("--n", type=int, nargs="+", default=None, help="n = m; 256 CPU, 1024 CUDA")
    parser.add_argument("--rank", type=int, default=4, help="k of the low-rank form")
    parser.add_argument(
        "--full-batch",
        type=int,
        default=1024,
        help="batch of the full form, whose n(n+1)/2 monomials per sample dominate memory",
    )
    parser.add_argument("--forms", nargs="+", default=FORMS, choices=FORMS)
    parser.add_argument("--repeats", type=int, default=None, help="default 20 (5 with --quick)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    parser.add_argument(
        "--no-memory-efficient", action="store_true", help="skip timing memory_efficient=True"
    )
    parser.add_argument("--quick", action="store_true", help="batch 512, n = 64, 5 repeats")
    parser.add_argument("--out", default=None, help="results file (default results/layers.json)")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    runs = {}
    for device_name in args.device:
        device = torch.device(device_name)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise SystemExit(f"--device {device_name}: torch.cuda.is_available() is False here")
        gpu = device.type == "cuda"
        dtypes = args.dtype or (["float32", "bfloat16"] if gpu else ["float32"])
        sizes = args.n or ([64] if args.quick else [1024] if gpu else [256])
        batch = args.batch or (512 if args.quick else 8192 if gpu else 4096)
        full_batch = min(args.full_batch, batch)
        repeats = args.repeats or (5 if args.quick else 20)
        run = {
            "machine": machine_info(device_name),
            "settings": {
                "batch": batch,
                "full_batch": full_batch,
                "sizes": sizes,
                "dtypes": dtypes,
                "rank": args.rank,
                "repeats": repeats,
                "warmup": args.warmup,
                "quick": args.quick,
                "headline": "ratio = fastest form step / fastest reference step, interleaved",
            },
            "target": TARGETS.get(device.type),
            "results": [],
        }
        for dtype_name in dtypes:
            dtype = getattr(torch, dtype_name)
            for n in sizes:
                rows = []
                for form in args.forms:
                    b = full_batch if form == "full" else batch
                    row = bench_form(
                        form, n, n, b, min(args.rank, n), device, dtype,
                        repeats, args.warmup, not args.no_memory_efficient,
                    )  # fmt: skip
                    row["dtype"] = dtype_name
                    rows.append(row)
                print_table(
                    f"\n{device_name} ({run['machine'].get('gpu', run['machine']['cpu'])}), "
                    f"{dtype_name}, n = m = {n}, k = {args.rank}, "
                    f"{run['machine']['threads']} threads",
                    rows,
                    run["target"],
                )
                run["results"] += rows
        run["machine"]["load_average_after"] = load_average()
        runs[device.type] = run
        out = (
            Path(args.out) if args.out else RESULTS / f"layers{'-quick' if args.quick else ''}.json"
        )
        write_results(out, run, device.type)
        print(f"wrote {out} [{device.type}]")
    note_missing_gpu(out, NO_GPU)
    return runs


if __name__ == "__main__":
    main()
