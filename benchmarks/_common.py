"""What every benchmark records about the machine it ran on, where results go, and the
layer-size options the single-size scripts share."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch

RESULTS = Path(__file__).parent / "results"


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> list[float] | None:
    """1, 5, 15-minute load averages: other work on a shared machine disturbs timings."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def machine_info(device: str | None = None) -> dict:
    info = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
        "cuda_available": torch.cuda.is_available(),
        "load_average": load_average(),
    }
    if device is not None and torch.device(device).type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(torch.device(device))
        info["cuda"] = torch.version.cuda
    return info


def write_results(path: Path, run: dict, key: str | None = None) -> Path:
    """Write ``run`` to the JSON file at ``path``, the one way every benchmark saves results.

    With ``key`` (a device type), ``run`` goes under that key and the file's other keys are
    kept: a GPU run and a CPU run, done in different sessions, then live side by side in one
    file. Without, ``run`` is the whole file. Returns ``path``.
    """
    data = run
    if key is not None:
        data = json.loads(path.read_text()) if path.exists() else {}
        data[key] = run
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=key is not None) + "\n")
    return path


def note_missing_gpu(path: Path, note: str) -> None:
    """Record under ``"cuda"`` why a file has no GPU run yet (unless it has one)."""
    if not torch.cuda.is_available() and "cuda" not in json.loads(path.read_text()):
        write_results(path, {"not_measured": note}, "cuda")


def add_layer_arguments(parser: argparse.ArgumentParser) -> None:
    """One layer size on one device: ``--device --dtype --batch --full-batch --n --rank --out``
    (the full form gets its own batch: its ``n(n+1)/2`` monomials per sample dominate memory)."""
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--full-batch", type=int, default=1024)
    parser.add_argument("--n", type=int, default=256, help="in_features = out_features")
    parser.add_argument("--rank", type=int, default=4)
    parser.add_argument("--out", default=None)
