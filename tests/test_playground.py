"""The playground's Python side: the page script joined from the ES modules, the library call
and its HTML in both hosts, the presets and the argument checks. The pages (a standalone one,
a Sphinx site with the book's extension, a notebook output) are built and opened in
tests/test_playground_browser.py."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dql_teach as dql
from dql_teach.playground import (
    MODULES,
    PRESETS,
    Playground,
    page_css,
    page_document,
    page_script,
    playground,
    playground_html,
    write_static_files,
)
from dql_teach.playground.assets import HERE, module_imports, module_source, strip_module

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node") or shutil.which("nodejs")
TOP_LEVEL = re.compile(
    r"^(?:export\s+)?(?:async\s+)?(?:function|const|let|var|class)\s+(\w+)", re.M
)


def config_of(markup: str) -> dict:
    """The JSON config of the (first) playground root in some HTML."""
    found = re.search(r'data-dql-playground="([^"]*)"', markup)
    assert found, markup[:300]
    return json.loads(html.unescape(found.group(1)))


# -- the page script ------------------------------------------------------------------------
def test_every_module_imports_only_from_modules_before_it():
    assert sorted(MODULES) == sorted(p.name for p in HERE.glob("*.js"))
    for i, name in enumerate(MODULES):
        for imported in module_imports(name):
            assert imported in MODULES[:i], f"{name} imports {imported}, which comes later"


def test_top_level_names_are_distinct_across_modules():
    # one function scope holds them all in the page script: a repeated const would not run
    seen = {}
    for name in MODULES:
        for top in TOP_LEVEL.findall(module_source(name)):
            assert top not in seen, f"{top} is declared in {seen[top]} and {name}"
            seen[top] = name


def test_the_page_script_is_one_classic_script():
    script = page_script()
    assert script.startswith("/* dql-teach quadric playground")
    assert script.rstrip().endswith("})();")
    assert not re.search(r"^\s*(import|export)\b", script, re.M)
    for name in MODULES:
        assert f"// ---- {name} ----" in script
    assert "</script" not in script.lower()
    assert "http://" not in script and "https://" not in script  # nothing to fetch


@pytest.mark.skipif(NODE is None, reason="Node.js is missing: bash scripts/ensure-node.sh")
def test_the_page_script_parses(tmp_path):
    script, style = write_static_files(tmp_path)
    assert script.read_text() == page_script() and style.read_text() == page_css()
    result = subprocess.run([NODE, "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_strip_module_refuses_what_it_cannot_rewrite():
    assert strip_module('import { a } from "./b.js";\nexport const c = a;\n') == "const c = a;\n"
    for source in ("export default 1;\n", 'import * as b from "./b.js";\n'):
        with pytest.raises(ValueError, match="classic script"):
            strip_module(source)


def test_the_style_sheet_is_scoped_and_has_a_dark_theme():
    css = re.sub(r"/\*.*?\*/", "", page_css(), flags=re.S)  # comments out
    rules = [r.split("{")[0].strip() for r in re.findall(r"[^{}]+\{", css)]
    selectors = [s.strip() for r in rules if not r.startswith("@") for s in r.split(",")]
    assert selectors and all(".dql-playground" in s for s in selectors), selectors
    assert 'html[data-theme="dark"] .dql-playground' in css
    assert "#0072B2" in css and "#E69F00" in css  # Okabe-Ito blue and orange


# -- the library call -----------------------------------------------------------------------
def test_notebook_html_inlines_style_and_script(monkeypatch):
    monkeypatch.delenv("DQL_BOOK_BUILD", raising=False)
    markup = playground(dataset="moons", form="fan", hidden=3, seed=7)._repr_html_()
    assert markup.count("<script>") == 1 and page_script() in markup
    assert "<style>" in markup and "src=" not in markup and "href=" not in markup
    config = config_of(markup)
    assert config["dataset"] == "moons" and config["form"] == "fan"
    assert config["hidden"] == 3 and config["seed"] == 7
    assert config["testFraction"] == 0.2 and config["points"] == 300


def test_book_build_html_is_the_root_alone(monkeypatch):
    monkeypatch.setenv("DQL_BOOK_BUILD", "1")
    markup = playground("diagonal-xor")._repr_html_()
    assert "<script" not in markup and "<style" not in markup
    assert markup.startswith('<div class="dql-playground" data-dql-playground="')
    assert config_of(markup)["form"] == "diagonal"
    assert "needs JavaScript" in markup  # what shows where scripts do not run


def test_config_keys_are_those_the_page_knows():
    defaults = re.search(r"export const DEFAULTS = \{(.*?)\};", module_source("app.js"), re.S)
    known = set(re.findall(r"(\w+):", defaults.group(1)))
    for name in PRESETS:
        assert set(playground(name).config) <= known, name


def test_presets_are_valid_and_arguments_override_them():
    for name, preset in PRESETS.items():
        pg = playground(name)
        assert isinstance(pg, Playground)
        for key, value in preset.items():
            if key != "state":
                assert pg.settings[key] == value, (name, key)
    pg = playground("hadamard-circles", seed=3, hidden=2)
    assert (pg.settings["form"], pg.settings["seed"], pg.settings["hidden"]) == ("hadamard", 3, 2)
    # the coefficient presets start from weights with the library's names and shapes
    state = playground("coefficients-full").settings["state"]
    assert set(state) == set(dql.make_layer("full", 2, 1).state_dict())


def test_state_from_a_module():
    layer = dql.make_layer("lowrank", 2, 1, rank=2)
    pg = playground(form="lowrank", rank=2, state=layer.state_dict())
    assert pg.settings["state"]["weight_q"] == layer.weight_q.detach().double().tolist()
    net = dql.make_mlp([2, 4, 1], ["hadamard", "linear"])
    assert set(playground(form="hadamard", hidden=4, state=net.state_dict()).config["state"]) == {
        "0.weight_u", "0.weight_v", "0.weight", "0.bias", "2.weight", "2.bias",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"form": "cubic"}, ValueError, "form must be one of"),
        ({"dataset": "shells"}, ValueError, "dataset must be one of"),
        ({"hidden": 9}, ValueError, "hidden must be an int in \\[0, 8\\], got 9"),
        ({"hidden": 1.5}, TypeError, "hidden must be an int, got float 1.5"),
        ({"lr": 0}, ValueError, "lr must be a number"),
        ({"lr": "0.1"}, TypeError, "lr must be a number, got str"),
        ({"lr": float("nan")}, ValueError, "lr must be a finite number"),
        ({"seed": -1}, ValueError, "seed must be an int"),
        ({"mode": "sliders"}, ValueError, "mode must be one of"),
        ({"mode": "coefficients", "hidden": 2}, ValueError, "needs hidden=0, got hidden=2"),
        ({"noise": -0.1}, ValueError, "noise must be a number"),
        ({"test_fraction": 0.95}, ValueError, "test_fraction must be a number"),
        ({"title": 3}, TypeError, "title must be a str"),
        ({"colour": "red"}, TypeError, "unexpected arguments \\['colour'\\]"),
        ({"preset": "full-spheres"}, ValueError, "preset must be one of"),
        ({"state": [1, 2]}, TypeError, "state must be a mapping"),
        ({"state": {"weight": [[1, 2]]}}, ValueError, "state must hold exactly the parameters"),
        ({"form": "linear", "state": {"weight": [[1, 2, 3]], "bias": [0]}}, ValueError,
         "state\\['weight'\\] must have shape \\(1, 2\\), got \\(1, 3\\)"),
    ],
)  # fmt: skip
def test_bad_arguments_are_named_in_the_error(options, error, message):
    with pytest.raises(error, match=message):
        playground(**options)


def test_repr_html_string_and_a_saved_page(tmp_path, monkeypatch):
    monkeypatch.delenv("DQL_BOOK_BUILD", raising=False)
    pg = playground("full-circles")
    assert repr(pg).startswith("Playground(dataset='circles', form='full', hidden=0")
    assert playground_html("full-circles", inline=False) == pg.root_html()
    page = pg.save(tmp_path / "pg.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page_script() in page
    linked = page_document(pg, script_src="dql-playground.js", style_href="dql-playground.css")
    assert '<script defer src="dql-playground.js"></script>' in linked
    assert page_script() not in linked


# -- the book's Sphinx extension ------------------------------------------------------------
def test_the_extension_is_registered_next_to_dql_assets():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = config["sphinx"]["local_extensions"]
    assert extensions["dql_playground"] == extensions["dql_assets"] == "book/_ext"
