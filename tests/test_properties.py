"""Property-based tests (hypothesis): arbitrary input never crashes kg or breaks its output.

- ingestion: any bytes, as a text, Markdown, HTML or JSON Lines file, in any
  encoding, give clean articles or a :class:`kg.errors.KGError`, nothing else;
- name normalisation: total and idempotent;
- IRI minting: whatever the text, every IRI kg mints is a valid IRI;
- export: graphs of arbitrary names and sentences parse back, with pyoxigraph
  and rdflib, as the very graph that was written;
- the whole pipeline (statistical model) on arbitrary text, and the fuzz test:
  generated documents (news-like sentences with names, hostile characters,
  markup, JSON fragments) of every input kind, through ingest, extract,
  resolve, graph, write, and back through pyoxigraph.

The hypothesis profile decides how many examples run (tests/conftest.py): a
few in CI, 10,000 of each with ``--hypothesis-profile=fuzz``. The fuzz run of
the issue is::

    python -m pytest -p no:cacheprovider tests/test_properties.py -k fuzz \\
        --hypothesis-profile=fuzz --hypothesis-show-statistics

and, with ``KG_FUZZ_REPORT=FILE`` set, the test writes how many documents it
fed through the pipeline to FILE.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, URIRef
from spacy.language import Language
from test_safe_output import NOT_IN_IRIS, extraction

from kg.build.outputs import write_outputs
from kg.build.resolution import BuildResult
from kg.errors import KGError
from kg.extract import extract
from kg.graph.assemble import graph_blocks
from kg.graph.export import export_graph
from kg.graph.records import (
    dataset_from_blocks,
    fact_iri,
    graph_prefixes,
    iri_segment,
    statement_iri,
    statements,
)
from kg.ingest import normalise_unicode, read_articles
from kg.ontology import KGO, KGR_IRI, normalize_name
from kg.rdf.load import load_graph
from kg.rdf.serialize import canonical_quads
from kg.rdf.trig import graph_piece, write_graph_files
from kg.resolve import resolve
from kg.resolve.names import slug
from kg.types import Article, Extraction, Mention, RelationCandidate

FUZZING = settings.default.max_examples >= 1_000


def few(ci: int) -> int:
    """``ci`` examples in CI; the profile's own number (10,000) when fuzzing."""
    return settings.default.max_examples if FUZZING else ci


SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

# ------------------------------------------------------------------ strategies

HOSTILE = [
    *"\"'\\<>{}|^`&#%;:@.,!?()[]*_~/=+-",
    *"\n\r\t\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f\xa0",
    *"\u00ad\u0301\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202e\u2060\u2066",
    *"\ufeff\ufffd\ufffe\uffff",
    *["\U0001f4f1", "\U0010ffff", "e\u0301", "\r\n", '"""', "'''", "]]>", "-->", "\\u0022"],
]
LONE_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
CHARS = st.one_of(st.characters(), st.sampled_from(HOSTILE), LONE_SURROGATES)


def hostile_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text of any characters, hostile ones (and a few hostile sequences) often."""
    return st.lists(CHARS, max_size=max_size).map("".join)


HOSTILE_TEXT = hostile_text()

NAME_WORDS = [
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
    "Jane", "Doe", "John", "Smith", "Maria", "García", "Li", "Wei", "Zoë", "O'Neil",
    "Paris", "Berlin", "Lagos", "Ohio", "Kyoto", "Corp", "Inc.", "Ltd", "Group",
    "Bank", "Ministry", "of", "Defense", "the", "Court", "University", "AG", "S.A.",
]  # fmt: skip
TEMPLATES = [
    "{a} acquired {b} in {p} in March 2019.",
    "{x}, chief executive of {a}, said {a} would enter {p} next year.",
    "{b} sued {a} in the District Court of {p}.",
    "{a}'s market share rose to 12.5% in 2020, according to {b}.",
    "The Ministry of Defense banned {a} from selling phones in {p}.",
    "{a} partners with {b} and competes with {c}.",
    "{x} joined {b} as senior vice president in 2018.",
    "{a}, based in {p}, makes the {c} 3 smartphone.",
    "{a} stopped selling {c} in {p} after the deal collapsed.",
    "Shares of {a} fell 3 percent on Tuesday.",
]


@st.composite
def names(draw: st.DrawFn) -> str:
    """A name: a few capitalised words, now and then with hostile characters in it."""
    words = draw(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=4))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(words)))
        words.insert(i, draw(HOSTILE_TEXT))
    return " ".join(words)


@st.composite
def sentences(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(TEMPLATES))
    return template.format(a=draw(names()), b=draw(names()), c=draw(names()), p=draw(names()),
                           x=draw(names()))  # fmt: skip


@st.composite
def article_texts(draw: st.DrawFn) -> str:
    """News-like paragraphs, with hostile text, markup or JSON here and there."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 4))):
        parts = draw(st.lists(sentences() | HOSTILE_TEXT | st.sampled_from(JUNK), max_size=5))
        paragraphs.append(" ".join(parts))
    return "\n\n".join(paragraphs)


