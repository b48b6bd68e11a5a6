"""The playground's maths against the library's: fixtures exported here, checked by Node.

This test writes JSON fixtures computed by ``dql_teach`` (float64) into a temporary folder,
then runs ``node --test`` on ``tests/js/`` with ``DQL_PLAYGROUND_FIXTURES`` pointing there:

- every form (n = 2 with m = 1 and 3, and n = 3 with m = 2; the low-rank form with k = 1
  and 2) on random weights and inputs: outputs, the gradients of a scalar loss with respect
  to every parameter and to the inputs, and ``as_quadric()``;
- 2-h-1 networks (``make_mlp([2, h, 1], [form, "linear"])``) and single neurons: logits, the
  mean binary cross-entropy and its gradients, and a few steps of ``torch.optim.Adam``;
- ``classify_quadric`` names of random and special conics;
- the datasets' names, default noise and the Gaussian classes, and the noise-free circles
  and moons;
- the page script as the book serves it (``page_script()``).

Nothing is committed: the fixtures come from whatever the library computes now, so the page
and the library cannot drift apart. Node's own output is shown when a check fails.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

import dql_teach as dql
from dql_teach.playground import page_script

ROOT = Path(__file__).resolve().parent.parent
JS_TESTS = sorted((ROOT / "tests" / "js").glob("*.test.mjs"))
NODE = shutil.which("node") or shutil.which("nodejs")


def _lists(state) -> dict:
    return {k: v.detach().double().tolist() for k, v in state.items()}


def _form_cases() -> list[dict]:
    gen = torch.Generator().manual_seed(0)
    cases = []
    # n = 2 is the playground's plane (its own fast loops); n = 3 checks the general ones
    sizes = [(2, 1), (2, 3), (3, 2)]
    for form in dql.FORMS:
        for n, m in sizes:
            ranks = (1, 2) if form == "lowrank" else (None,)
            for rank in ranks:
                options = {"rank": rank} if rank else {}
                layer = dql.make_layer(form, n, m, dtype=torch.float64, **options)
                with torch.no_grad():
                    for p in layer.parameters():  # every parameter random, lambda included
                        p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
                X = torch.randn(7, n, generator=gen, dtype=torch.float64, requires_grad=True)
                R = torch.randn(7, m, generator=gen, dtype=torch.float64)
                Y = layer(X)
                (Y * R).sum().backward()  # L = sum(Y * R): dL/dY = R
                A, b, c = dql.as_quadric(layer)
                cases.append({
                    "form": form, "n": n, "m": m, "rank": rank,
                    "state": _lists(layer.state_dict()),
                    "X": X.detach().tolist(), "Y": Y.detach().tolist(), "dY": R.tolist(),
                    "grads": {k: p.grad.tolist() for k, p in layer.named_parameters()},
                    "dX": X.grad.tolist(),
                    "quadric": {"A": A.tolist(), "b": b.tolist(), "c": c.tolist()},
                    "names": [dql.classify_quadric(A[j], b[j], c[j]).name for j in range(m)]
                    if n == 2 else None,
                })  # fmt: skip
    return cases


def _network_cases() -> list[dict]:
    gen = torch.Generator().manual_seed(1)
    cases = []
    for form in dql.FORMS:
        for hidden in (0, 3):
            torch.manual_seed(hidden + 7)
            if hidden == 0:
                model = dql.make_layer(form, 2, 1).double()
            else:
                model = dql.make_mlp([2, hidden, 1], [form, "linear"]).double()
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(0.7 * torch.randn(p.shape, generator=gen, dtype=torch.float64))
            X = torch.randn(11, 2, generator=gen, dtype=torch.float64, requires_grad=True)
            y = (torch.rand(11, generator=gen) > 0.5).long()
            state = _lists(model.state_dict())
            logits = model(X)[:, 0]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y.double())
            loss.backward()
            grads = {k: p.grad.tolist() for k, p in model.named_parameters()}
            # a few Adam steps, as dql.fit takes them (full batch, default betas and eps)
            Xd = X.detach()
            optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
            steps = []
            for _ in range(5):
                step_loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    model(Xd)[:, 0], y.double()
                )
                optimizer.zero_grad()
                step_loss.backward()
                optimizer.step()
                steps.append({"loss": step_loss.item(), "state": _lists(model.state_dict())})
            cases.append({
                "form": form, "hidden": hidden, "state": state, "X": Xd.tolist(),
                "y": y.tolist(), "logits": logits.detach().tolist(), "loss": loss.item(),
                "grads": grads, "dX": X.grad.tolist(), "lr": 0.05, "adam": steps,
            })  # fmt: skip
    return cases


def _conic_cases() -> list[dict]:
    def q(a, b, c, d, e, f, why):
        A = [[a, b / 2], [b / 2, c]]
        return {"A": A, "b": [d, e], "c": f, "why": why}

    special = [
        q(1, 0, 1, 0, 0, -1, "circle"), q(2, 0, 1, 0, 0, -1, "ellipse"),
        q(1, 0.5, 2, 0, 0, -1, "tilted ellipse"), q(1, 0, 1, 0, 0, 1, "empty"),
        q(1, 0, 1, 0, 0, 0, "point"), q(1, 0, -1, 0, 0, -1, "hyperbola"),
        q(0, 1, 0, 0, 0, 0, "xy = 0"), q(1, 0, -1, 0, 0, 0, "x^2 - y^2"),
        q(1, 0, 0, 0, -1, 0, "parabola"), q(1, 0, 0, 0, 0, -1, "parallel lines"),
        q(1, 0, 0, 0, 0, 1, "no real parallel lines"), q(1, 0, 0, 0, 0, 0, "double line"),
        q(1, -2, 1, 0, 0, -1, "(x - y)^2 = 1"), q(0, 0, 0, 1, 1, -1, "line"),
        q(0, 0, 0, 0, 0, 1, "no curve"), q(0, 0, 0, 0, 0, 0, "zero everywhere"),
        q(1, 2, 1, 2, 2, 1, "(x + y + 1)^2"), q(-1, 0, -1, 0, 0, 1, "negated circle"),
        q(3, 0, 3, -6, 0, 2, "shifted circle"), q(0, 2, 0, 1, 1, 0.5, "2xy + x + y + 1/2"),
        q(1e3, 0, 1e3, 0, 0, -1e3, "a large circle"), q(0.5, 0, 0.5, 0.1, 0, -0.2, "circle"),
    ]  # fmt: skip
    gen = torch.Generator().manual_seed(2)
    for k in range(200):
        coeffs = torch.randn(6, generator=gen, dtype=torch.float64).tolist()
        if k % 4 == 1:
            coeffs[1] = 2 * math.sqrt(abs(coeffs[0] * coeffs[2])) * (1 if k % 8 == 1 else -1)
            coeffs[2] = abs(coeffs[2]) * (1 if coeffs[0] > 0 else -1)  # a parabola, b^2 = 4ac
        special.append(q(*coeffs, why=f"random {k}"))
    for case in special:
        A = torch.tensor(case["A"], dtype=torch.float64)
        b = torch.tensor(case["b"], dtype=torch.float64)
        c = torch.tensor(case["c"], dtype=torch.float64)
        case["name"] = dql.classify_quadric(A, b, c).name
    return special


def _data_facts() -> dict:
    from dql_teach.data import DATASETS

    names = [n for n, spec in DATASETS.items() if spec.dim == 2]
    noise_free = {}
    for name in ("circles", "moons"):
        X, y = dql.make_dataset(name, n_samples=101, noise=0.0, seed=3)
        noise_free[name] = {"X": X.double().tolist(), "y": y.tolist()}
    xor_X, xor_y = dql.make_dataset("xor", n_samples=400, noise=0.0, seed=0)
    return {
        "names": names,
        "default_noise": {n: DATASETS[n].default_noise for n in names},
        "gaussians": {
            "means": [list(m) for m in dql.GAUSSIANS.means],
            "covariances": [[list(r) for r in S] for S in dql.GAUSSIANS.covariances],
        },
        "noise_free": noise_free,
        "xor": {"X": xor_X.double().tolist(), "y": xor_y.tolist()},
        "forms": list(dql.FORMS),
    }


def write_fixtures(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in {
        "forms.json": _form_cases(),
        "networks.json": _network_cases(),
        "conics.json": _conic_cases(),
        "data.json": _data_facts(),
    }.items():
        (directory / name).write_text(json.dumps(value))
    (directory / "page.js").write_text(page_script())


def test_fixtures_cover_every_form(tmp_path):
    write_fixtures(tmp_path)
    forms = json.loads((tmp_path / "forms.json").read_text())
    assert {c["form"] for c in forms} == set(dql.FORMS)
    conics = json.loads((tmp_path / "conics.json").read_text())
    names = {c["name"] for c in conics}
    # the special cases reach every 2-D name the library gives
    assert {"circle", "ellipse", "hyperbola", "parabola", "intersecting lines", "point",
            "parallel lines", "double line", "empty", "line", "no curve",
            "zero everywhere"} <= names  # fmt: skip


@pytest.mark.skipif(NODE is None, reason="Node.js is missing: bash scripts/ensure-node.sh")
def test_node_checks_the_page_maths_against_the_library(tmp_path):
    assert JS_TESTS, "tests/js/*.test.mjs is empty"
    write_fixtures(tmp_path)
    env = {**os.environ, "DQL_PLAYGROUND_FIXTURES": str(tmp_path)}
    tap = tmp_path / "results.tap"
    result = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", "--test-reporter-destination=stdout",
         "--test-reporter=tap", f"--test-reporter-destination={tap}", *map(str, JS_TESTS)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    failures = output[output.find("failing tests") :] if "failing tests" in output else output
    assert result.returncode == 0, failures[-12000:]
    summary = tap.read_text()
    # every test ran (none skipped for want of fixtures) and passed
    assert "# skipped 0" in summary and "# fail 0" in summary, output[-4000:]
    assert int(summary.split("# pass ")[1].split()[0]) >= 90, summary[-400:]
