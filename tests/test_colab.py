"""Colab as it really is: its pinned runtime, and installing dql_teach into it upgrades nothing.

These run only in .venv-colab, which ``make test-colab`` builds from tests/colab-constraints.txt
and which sets ``DQL_COLAB_ENV=1``. The library, widget and notebook tests run there as well;
this file adds what only that venv can show:

- every pinned package is installed at Colab's version (no test tool moved one);
- ``pip install --dry-run`` of this checkout, as the setup cell installs it (no ``-U``), would
  install dql-teach alone;
- the episodes' setup cell, taken down its Colab path (dql_teach not importable), installs
  dql_teach from this repository with its own install line, and nothing else.

The last two run in a "Colab" venv: a throwaway venv that sees every package of .venv-colab
through a ``.pth`` file, except dql_teach, exactly as a Colab runtime sees its own packages.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PINS_FILE = ROOT / "tests" / "colab-constraints.txt"
SETUP_CELL = ROOT / "book" / "_setup_cell.py"

pytestmark = [
    pytest.mark.colab,
    pytest.mark.skipif(
        os.environ.get("DQL_COLAB_ENV") != "1",
        reason="runs in .venv-colab, pinned to Colab's versions: make test-colab",
    ),
]


def _canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """``{name: version}`` of every ``name==version`` line of tests/colab-constraints.txt."""
    found = {}
    for line in PINS_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[_canonical(name)] = version.strip()
    return found


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    """Run a command outside this checkout, with no PYTHONPATH or pip settings of the caller's
    that could make dql_teach importable or change what pip resolves; fail with its output."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("DQL_")}
    result = subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=600, **kwargs
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_every_pin_is_installed_at_colabs_version():
    for name, version in pins().items():
        installed = metadata.version(name)
        # torch's local suffix ("+cpu") names the build, not the release
        assert installed.split("+")[0] == version, f"{name} {installed} is installed, not {version}"


def _site_packages(prefix: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(prefix)}))


def _is_dql_teach(entry: str) -> bool:
    # the package, its .dist-info, and an editable install's .pth and finder module
    return "dql_teach" in entry.replace("-", "_").lower()


@pytest.fixture
def colab_python(tmp_path_factory) -> Path:
    """The python of a throwaway venv that sees .venv-colab's packages, dql_teach excepted.

    The packages are symlinked into one folder (not copied: 1.8 GB), which a ``.pth`` file puts
    on ``sys.path``; pip finds them there as installed. Whatever pip installs goes into the
    throwaway venv's own site-packages, so the tests can see exactly what that was. A new one
    for each test (about a second): no test sees what another installed.
    """
    base = tmp_path_factory.mktemp("colab")
    view = base / "colab-site-packages"
    view.mkdir()
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        if not _is_dql_teach(entry.name):
            (view / entry.name).symlink_to(entry)
    venv = base / "venv"
    # no pip of its own: Colab's pip is the one in the view, as in Colab
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    (_site_packages(venv) / "colab-runtime.pth").write_text(f"{view}\n")
    python = venv / "bin" / "python"
    probe = _run(
        [python, "-c", "import importlib.util, ipywidgets, plotly, torch; "
         "print(importlib.util.find_spec('dql_teach'), ipywidgets.__version__)"],
        cwd=base,
    )  # fmt: skip
    assert probe.stdout.split() == ["None", pins()["ipywidgets"]], probe.stdout
    return python


def _own_distributions(python: Path) -> set[str]:
    """The ``.dist-info`` folders in the throwaway venv's own site-packages."""
    site = _site_packages(python.parent.parent)
    return {p.name for p in site.glob("*.dist-info")}


def test_installing_the_checkout_would_add_dql_teach_and_nothing_else(colab_python, tmp_path):
    """``pip install --dry-run`` of this working tree with the setup cell's options (no -U):
    every dependency is satisfied by what Colab has, so only dql-teach would be installed."""
    report = tmp_path / "report.json"
    _run(
        [colab_python, "-m", "pip", "install", "--dry-run", "-q", "--report", report, ROOT],
        cwd=tmp_path,
    )
    install = json.loads(report.read_text())["install"]
    would = {_canonical(item["metadata"]["name"]): item["metadata"]["version"] for item in install}
    print(f"pip would install: {would}")
    assert list(would) == ["dql-teach"], f"pip would also install or upgrade {would}"
    assert _own_distributions(colab_python) == set(), "a dry run installed something"


def test_the_setup_cell_installs_dql_teach_in_colab_and_upgrades_nothing(colab_python, tmp_path):
    """The setup cell down its Colab path, with its own install line, from this repository.

    ``REPOSITORY`` becomes this checkout's ``file://`` URL, so pip installs
    ``git+file://...``: the last commit of this checkout, cloned with git as pip clones GitHub.
    """
    url = ROOT.as_uri()  # file:///...
    cell, found = re.subn(
        r'^REPOSITORY = ".*"$', f'REPOSITORY = "{url}"', SETUP_CELL.read_text(), flags=re.M
    )
    assert found == 1, 'book/_setup_cell.py has no `REPOSITORY = "..."` line'
    if _run(["git", "-C", ROOT, "rev-parse", "--is-inside-work-tree"]).stdout.strip() != "true":
        pytest.fail("this checkout is not a git working tree: pip cannot clone it")
    script = tmp_path / "setup_cell.py"
    script.write_text(cell)
    # run where no dql_teach folder is in sight, so the import can only find the installed one
    ran = _run([colab_python, script], cwd=tmp_path)
    torch_version = metadata.version("torch")
    assert f"torch {torch_version}, dql_teach " in ran.stdout, ran.stdout
    version = re.search(r"dql_teach (\S+),", ran.stdout).group(1)
    assert _own_distributions(colab_python) == {f"dql_teach-{version}.dist-info"}, (
        "the setup cell installed or upgraded more than dql_teach"
    )
    where = _run([colab_python, "-c", "import dql_teach; print(dql_teach.__file__)"], cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(_site_packages(colab_python.parent.parent))
