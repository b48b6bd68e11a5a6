"""Does every quadric form compile with ``torch.compile(fullgraph=True)``, give the same
results, and run faster?

For each form (dense layers, and ``QuadricConv2d`` with ``--conv``), with
``memory_efficient`` off and on: compile with ``fullgraph=True`` (any graph break is an
error), compare the compiled forward and the gradients of the input and every parameter with
eager ones, then time forward + backward of both (median of ``--repeats`` steps after
warm-up). Compile time is recorded too: on a CPU, Inductor writes and builds C++ with the
system compiler, which costs tens of seconds per form.

Usage::

    python benchmarks/compile_check.py                     # CPU: batch 4096, n = m = 256
    python benchmarks/compile_check.py --quick             # batch 256, n = 32, no timing run
    python benchmarks/compile_check.py --device cuda --dtype bfloat16 --batch 8192 --n 1024

Writes ``benchmarks/results/compile.json`` (keyed by device type).
"""

from __future__ import annotations

import argparse
import time
import traceback
from pathlib import Path

import torch
from _common import RESULTS, add_layer_arguments, machine_info, write_results
from torch import nn

import dql_teach as dql
from dql_teach.timing import time_interleaved, train_step

FORMS = dql.QUADRIC_FORMS
TOLERANCE = {torch.float32: 1e-4, torch.float64: 1e-10, torch.bfloat16: 3e-2, torch.float16: 3e-3}


def run_step(layer: nn.Module, x: torch.Tensor, grad_out: torch.Tensor | None = None):
    x = x.detach().clone().requires_grad_()
    layer.zero_grad(set_to_none=True)
    y = layer(x)
    y.backward(torch.ones_like(y) if grad_out is None else grad_out)
    return [y.detach(), x.grad, *(p.grad for p in layer.parameters())]


def relative_difference(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    worst = 0.0
    for u, v in zip(a, b):
        scale = u.double().abs().max().item() or 1.0
        worst = max(worst, (u.double() - v.double()).abs().max().item() / scale)
    return worst


def check(name, make, x, repeats, device, dtype) -> dict:
    torch.manual_seed(0)
    eager = make()
    compiled_module = make()
    compiled_module.load_state_dict(eager.state_dict())
    compiled = torch.compile(compiled_module, fullgraph=True)
    row = {"layer": name}
    try:
        start = time.perf_counter()
        got = run_step(compiled, x)  # first call: trace, compile forward and backward
        row["compile_s"] = time.perf_counter() - start
    except Exception as error:  # report every form, not just the first failure
        row.update(ok=False, error=f"{type(error).__name__}: {error}".splitlines()[0])
        traceback.print_exc()
        return row
    want = run_step(eager, x)
    row["max_relative_difference"] = relative_difference(want, got)
    row["ok"] = row["max_relative_difference"] <= TOLERANCE[dtype]
    if repeats:
        steps = {"eager": train_step(eager, x.clone()), "compiled": train_step(compiled, x.clone())}
        times = time_interleaved(steps, repeats=repeats, warmup=2, device=device)
        row["eager_ms"] = times.median("eager") * 1e3
        row["compiled_ms"] = times.median("compiled") * 1e3
        row["speedup"] = row["eager_ms"] / row["compiled_ms"]
    return row


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_layer_arguments(parser)
    parser.add_argument("--repeats", type=int, default=10, help="timed steps (0: no timing)")
    parser.add_argument("--forms", nargs="+", default=FORMS, choices=FORMS)
    parser.add_argument("--conv", action="store_true", help="also QuadricConv2d (slow)")
    parser.add_argument("--quick", action="store_true", help="batch 256, n = 32, no timing")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch, args.full_batch, args.n, args.repeats = 256, 256, 32, 0
    device, dtype = torch.device(args.device), getattr(torch, args.dtype)
    factory = {"device": device, "dtype": dtype}
    n = args.n
    rows = []
    for form in args.forms:
        batch = args.full_batch if form == "full" else args.batch
        x = torch.randn(batch, n, **factory)
        for efficient in (False, True):

            def make(form=form, efficient=efficient):
                return dql.make_layer(
                    form, n, n, rank=min(args.rank, n), **factory, memory_efficient=efficient
                )

            name = form + (" (memory_efficient)" if efficient else "")
            rows.append(check(name, make, x, args.repeats, device, dtype))
            print(rows[-1], flush=True)
            torch._dynamo.reset()
    if args.conv:
        xc = torch.randn(8, 4, 16, 16, **factory)
        for form in args.forms:

            def make_conv(form=form):
                return dql.QuadricConv2d(4, 8, 3, padding=1, form=form, **factory)

            rows.append(check(f"conv2d {form}", make_conv, xc, args.repeats, device, dtype))
            print(rows[-1], flush=True)
            torch._dynamo.reset()
    print(f"\n{args.device} {args.dtype}: torch.compile(fullgraph=True)")
    print(f"{'layer':30s} {'ok':>3s} {'compile s':>9s} {'rel diff':>9s} {'speedup':>8s}")
    for r in rows:
        speed = f"{r['speedup']:8.2f}" if "speedup" in r else ""
        diff = f"{r['max_relative_difference']:9.1e}" if "max_relative_difference" in r else ""
        print(f"{r['layer']:30s} {'yes' if r['ok'] else 'NO':>3s} "
              f"{r.get('compile_s', float('nan')):9.1f} {diff:>9s} {speed}"
              + (f"  {r['error']}" if "error" in r else ""))  # fmt: skip
    run = {"machine": machine_info(args.device), "settings": vars(args) | {"out": None}}
    run["results"] = rows
    out = Path(args.out) if args.out else RESULTS / f"compile{'-quick' if args.quick else ''}.json"
    write_results(out, run, device.type)
    print(f"wrote {out} [{device.type}]")
    return run


if __name__ == "__main__":
    main()
