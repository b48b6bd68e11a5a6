"""Slider widgets ("explorers") for the book, built on :mod:`dql_teach.viz`.

- :mod:`.base`: the plumbing every explorer shares (checked state, ipywidgets view, static
  snapshot);
- :mod:`.explorers`: :class:`ConicExplorer`, :class:`QuadricSurfaceExplorer`,
  :class:`NeuronFormExplorer`;
- :mod:`.playground`: :class:`TrainingPlayground` and its pure training function.
"""

from .base import Explorer
from .explorers import ConicExplorer, NeuronFormExplorer, QuadricSurfaceExplorer
from .playground import (
    PlaygroundConfig,
    PlaygroundRun,
    TrainingPlayground,
    build_playground_model,
    train_playground,
)

__all__ = [
    "ConicExplorer",
    "Explorer",
    "NeuronFormExplorer",
    "PlaygroundConfig",
    "PlaygroundRun",
    "QuadricSurfaceExplorer",
    "TrainingPlayground",
    "build_playground_model",
    "train_playground",
]
