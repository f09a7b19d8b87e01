"""``import kg``: the API names, light imports, query results as rows and DataFrames,
graphs shown inline, and the README's and docs/python.md's examples in the docs test."""

from __future__ import annotations

import ast
import html
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

import kg
from kg.errors import (
    GraphFileError,
    MissingDependencyError,
    OutputError,
    QueryError,
    ThresholdError,
)
from kg.query import QueryResult, Row, format_result
from kg.rdf.prefixes import PREFIXES
from kg.views import render_html

ROOT = Path(__file__).resolve().parents[1]
KGO = PREFIXES["kgo"]
KGR = PREFIXES["kgr"]
XSD = PREFIXES["xsd"]
FUNCTIONS = ("build", "add", "remove", "load", "query", "export", "write_html", "to_networkx")

TURTLE = """\
@prefix kgo: <https://w3id.org/kg-builder/ontology#> .
@prefix company: <https://w3id.org/kg-builder/resource/company/> .
@prefix city: <https://w3id.org/kg-builder/resource/city/> .
@prefix person: <https://w3id.org/kg-builder/resource/person/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
company:acme a kgo:Company ; rdfs:label "Acme" ; kgo:basedIn city:paris ;
    kgo:founded "1990-05-01"^^xsd:date ; kgo:staff 120 .
city:paris a kgo:City ; rdfs:label "Paris" .
person:jane a kgo:Person ; rdfs:label "Jane Doe" ; kgo:worksFor company:acme .
"""


@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    return path


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


# -- the names of import kg ---------------------------------------------------------------------


def test_import_kg_loads_neither_rdflib_nor_spacy() -> None:
    done = run_python(
        "import kg, sys; assert kg.__version__; "
        "heavy = sorted(m for m in ('spacy', 'rdflib', 'kg.api', 'kg.query') if m in sys.modules); "
        "assert not heavy, heavy"
    )
    assert done.returncode == 0, done.stderr


def test_loading_and_querying_never_load_spacy(graph_file: Path) -> None:
    done = run_python(
        "import kg, sys; "
        f"graph = kg.load({str(graph_file)!r}); "
        "rows = kg.query(graph, 'SELECT ?n WHERE { ?e rdfs:label ?n }'); "
        "kg.export(graph, format='turtle'); kg.to_networkx(graph); graph.html(); "
        "assert len(rows) == 3; assert 'spacy' not in sys.modules, 'spacy loaded'"
    )
    assert done.returncode == 0, done.stderr


def test_the_api_and_the_page_load_neither_sparqls_parser_nor_pyvis() -> None:
    # kg add and kg build import kg.api and draw kg.html; the SPARQL parser (a third of a
    # second) is for queries, and pyvis imports IPython (another third).
    done = run_python(
        "import sys; from rdflib import Graph; import kg.api; "
        "from kg.views import render_html; assert 'vis-network' in render_html(Graph()); "
        "heavy = sorted(m for m in ('rdflib.plugins.sparql', 'kg.query.check', 'pyvis', "
        "'IPython', 'kg.graph.network') if m in sys.modules); "
        "assert not heavy, heavy"
    )
    assert done.returncode == 0, done.stderr


def test_every_name_in_all_resolves_and_the_stub_lists_the_same() -> None:
    for name in kg.__all__:
        assert getattr(kg, name) is not None, name
    stub = ast.parse((ROOT / "kg" / "__init__.pyi").read_text(encoding="utf-8"))
    imported = {
        a.asname for node in stub.body if isinstance(node, ast.ImportFrom) for a in node.names
    }
    assert imported | {"__version__"} == set(kg.__all__)
    assert set(dir(kg)) >= set(kg.__all__)


def test_kg_query_and_kg_build_stay_functions_after_their_packages_are_imported() -> None:
    done = run_python(
        "import kg.query, kg.build.pipeline, sys; import kg; "
        "assert callable(kg.query) and kg.query.__module__ == 'kg.api', kg.query; "
        "assert kg.build.__module__ == 'kg.api'; "
        "from kg.build import pipeline; assert pipeline.run; "
        "from kg import query; assert query is kg.query; "
        "assert sys.modules['kg.query'].run_query"
    )
    assert done.returncode == 0, done.stderr


def test_the_api_takes_typed_keywords_not_options() -> None:
    for name in FUNCTIONS:
        signature = inspect.signature(getattr(kg, name))
        kinds = {p.kind for p in signature.parameters.values()}
        assert inspect.Parameter.VAR_KEYWORD not in kinds, name
        assert all(
            p.annotation is not inspect.Parameter.empty for p in signature.parameters.values()
        ), name
    build = inspect.signature(kg.build).parameters
    assert {"out_dir", "min_confidence", "jobs", "encoding", "candidates"} <= set(build)