JUNK = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '{"id": "x", "text": "nested"}',
    '[1, 2, {"a": null}]',
    "@prefix kgo: <urn:x> .",
    "SELECT * WHERE { ?s ?p ?o }",
    "&lt;b&gt; &amp; &#0; &#xD800;",
    "Back to top",
    "Subscribe to our newsletter",
    "title: Not a title",
    "date 2018-07-04",
    "---",
    "```",
    "# Heading",
    "| a | b |",
]


def html_page(draw: st.DrawFn, body: str) -> str:
    title = draw(HOSTILE_TEXT | names())
    paragraphs = "".join(f"<p class='x'>{p}</p>\n" for p in body.split("\n\n"))
    extra = draw(st.sampled_from(["", "<!-- c -->", "<![CDATA[ x ]]>", "<style>p{}</style>"]))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<script>var s = '{draw(HOSTILE_TEXT)}';</script>{extra}</head>"
        f"<body><nav>Home | News</nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Back to top</footer></body></html>"
    )


def jsonl_lines(draw: st.DrawFn, body: str) -> str:
    lines = []
    for i in range(draw(st.integers(1, 3))):
        record: dict[str, object] = {"text": body if i == 0 else draw(article_texts())}
        if draw(st.booleans()):
            record["id"] = draw(
                HOSTILE_TEXT.map(lambda t, i=i: f"{t}-{i}") | st.integers(0, 10**6) | st.just(i)
            )
        for key in ("title", "publisher", "url"):
            if draw(st.booleans()):
                record[key] = draw(HOSTILE_TEXT | names())
        if draw(st.booleans()):
            record["date"] = draw(st.sampled_from(["2019-03-01", "March 4, 2021", "2018"]))
        lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
    if draw(st.integers(0, 9)) == 0:  # now and then, a broken line
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(JUNK)))
    return "\n".join(lines) + "\n"


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bytes, str | None]:
    """A file: its suffix, its bytes, and the --encoding to read it with (None: detect)."""
    kind = draw(st.sampled_from([".txt", ".md", ".html", ".jsonl"]))
    body = draw(article_texts())
    if kind == ".html":
        text = html_page(draw, body)
    elif kind == ".jsonl":
        text = jsonl_lines(draw, body)
    elif kind == ".md":
        text = f"---\ntitle: {draw(names())}\ndate: 2019-03-01\n---\n\n# {draw(names())}\n\n{body}"
    else:
        text = f"{draw(names())}\n\n{body}"
    encoding = draw(st.sampled_from(ENCODINGS))
    if draw(st.integers(0, 4)):  # mostly what a file can hold: no NUL, no lone surrogate
        text = re.sub("[\x00\ud800-\udfff]", "", text)
    data = text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace")
    if encoding == "utf-16-le" and kind == ".jsonl":  # JSON Lines must say their encoding
        return kind, data, encoding
    hint = encoding if encoding in ("latin-1", "cp1252") else None
    return kind, data, hint


# ------------------------------------------------------------------ ingestion


def read_one(data: bytes, suffix: str, encoding: str | None) -> list[Article]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"doc{suffix}"
        path.write_bytes(data)
        return list(read_articles([path], encoding=encoding))


def assert_clean(article: Article) -> None:
    """What every later stage counts on: clean text, and an id that makes an IRI."""
    assert article.text.strip()
    for field in (article.id, article.text, article.title, article.publisher, article.url):
        if field is not None:
            assert not re.search("[\ud800-\udfff\x00-\x08\x0e-\x1f\x7f]", field), repr(field)
    assert unicodedata.is_normalized("NFC", article.text)
    assert not NOT_IN_IRIS.search(iri_segment(article.id))


