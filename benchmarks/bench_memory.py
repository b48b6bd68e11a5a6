"""Activation memory of each quadric form over that of the ``nn.Linear`` it replaces.

"Activation memory" is what autograd keeps from a forward pass for the backward pass,
measured by :func:`dql_teach.analysis.activation_memory` (every saved tensor's storage, once;
the input counts, as a layer inside a network keeps it). The layer a form replaces is
``nn.Linear(n, m)`` (``nn.Conv2d`` for the convolutions), which keeps only its input; the
FLOP-equivalent linear layer of ``bench_layers.py`` is recorded too.

Each form is measured with ``memory_efficient=False`` (every intermediate stored) and ``True``
(only the input stored; the form's intermediates are recomputed in backward with
``torch.utils.checkpoint``), and the two are checked to give the same outputs and gradients:
the largest absolute difference must be <= 1e-6.

Usage::

    python benchmarks/bench_memory.py                  # CPU: batch 4096, n = m = 256, float32
    python benchmarks/bench_memory.py --quick
    python benchmarks/bench_memory.py --device cuda --dtype bfloat16 --batch 8192 --n 1024

Prints a table and writes ``benchmarks/results/memory.json`` (keyed by device type).
Target (issue 5): ratio <= 1.5 with ``memory_efficient=True``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from _common import RESULTS, add_layer_arguments, machine_info, note_missing_gpu, write_results
from torch import nn

import dql_teach as dql
from dql_teach.analysis import activation_memory

TARGET = 1.5
TOLERANCE = 1e-6
FORMS = dql.QUADRIC_FORMS


def outputs_and_grads(layer: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    x = x.detach().clone().requires_grad_()
    layer.zero_grad(set_to_none=True)
    y = layer(x)
    # a fixed, non-uniform output gradient exercises every path of the backward
    y.backward(torch.linspace(-1, 1, y.numel(), device=y.device, dtype=y.dtype).view_as(y))
    return [y.detach(), x.grad, *(p.grad for p in layer.parameters())]


def max_difference(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max((u.double() - v.double()).abs().max().item() for u, v in zip(a, b))


def measure(make, x: torch.Tensor, reference: nn.Module, flop_ref: nn.Module | None, x_flop):
    """Bytes with memory_efficient off and on, ratios, and the on/off difference."""
    torch.manual_seed(0)
    plain = make(memory_efficient=False)
    efficient = make(memory_efficient=True)
    efficient.load_state_dict(plain.state_dict())
    bytes_off = activation_memory(plain, x)
    bytes_on = activation_memory(efficient, x)
    bytes_ref = activation_memory(reference, x)
    row = {
        "bytes_off": bytes_off,
        "bytes_on": bytes_on,
        "reference_bytes": bytes_ref,
        "ratio_off": bytes_off / bytes_ref,
        "ratio_on": bytes_on / bytes_ref,
        "max_difference_on_vs_off": max_difference(
            outputs_and_grads(plain, x), outputs_and_grads(efficient, x)
        ),
    }
    if flop_ref is not None:
        row["flop_equivalent_bytes"] = activation_memory(flop_ref, x_flop)
        row["ratio_off_vs_flop_equivalent"] = bytes_off / row["flop_equivalent_bytes"]
        row["ratio_on_vs_flop_equivalent"] = bytes_on / row["flop_equivalent_bytes"]
    return row


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_layer_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="batch 256, n = 32")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch, args.full_batch, args.n = 256, 256, 32
    device, dtype = torch.device(args.device), getattr(torch, args.dtype)
    factory = {"device": device, "dtype": dtype}
    n = m = args.n
    k = min(args.rank, n)
    rows = []
    for form in FORMS:
        batch = args.full_batch if form == "full" else args.batch
        x = torch.randn(batch, n, **factory)

        def make(form=form, **kw):
            return dql.make_layer(form, n, m, rank=k, **factory, **kw)

        # the headline linear layer of the form's multiply-adds (the one bench_layers times)
        meta = dql.make_layer(form, n, m, rank=k, device="meta")  # sizes only, no memory
        fan_in, fan_out = next(iter(meta.flop_equivalent().values()))

        row = measure(
            make,
            x,
            nn.Linear(n, m, **factory),
            nn.Linear(fan_in, fan_out, **factory),
            torch.randn(batch, fan_in, **factory),
        )
        rows.append({"layer": form, "batch": batch, "n": n, "m": m, **row})
    # the convolutions: QuadricConv2d against the nn.Conv2d it replaces
    conv_shape = (8, 8, 16, 16) if args.quick else (64, 16, 32, 32)
    xc = torch.randn(*conv_shape, **factory)
    channels = conv_shape[1]
    for form in FORMS:

        def make_conv(form=form, **kw):
            return dql.QuadricConv2d(
                channels, channels, 3, padding=1, form=form, rank=min(args.rank, channels * 9),
                **factory, **kw,
            )  # fmt: skip

        row = measure(
            make_conv, xc, nn.Conv2d(channels, channels, 3, padding=1, **factory), None, None
        )
        rows.append({"layer": f"conv2d {form}", "batch": conv_shape[0], "n": channels,
                     "m": channels, **row})  # fmt: skip

    print(f"{args.device} {args.dtype}: activation memory / that of the layer replaced")
    print(f"{'layer':16s} {'batch':>6s} {'off':>6s} {'on':>6s} {'max |on - off|':>15s}")
    for r in rows:
        flag = (
            "" if r["ratio_on"] <= TARGET and r["max_difference_on_vs_off"] <= TOLERANCE else "  !"
        )
        print(
            f"{r['layer']:16s} {r['batch']:6d} {r['ratio_off']:6.2f} {r['ratio_on']:6.2f} "
            f"{r['max_difference_on_vs_off']:15.2e}{flag}"
        )
    run = {
        "machine": machine_info(args.device),
        "settings": {k_: v for k_, v in vars(args).items() if k_ != "out"},
        "target_ratio_on": TARGET,
        "tolerance": TOLERANCE,
        "reference": "nn.Linear(n, m) / nn.Conv2d(C, C, 3, padding=1): the layer replaced",
        "results": rows,
    }
    out = Path(args.out) if args.out else RESULTS / f"memory{'-quick' if args.quick else ''}.json"
    write_results(out, run, device.type)
    note_missing_gpu(out, "no GPU was available to this session")
    print(f"wrote {out} [{device.type}]")
    return run


if __name__ == "__main__":
    main()
