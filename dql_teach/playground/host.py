"""The playground in a notebook output and in the built book: one call, two hosts.

:func:`playground` returns a :class:`Playground`, which displays itself as HTML. In Jupyter,
Colab and VS Code the HTML carries the playground's style sheet and script inline, so it runs
in the output with no kernel round trip and no network request. In the book build
(``DQL_BOOK_BUILD=1``, set by ``book/_ext/dql_assets.py``) it is only the root element with its
settings: the book's extension ``book/_ext/dql_playground.py`` serves the script once, as a
static file, to the pages that hold a playground, and the script mounts every root it finds.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._checks import check_int, check_number, check_seed
from .assets import page_css, page_script
from .presets import PRESETS

__all__ = ["MODES", "Playground", "page_document", "playground", "playground_html"]

MODES = ("train", "coefficients")
"""``train``: press Train and watch; ``coefficients``: one neuron's coefficients on sliders."""

MAX_HIDDEN = 8

_DEFAULTS: dict[str, Any] = {
    "dataset": "circles", "form": "full", "hidden": 0, "mode": "train", "lr": 0.05, "seed": 0,
    "noise": None, "test_fraction": 0.2, "n_samples": 300, "epochs_per_frame": 5,
    "max_epochs": 2000, "height": 360, "resolution": 200, "rank": 1, "title": None,
    "state": None,
}  # fmt: skip

# Python's argument names -> the page's config keys
_JS_NAMES = {
    "test_fraction": "testFraction", "n_samples": "points", "epochs_per_frame": "epochsPerFrame",
    "max_epochs": "maxEpochs", "height": "size",
}  # fmt: skip


def _datasets() -> list[str]:
    from .. import DATASETS

    return [name for name, spec in DATASETS.items() if spec.dim == 2]


def _forms() -> list[str]:
    from .. import FORMS

    return list(FORMS)