@settings(suppress_health_check=SLOW)
@given(
    data=st.binary(max_size=600) | documents().map(lambda d: d[1]),
    suffix=st.sampled_from([".txt", ".md", ".html", ".htm", ".jsonl"]),
    encoding=st.sampled_from([None, None, "latin-1", "utf-16", "cp1252", "no-such-codec"]),
)
def test_any_bytes_give_clean_articles_or_a_kg_error(
    data: bytes, suffix: str, encoding: str | None
) -> None:
    try:
        articles = read_one(data, suffix, encoding)
    except KGError as err:
        assert str(err) and "\n" not in str(err).strip()
        return
    assert articles
    assert len({a.id for a in articles}) == len(articles)
    for article in articles:
        assert_clean(article)


@settings(suppress_health_check=SLOW)
@given(document=documents())
def test_generated_documents_give_clean_articles_or_a_kg_error(
    document: tuple[str, bytes, str | None],
) -> None:
    suffix, data, encoding = document
    try:
        articles = read_one(data, suffix, encoding)
    except KGError:
        return
    for article in articles:
        assert_clean(article)


# ------------------------------------------------------------------ names and IRIs


@given(text=hostile_text(60) | names())
def test_normalize_name_is_total_and_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert once == once.strip() and "  " not in once
    assert normalize_name(f"  The {text.upper()}  ") == normalize_name(f"the {text.upper()}")


def valid_iri(iri: str) -> bool:
    if NOT_IN_IRIS.search(iri):
        return False
    ox.NamedNode(iri)  # raises on an invalid IRI
    return True


@given(text=hostile_text(60) | names(), label=st.sampled_from(["Company", "Person", "City"]))
def test_every_minted_iri_is_valid(text: str, label: str) -> None:
    assert valid_iri(KGR_IRI + "graph/" + iri_segment(text))
    assert valid_iri(KGR_IRI + "organization/" + slug(text))
    clean = normalise_unicode(text)
    assume(clean.strip())
    sentence = f"{clean} partners with {clean} Rival."
    rival = sentence.index(" partners with ") + len(" partners with ")
    mentions = (
        Mention(0, len(clean), clean, label),
        Mention(rival, len(sentence) - 1, sentence[rival:-1], "Company"),
    )
    relation = RelationCandidate(0, 1, "partnersWith", 0.8, (0, len(sentence)))
    article = Article(clean, sentence)
    entities, resolved = resolve([Extraction(article, mentions, (relation,))])
    for entity in entities:
        assert valid_iri(KGR_IRI + entity.id)
    for st_ in statements(resolved):
        assert valid_iri(str(statement_iri(st_)))
        triple = (URIRef(KGR_IRI + st_.subject), KGO[st_.predicate], URIRef(KGR_IRI + st_.object))
        assert valid_iri(str(fact_iri(triple)))


# ------------------------------------------------------------------ graphs and exports


@st.composite
def hostile_articles(draw: st.DrawFn) -> list[tuple[str, list[str], str]]:
    count = draw(st.integers(1, 3))
    made = []
    for i in range(count):
        doc_id = normalise_unicode(draw(HOSTILE_TEXT)).strip() or f"doc{i}"
        people = [normalise_unicode(draw(names())) for _ in range(draw(st.integers(2, 4)))]
        extra = normalise_unicode(draw(HOSTILE_TEXT | sentences()))
        made.append((f"{doc_id}-{i}", people, extra))
    return made


def usable(article: tuple[str, list[str], str]) -> bool:
    """Whether every name is more than white space once normalised."""
    return all(name.strip() for name in article[1])


@settings(suppress_health_check=SLOW, max_examples=few(60))
@given(articles=hostile_articles())
def test_graphs_of_any_names_parse_back_as_written(
    articles: list[tuple[str, list[str], str]],
) -> None:
    assume(all(usable(a) for a in articles))
    entities, resolved = resolve([extraction(*a) for a in articles])
    # The writer of kg build (graph_piece, write_graph_files), without the ontology's graph
    blocks = list(graph_blocks(entities, resolved, validate=False, ontology=False))
    expected = canonical_quads(dataset_from_blocks(blocks))
    union = canonical_quads(_union(dataset_from_blocks(blocks)))
    prefixes = {k: v for k, v in graph_prefixes().items() if k != "kgr"}
    pieces = [graph_piece(n, t, prefixes=prefixes) for n, t in blocks]
    with tempfile.TemporaryDirectory(dir=scratch()) as temp:
        folder = Path(temp)
        write_graph_files(
            pieces, trig=folder / "kg.trig", turtle=folder / "kg.ttl", prefixes=prefixes
        )
        assert canonical_quads(load_graph(folder / "kg.trig")) == expected  # pyoxigraph
        by_rdflib = Dataset()
        by_rdflib.parse(folder / "kg.trig", format="trig")
        assert canonical_quads(by_rdflib) == expected
        assert canonical_quads(load_graph(folder / "kg.ttl")) == union
        for fmt, suffix in (("nquads", "nq"), ("trig", "trig"), ("jsonld", "jsonld"), ("nt", "nt")):
            out = folder / f"export.{suffix}"
            export_graph(dataset_from_blocks(blocks), format=fmt, destination=out)
            assert canonical_quads(load_graph(out)) == (union if fmt == "nt" else expected)


