"""Named settings of the playground, one per point the book makes with it.

Each preset is a dict of :func:`dql_teach.playground.playground` arguments; arguments given
next to ``preset=`` override it. The circles presets use ``noise=0.1`` (the library's default
is 0.05): there a lone Hadamard or rank-1 neuron, which cannot draw an ellipse, stays below
80 % on every seed tried (0.75-0.79 with 240 training points), while at 0.05 it reaches 82 % on
some seeds; one full or Fan neuron still separates the rings (98-100 %).
tests/test_playground_browser.py trains these presets in the browser and checks those facts.
"""

from __future__ import annotations

PRESETS: dict[str, dict] = {
    # episode 1: what one neuron can and cannot separate
    "full-circles": {
        "dataset": "circles", "noise": 0.1, "form": "full", "hidden": 0,
        "title": "One full quadric neuron on the circles: press Train and watch it close an "
                 "ellipse around the inner ring.",
    },
    "linear-circles": {
        "dataset": "circles", "noise": 0.1, "form": "linear", "hidden": 0,
        "title": "One linear neuron on the circles: whatever it learns, its boundary is a line.",
    },
    "full-xor": {
        "dataset": "xor", "form": "full", "hidden": 0,
        "title": "One full quadric neuron on XOR: the mixed term x₁x₂ lets it hug the axes.",
    },
    "linear-xor": {
        "dataset": "xor", "form": "linear", "hidden": 0,
        "title": "One linear neuron on XOR: whatever it learns, its boundary is a line.",
    },
    # episode 2: what one neuron of each form can draw
    "fan-circles": {
        "dataset": "circles", "noise": 0.1, "form": "fan", "hidden": 0,
        "title": "One Fan neuron on the circles: (u·x+u₀)(v·x+v₀) + q·(x∘x) + c can close "
                 "an ellipse.",
    },
    "hadamard-circles": {
        "dataset": "circles", "noise": 0.1, "form": "hadamard", "hidden": 0,
        "title": "One Hadamard neuron on the circles: (u·x)(v·x) is never an ellipse, so it "
                 "cannot enclose the inner ring.",
    },
    "lowrank-circles": {
        "dataset": "circles", "noise": 0.1, "form": "lowrank", "hidden": 0,
        "title": "One rank-1 neuron on the circles: its A has a zero eigenvalue, so it draws "
                 "parabolas and parallel lines, never an ellipse.",
    },
    "diagonal-xor": {
        "dataset": "xor", "form": "diagonal", "hidden": 0,
        "title": "One diagonal neuron on XOR: without the mixed term its conic stays aligned "
                 "with the axes, and XOR needs x₁x₂ = 0.",
    },
    "coefficients-full": {
        "dataset": "circles", "noise": 0.1, "form": "full", "hidden": 0,
        "mode": "coefficients",
        # 0.55 - x1^2 - x2^2 > 0 inside the circle of radius 0.74: the inner ring, class 1
        "state": {"weight_quad": [[-1.0, 0.0, -1.0]], "weight": [[0.0, 0.0]], "bias": [0.55]},
        "title": "The coefficients of one full neuron, starting at a circle between the rings: "
                 "move q₁₂ to tilt it, push q₂₂ through zero to reach a parabola, then a "
                 "hyperbola.",
    },
    "coefficients-hadamard": {
        "dataset": "circles", "noise": 0.1, "form": "hadamard", "hidden": 0,
        "mode": "coefficients",
        "state": {
            "weight_u": [[1.0, 0.5]], "weight_v": [[1.0, -0.5]], "weight": [[0.0, 0.0]],
            "bias": [-0.3],
        },
        "title": "The seven coefficients of one Hadamard neuron: try to make it draw an "
                 "ellipse around the inner ring.",
    },
    # episodes 3 and 4: layers and hybrid networks
    "hadamard-layer-circles": {
        "dataset": "circles", "noise": 0.1, "form": "hadamard", "hidden": 4,
        "title": "Four Hadamard neurons and a linear read-out: no neuron draws an ellipse, "
                 "the layer still closes the ring.",
    },
    "hybrid-spirals": {
        "dataset": "spirals", "form": "diagonal", "hidden": 8, "lr": 0.03,
        "title": "A hybrid network: eight diagonal quadric neurons, ReLU, a linear read-out, "
                 "on the spirals. Compare with form = linear.",
    },
    "linear-spirals": {
        "dataset": "spirals", "form": "linear", "hidden": 8, "lr": 0.03,
        "title": "The same network with linear neurons: eight lines to bend around the spirals.",
    },
}  # fmt: skip
"""Every preset by name; ``playground(preset=name)`` starts from it."""