def test_py_typed_ships_with_the_package() -> None:
    assert (ROOT / "kg" / "py.typed").is_file()
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'(?m)^kg = \[.*"py\.typed".*"\*\.pyi"', config)


# -- query results ------------------------------------------------------------------------------


def test_rows_answer_to_attribute_key_and_index(graph_file: Path) -> None:
    result = kg.query(
        graph_file,
        "SELECT ?name ?place ?e WHERE { ?e rdfs:label ?name OPTIONAL { ?e kgo:basedIn ?place } } "
        "ORDER BY ?name",
    )
    assert len(result) == 3 and bool(result)
    assert result.columns == ("name", "place", "e")
    rows = list(result)
    assert [row.name for row in rows] == [Literal("Acme"), Literal("Jane Doe"), Literal("Paris")]
    acme = rows[0]
    assert acme.place == acme["place"] == acme[1] == URIRef(KGR + "city/paris")
    assert rows[1].place is None  # unbound
    assert tuple(acme) == result.rows[0]  # still a tuple of terms
    assert acme.asdict() == dict(zip(result.vars, result.rows[0], strict=True))
    with pytest.raises(AttributeError, match=r"no variable \?city .* \?name, \?place, \?e"):
        _ = acme.city
    with pytest.raises(KeyError, match="city"):
        _ = acme["city"]


def test_a_row_named_like_a_tuple_method_is_reached_by_key() -> None:
    row = Row((Literal(3),), ("count",))
    assert row["count"] == Literal(3)
    assert callable(row.count)  # the tuple method wins, as in rdflib


def test_ask_is_true_or_false_and_construct_has_a_row_per_triple(graph_file: Path) -> None:
    graph = kg.load(graph_file)
    assert bool(graph.query("ASK { ?e kgo:basedIn ?p }")) is True
    assert bool(graph.query("ASK { ?e kgo:sues ?p }")) is False
    built = graph.query("CONSTRUCT { ?p kgo:employs ?c } WHERE { ?p kgo:worksFor ?c }")
    assert len(built) == 1
    (row,) = built
    assert (row.subject, row.object) == (URIRef(KGR + "person/jane"), URIRef(KGR + "company/acme"))


def test_to_pandas_keeps_the_query_order_and_gives_python_values(graph_file: Path) -> None:
    pd = pytest.importorskip("pandas")
    result = kg.query(
        graph_file,
        "SELECT ?staff ?founded ?name ?e ?none WHERE { ?e kgo:staff ?staff ; "
        "kgo:founded ?founded ; rdfs:label ?name OPTIONAL { ?e kgo:sues ?none } }",
    )
    df = result.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["staff", "founded", "name", "e", "none"]
    record = df.iloc[0].to_dict()
    assert record["staff"] == 120 and record["name"] == "Acme"
    assert str(record["founded"]) == "1990-05-01"
    assert record["e"] == KGR + "company/acme" and record["none"] is None
    terms = result.to_pandas(terms=True).iloc[0]
    assert terms["name"] == Literal("Acme") and isinstance(terms["e"], URIRef)


def test_to_pandas_of_no_rows_still_has_the_columns(graph_file: Path) -> None:
    pytest.importorskip("pandas")
    df = kg.query(graph_file, "SELECT ?b ?a WHERE { ?a kgo:sues ?b }").to_pandas()
    assert list(df.columns) == ["b", "a"] and len(df) == 0


def test_to_pandas_without_pandas_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas then raises ImportError
    result = QueryResult(kind="SELECT", vars=("x",), rows=((Literal(1),),))
    with pytest.raises(MissingDependencyError, match=r"pip install 'kg-builder\[pandas\]'"):
        result.to_pandas()
    with pytest.raises(QueryError, match="bool"):
        QueryResult(kind="ASK", boolean=True).to_pandas()


def test_formatting_a_result_is_what_it_was() -> None:
    rows = ((URIRef(KGR + "company/acme"), Literal("a,b")), (BNode("x"), None))
    result = QueryResult(kind="SELECT", vars=("e", "n"), rows=rows, prefixes=PREFIXES)
    assert format_result(result, format="csv") == (f'e,n\r\n{KGR}company/acme,"a,b"\r\n_:x,\r\n')
    assert format_result(result).splitlines()[2] == "kgr:company/acme | a,b"


# -- graphs -------------------------------------------------------------------------------------


def test_load_reads_the_graph_of_a_build_folder(tmp_path: Path) -> None:
    (tmp_path / "kg.trig").write_text(
        "<https://example.org/g> { <https://example.org/a> a "
        "<https://w3id.org/kg-builder/ontology#Company> . }\n",
        encoding="utf-8",
    )
    graph = kg.load(tmp_path)
    assert graph.source == tmp_path / "kg.trig" and len(graph) == 1
    assert "1 triples" in repr(graph)
    (tmp_path / "empty").mkdir()
    with pytest.raises(GraphFileError, match=r"a folder without kg\.trig"):
        kg.load(tmp_path / "empty")