def _union(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def scratch() -> str | None:
    """A memory-backed folder for the many small builds, when there is one."""
    return "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


# ------------------------------------------------------------------ the pipeline


def through_the_pipeline(
    files: list[tuple[str, bytes, str | None]],
    nlp: Language,
    counts: Counter[str],
    *,
    articles: list[Article] = (),  # type: ignore[assignment]
) -> None:
    """Ingest each file, extract, resolve, write every output, and parse it back."""
    with tempfile.TemporaryDirectory(dir=scratch()) as temp:
        folder = Path(temp)
        read_in: dict[str, Article] = {a.id: a for a in articles}
        for i, (suffix, data, encoding) in enumerate(files):
            path = folder / f"doc{i}{suffix}"
            path.write_bytes(data)
            counts["files"] += 1
            try:
                read = list(read_articles([path], encoding=encoding))
            except KGError as err:
                assert str(err)
                counts["files refused"] += 1
                continue
            for article in read:
                assert_clean(article)
                read_in.setdefault(article.id, article)
        if not read_in:
            return
        extractions = list(extract(list(read_in.values()), nlp))
        counts["documents"] += len(extractions)
        entities, resolved = resolve(extractions)
        out = folder / "out"
        write_outputs(BuildResult(entities, resolved), out)
        check_outputs(out, list(read_in))


def check_outputs(out: Path, ids: list[str]) -> None:
    """Every file parses: the graphs with pyoxigraph, the records as JSON."""
    trig = set(ox.parse(path=out / "kg.trig", format=ox.RdfFormat.TRIG))
    turtle = set(ox.parse(path=out / "kg.ttl", format=ox.RdfFormat.TURTLE))

    def plain(quads: set[ox.Quad]) -> set[ox.Triple]:
        return {
            q.triple
            for q in quads
            if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))
        }

    assert plain(trig) == plain(turtle)  # kg.ttl is the union of kg.trig's graphs
    graphs = {q.graph_name.value for q in trig if isinstance(q.graph_name, ox.NamedNode)}
    for doc_id in ids:
        assert KGR_IRI + "graph/" + iri_segment(doc_id) in graphs
    records = [json.loads(line) for line in (out / "extractions.jsonl").open(encoding="utf-8")]
    assert sorted(r["id"] for r in records) == sorted(ids)
    page = (out / "kg.html").read_text(encoding="utf-8")
    # article text is data in the page, never markup: no tag of it survives unescaped
    assert "<script>alert(" not in page and "<img src=x" not in page


@pytest.fixture(scope="module")
def counts() -> Iterator[Counter[str]]:
    """What the pipeline tests fed through; written to $KG_FUZZ_REPORT when it is set."""
    seen: Counter[str] = Counter()
    yield seen
    report = os.environ.get("KG_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(dict(seen), indent=1) + "\n", encoding="utf-8")


@pytest.mark.model
@settings(suppress_health_check=SLOW, max_examples=few(20))
@given(text=article_texts() | hostile_text(400))
def test_the_pipeline_takes_any_text(nlp: Language, counts: Counter[str], text: str) -> None:
    article = Article("any", normalise_unicode(text))  # as ingestion hands text on
    assume(article.text.strip())
    through_the_pipeline([], nlp, counts, articles=[article])


@pytest.mark.model
@settings(suppress_health_check=SLOW, max_examples=few(25))
@given(batch=st.lists(documents(), min_size=1, max_size=4))
def test_fuzz_documents_through_the_whole_pipeline(
    nlp: Language, counts: Counter[str], batch: list[tuple[str, bytes, str | None]]
) -> None:
    through_the_pipeline(batch, nlp, counts)