def _choice(name: str, value: object, choices: list[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def _check_state(state: object, form: str, hidden: int, rank: int) -> dict[str, list]:
    """A state_dict (tensors, arrays or nested lists) as nested lists, checked against the
    model the library builds for these settings: the same names, the same shapes."""
    import torch

    from .. import make_layer, make_mlp

    if not isinstance(state, Mapping):
        raise TypeError(f"state must be a mapping of parameter names, got {type(state).__name__}")
    if hidden == 0:  # rank: the forms whose rank is an option take it, the others ignore it
        reference = make_layer(form, 2, 1, rank=rank)
    else:
        reference = make_mlp([2, hidden, 1], [form, "linear"], rank=rank)
    expected = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    if set(state) != set(expected):
        raise ValueError(
            f"state must hold exactly the parameters {sorted(expected)} of this model "
            f"(form={form!r}, hidden={hidden}), got {sorted(state)}"
        )
    out = {}
    for key, value in state.items():
        tensor = torch.as_tensor(
            value.detach() if isinstance(value, torch.Tensor) else value, dtype=torch.float64
        )
        if tuple(tensor.shape) != expected[key]:
            raise ValueError(
                f"state[{key!r}] must have shape {expected[key]}, got {tuple(tensor.shape)}"
            )
        if not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"state[{key!r}] must be finite, got {tensor.tolist()}")
        out[key] = tensor.tolist()
    return out


def _settings(preset: str | None, options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(
            f"playground() got unexpected arguments {unknown}; it takes {sorted(_DEFAULTS)}"
        )
    if preset is not None and (not isinstance(preset, str) or preset not in PRESETS):
        raise ValueError(f"preset must be one of {sorted(PRESETS)} or None, got {preset!r}")
    given = {k: v for k, v in options.items() if v is not None}
    s = {**_DEFAULTS, **(PRESETS[preset] if preset else {}), **given}
    s["dataset"] = _choice("dataset", s["dataset"], _datasets())
    s["form"] = _choice("form", s["form"], _forms())
    s["mode"] = _choice("mode", s["mode"], list(MODES))
    s["hidden"] = check_int("hidden", s["hidden"], minimum=0, maximum=MAX_HIDDEN)
    if s["mode"] == "coefficients" and s["hidden"] != 0:
        raise ValueError(
            f"mode='coefficients' puts one neuron's coefficients on sliders: it needs hidden=0, "
            f"got hidden={s['hidden']}"
        )
    s["lr"] = check_number("lr", s["lr"], minimum=0, maximum=100, exclusive_minimum=True)
    s["seed"] = check_seed("seed", s["seed"])
    s["noise"] = check_number("noise", s["noise"], minimum=0, maximum=1, allow_none=True)
    s["test_fraction"] = check_number("test_fraction", s["test_fraction"], minimum=0, maximum=0.9)
    s["n_samples"] = check_int("n_samples", s["n_samples"], minimum=20, maximum=5000)
    s["epochs_per_frame"] = check_int(
        "epochs_per_frame", s["epochs_per_frame"], minimum=1, maximum=500
    )
    s["max_epochs"] = check_int("max_epochs", s["max_epochs"], minimum=1, maximum=10**6)
    s["height"] = check_int("height", s["height"], minimum=160, maximum=1200)
    s["resolution"] = check_int("resolution", s["resolution"], minimum=16, maximum=600)
    s["rank"] = check_int("rank", s["rank"], minimum=1, maximum=2)
    if s["title"] is not None and not isinstance(s["title"], str):
        raise TypeError(f"title must be a str or None, got {type(s['title']).__name__}")
    if s["state"] is not None:
        s["state"] = _check_state(s["state"], s["form"], s["hidden"], s["rank"])
    return s


class Playground:
    """One playground: its settings, and the HTML that shows it.

    Displaying it (the last line of a cell, or ``IPython.display.display``) shows the app;
    :meth:`html` gives that HTML, :meth:`save` writes a page that opens offline.

    Attributes:
        settings: the checked arguments of :func:`playground`, preset applied.
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    @property
    def config(self) -> dict[str, Any]:
        """The settings as the page reads them (its JSON config)."""
        config = {}
        for key, value in self.settings.items():
            if value is None and key in ("noise", "title", "state"):
                continue
            config[_JS_NAMES.get(key, key)] = value
        return config

    def root_html(self) -> str:
        """The root element alone: what the page's script finds and mounts."""
        config = json.dumps(self.config, separators=(",", ":"), allow_nan=False)
        return (
            f'<div class="dql-playground" data-dql-playground="{html.escape(config, quote=True)}">'
            '<p class="dqlp-fallback">The quadric playground loads here; it needs JavaScript '
            "(in a notebook, run the cell again).</p></div>"
        )

    def html(self, inline: bool | None = None) -> str:
        """The root element, with the style sheet and script inline when ``inline`` (default:
        everywhere but in the book build, where the page loads them as static files)."""
        if inline is None:
            inline = not os.environ.get("DQL_BOOK_BUILD")
        if not inline:
            return self.root_html()
        return f"<style>{page_css()}</style>{self.root_html()}<script>{page_script()}</script>"

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | Path, title: str = "Quadric playground") -> Path:
        """Write a standalone HTML page (script and style inline) that opens offline."""
        path = Path(path)
        path.write_text(page_document(self, title=title), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        s = self.settings
        keys = ("dataset", "form", "hidden", "mode", "lr", "seed")
        shown = ", ".join(f"{k}={s[k]!r}" for k in keys)
        return f"Playground({shown})"


def playground(preset: str | None = None, **options: Any) -> Playground:
    """The quadric playground: train one neuron or a 2-h-1 network in the page, live.

    The reader picks the dataset, the noise, the test share, the form, the hidden neurons,
    the learning rate and the seed, and presses Train / Pause / Step / Reset; the page shows
    the decision regions, the data, each hidden neuron's conic ``q(x) = 0`` with its name, the
    loss curve, train and test accuracy and the parameter count. Training runs in the browser
    (Adam on binary cross-entropy, full batch, as :func:`dql_teach.fit` trains), no kernel.

    Args:
        preset: a name of :data:`PRESETS` (its settings, then the arguments below on top).
        dataset: ``circles``, ``moons``, ``xor``, ``spirals`` or ``gaussians``.
        form: a key of :data:`dql_teach.FORMS` (``linear``, ``diagonal``, ``full``, ``fan``,
            ``hadamard``, ``lowrank``).
        hidden: 0 for one neuron of the form (a 2-1 model), 1-8 for a 2-h-1 network whose
            first layer has the form and whose read-out is linear.
        mode: ``"train"``, or ``"coefficients"`` (needs ``hidden=0``) to open the sliders of
            the neuron's coefficients.
        lr: Adam's learning rate (default 0.05).
        seed: seeds the data, the split and the starting weights (default 0).
        noise: the dataset's noise (default: the dataset's own, as in ``make_dataset``).
        test_fraction: share of the points held out for the test accuracy (default 0.2).
        n_samples: number of points (default 300).
        epochs_per_frame: epochs trained between two redraws while training (default 5).
        max_epochs: training pauses after this many epochs (default 2000).
        height: size of the (square) picture in CSS pixels; it shrinks on narrow screens.
        resolution: the decision grid is ``resolution x resolution`` (default 200).
        rank: ``k`` of the low-rank form (1 or 2).
        title: a line shown above the playground (presets bring their own).
        state: starting weights, a ``state_dict()`` of the model these settings describe
            (``make_layer(form, 2, 1)`` for ``hidden=0``, else
            ``make_mlp([2, hidden, 1], [form, "linear"])``); tensors or nested lists.

    Returns:
        A :class:`Playground`; in a notebook, the last line of a cell displays it.

    Raises:
        TypeError, ValueError: an unknown argument, or a value of the wrong type or range.

    Example:
        >>> pg = playground("hadamard-circles")
        >>> pg
        Playground(dataset='circles', form='hadamard', hidden=0, mode='train', lr=0.05, seed=0)
        >>> 'data-dql-playground' in pg.html(inline=False)
        True
    """
    return Playground(_settings(preset, options))


def playground_html(preset: str | None = None, *, inline: bool | None = None, **options) -> str:
    """:func:`playground`'s HTML as a string (``inline`` as in :meth:`Playground.html`)."""
    return playground(preset, **options).html(inline=inline)


def page_document(
    *playgrounds: Playground,
    title: str = "Quadric playground",
    script_src: str | None = None,
    style_href: str | None = None,
) -> str:
    """A whole HTML page holding ``playgrounds``.

    With ``script_src`` and ``style_href`` the page loads the script (``defer``) and style
    sheet from those URLs, as the book does (write them with
    :func:`dql_teach.playground.write_static_files`); without, both are inline.
    """
    style = (
        f'<link rel="stylesheet" href="{html.escape(style_href)}">'
        if style_href
        else f"<style>{page_css()}</style>"
    )
    script = (
        f'<script defer src="{html.escape(script_src)}"></script>'
        if script_src
        else f"<script>{page_script()}</script>"
    )
    body = "\n".join(p.root_html() for p in playgrounds)
    page_style = "body{margin:0 auto;padding:16px;max-width:960px;font-family:system-ui,sans-serif}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{page_style}</style>\n{style}\n"
        f"{script if script_src else ''}\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n"
        f"{'' if script_src else script}\n</body>\n</html>\n"
    )