def test_a_graph_shows_the_html_view_inline(graph_file: Path) -> None:
    graph = kg.load(graph_file)
    frame = graph._repr_html_()
    match = re.fullmatch(
        r'<iframe srcdoc="([^"]*)" style="[^"]*" sandbox="allow-scripts"[^>]*>'
        r"</iframe>",
        frame,
    )
    assert match, frame[:200]
    page = html.unescape(match[1])
    assert page == render_html(graph.dataset, max_nodes=500)
    assert "Jane Doe" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # nothing to fetch
    small = graph.show(max_nodes=1, height=320)._repr_html_()
    assert "height: 320px" in small


def test_export_networkx_and_html_through_the_api(graph_file: Path, tmp_path: Path) -> None:
    graph = kg.load(graph_file)
    turtle = kg.export(graph, format="turtle")
    assert turtle is not None and "kgo:basedIn city:paris" in turtle
    assert kg.export(graph_file, format="nt", destination=tmp_path / "g.nt") is None
    assert (tmp_path / "g.nt").read_text(encoding="utf-8").count(" .\n") == len(graph) == 10
    net = kg.to_networkx(graph)
    assert set(net.edges(keys=True)) == {
        (KGR + "company/acme", KGR + "city/paris", "basedIn"),
        (KGR + "person/jane", KGR + "company/acme", "worksFor"),
    }
    page = kg.write_html(graph.dataset, tmp_path / "view" / "kg.html", title="small")
    assert page.is_file() and "<title>small</title>" in page.read_text(encoding="utf-8")


@pytest.mark.model
def test_build_one_article_then_load_it(tmp_path: Path) -> None:
    article = tmp_path / "news.txt"
    article.write_text("Lei Jun is the chairman of Xiaomi, which is based in Beijing.\n")
    summary = kg.build(str(article), out_dir=tmp_path / "out", html=False)  # one path, no list
    assert summary.documents == 1
    assert {p.name for p in summary.files} >= {"kg.trig", "kg.ttl"}
    assert "kg.html" not in {p.name for p in summary.files}
    names = {
        str(r.name)
        for r in kg.query(
            tmp_path / "out", "SELECT ?name WHERE { ?e a kgo:Company ; rdfs:label ?name }"
        )
    }
    assert names == {"Xiaomi"}
    second = tmp_path / "more.txt"
    second.write_text("Tim Cook is the chief executive of Apple.\n")
    added = kg.add([second], out_dir=tmp_path / "out", html=False)
    assert (added.added, added.documents) == (("more",), 2)
    removed = kg.remove(["news"], out_dir=tmp_path / "out", html=False)
    assert (removed.removed, removed.documents) == (("news",), 1)


def test_extract_jsonl_refuses_a_folder_as_output_before_any_work(tmp_path: Path) -> None:
    from kg.api import extract_jsonl

    with pytest.raises(OutputError, match="is a folder"):
        extract_jsonl([tmp_path / "missing.txt"], output=tmp_path)
    with pytest.raises(ThresholdError, match="--min-confidence 2"):
        extract_jsonl([tmp_path / "missing.txt"], min_confidence=2, option="--min-confidence")


# -- the examples -------------------------------------------------------------------------------


def python_section(readme: str) -> str:
    """The README's section about Python (its heading names Python)."""
    sections = re.split(r"(?m)^## ", readme)
    (section,) = [s for s in sections if "Python" in s.splitlines()[0]]
    return section


def test_the_readme_python_example_uses_only_import_kg() -> None:
    section = python_section((ROOT / "README.md").read_text(encoding="utf-8"))
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks
    for code in blocks:
        tree = ast.parse(code)
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        assert [ast.unparse(n) for n in imports] == ["import kg"]
        assert {"load", "query"} <= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


def test_the_docs_test_runs_the_readme_and_manual_examples() -> None:
    """tests/test_docs.py runs every unskipped ```python block; these must be among them."""
    from test_docs import examples  # pytest puts tests/ on sys.path

    readme = [e.code for e in examples(ROOT / "README.md") if e.skip is None]
    section = python_section((ROOT / "README.md").read_text(encoding="utf-8"))
    for code in re.findall(r"```python\n(.*?)```", section, re.S):
        assert code in readme
    manual = [e for e in examples(ROOT / "docs" / "python.md") if e.skip is None]
    used = " ".join(e.code for e in manual)
    for name in FUNCTIONS:
        assert f"kg.{name}(" in used, name
    assert ".to_pandas()" in used
    assert sum(e.shown is not None for e in manual) >= 4  # what they print is checked
