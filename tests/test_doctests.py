"""The examples in the library's docstrings run and print what they say.

pytest's ``--doctest-modules`` (pyproject.toml) collects doctests only under ``testpaths``
(``tests/``), and under ``--import-mode=importlib`` a module collected from ``dql_teach/`` is
imported a second time, beside the package, so its classes differ from the package's. Here each
module of the installed package is imported once, as users import it, and its examples run
with the stdlib's doctest.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import dql_teach

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(dql_teach.__path__, prefix="dql_teach.")
    if not info.name.rsplit(".", 1)[-1].startswith("__")
)


@pytest.mark.parametrize("name", ["dql_teach", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
