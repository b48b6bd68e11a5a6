"""book/references.bib: the entries the project's notes corrected, arXiv links, every cited key
present, and author-year citations that tell every entry apart once rendered by Sphinx."""

import re
from pathlib import Path

import pytest

pybtex = pytest.importorskip("pybtex.database")

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"


@pytest.fixture(scope="module")
def entries():
    return pybtex.parse_file(str(BIB)).entries


def authors(entry):
    return [str(person) for person in entry.persons["author"]]


def test_chen_et_al_has_its_six_authors_in_order(entries):
    assert authors(entries["chen2023efficient"]) == [
        "Chen, Chuangtao", "Zhang, Grace Li", "Yin, Xunzhao", "Zhuo, Cheng",
        "Schlichtmann, Ulf", "Li, Bing",
    ]  # fmt: skip
    assert entries["chen2023efficient"].fields["eprint"] == "2306.07294"


def test_deep_quadric_learning_entries_name_dirk_roeckmann(entries):
    for key in ("roeckmann2023dql", "roeckmann_interconnection"):
        assert authors(entries[key]) == ["Roeckmann, Dirk"], key
    # no source gives the thesis a year: none is invented
    assert "year" not in entries["roeckmann_interconnection"].fields


def test_arxiv_entries_link_to_their_abstract(entries):
    arxiv = [key for key, e in entries.items() if "eprint" in e.fields]
    expected = {
        "chen2023efficient", "fan2023one", "kaplan2020scaling", "xu2023quadranet",
        "noel2023efficient", "shazeer2020glu", "dauphin2017language", "bu2021quadratic",
        "zoumpourlis2017nonlinear", "patterson2021carbon", "fan2023expressivity",
    }  # fmt: skip
    assert expected <= set(arxiv)
    for key in arxiv:
        fields = entries[key].fields
        assert re.fullmatch(r"\d{4}\.\d{4,5}", fields["eprint"]), key
        assert fields["url"] == f"https://arxiv.org/abs/{fields['eprint']}", key
        assert fields["archiveprefix"] == "arXiv", key
    for key, entry in entries.items():  # an arXiv preprint without its eprint and link
        text = " ".join(entry.fields.get(f, "") for f in ("journal", "note", "howpublished"))
        assert "arxiv" not in text.lower() or "eprint" in entry.fields, key


def test_every_cited_key_is_in_the_bibliography(entries):
    cited = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md")):
        for group in re.findall(r"\{(?:foot)?cite(?::\w+)?\}`([^`]+)`", path.read_text()):
            for key in group.split(","):
                cited.setdefault(key.strip(), path.name)
    assert cited, "no citation found: the pattern is wrong"
    missing = {key: where for key, where in cited.items() if key not in entries}
    assert not missing, f"cited but not in references.bib: {missing}"


def test_the_forms_cite_entries_of_the_bibliography(entries):
    import dql_teach as dql

    for name in [*dql.FORMS, *dql.VARIANTS]:
        assert dql.form_facts(name).citation in entries, name
    for peer in dql.peers.PEERS.values():
        assert peer.paper in entries, peer.name


def test_author_year_citations_of_all_entries_are_distinct(tmp_path, entries):
    """Build a one-page Sphinx project with the book's bibliography and reference style,
    citing every entry with {cite:t}; the rendered labels must all differ (the two Fan et al.
    2023 papers become 2023a and 2023b)."""
    build = pytest.importorskip("sphinx.cmd.build")
    pytest.importorskip("sphinxcontrib.bibtex")
    (tmp_path / "refs.bib").write_text(BIB.read_text())
    (tmp_path / "conf.py").write_text(
        'extensions = ["sphinxcontrib.bibtex"]\n'
        'bibtex_bibfiles = ["refs.bib"]\n'
        'bibtex_reference_style = "author_year"\n'
    )
    keys = sorted(entries)
    lines = [f"cite{i}: :cite:t:`{key}`" for i, key in enumerate(keys)]  # one paragraph each
    page = "Cited\n=====\n\n" + "\n\n".join(lines) + "\n\n.. bibliography::\n"
    (tmp_path / "index.rst").write_text(page)
    out = tmp_path / "_build"
    status = build.build_main(["-q", "-b", "text", str(tmp_path), str(out)])
    assert status == 0
    text = (out / "index.txt").read_text()
    labels = dict(re.findall(r"^cite(\d+): (.+?\[[^\]]+\])", text, flags=re.M | re.S))
    assert len(labels) == len(keys)
    rendered = {keys[int(i)]: " ".join(label.split()) for i, label in labels.items()}
    assert rendered["fan2023one"] != rendered["fan2023expressivity"]
    assert "2023b" in rendered["fan2023one"] and "2023a" in rendered["fan2023expressivity"]
    assert len(set(rendered.values())) == len(rendered), rendered
