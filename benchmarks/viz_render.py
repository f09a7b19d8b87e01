"""HTML view: how long big graphs take to render in Python and to draw in Chromium.

Requirement (issue 4): the view of a 5,000-entity graph is usable, drawn in
under 5 s on the project's 2-core machine, or reduced automatically with a
message. This script builds synthetic ``kg`` graphs (RDF per the data model:
entities with labels, aliases, Wikidata links and documents; direct relation
triples and one qualified statement per document with an evidence sentence,
dates and status), with a skewed degree distribution like a news corpus (a
few hubs such as countries and big companies, many entities seen once). For
each size it:

1. renders the page with :func:`kg.views.render_html` (Python time: reading the
   graph, layout, page), once with every entity (``max_nodes=None``) and, when
   the graph is over :data:`kg.views.DEFAULT_MAX_NODES`, once with the default;
2. opens it in headless Chromium (Debian's ``/usr/bin/chromium`` through
   Playwright, network blocked) and reads ``window.kgReady``, the time from
   navigation start to the end of the network's first drawn frame (set by the
   page script on vis-network's first ``afterDrawing``); the median of
   ``--repeat`` fresh browser contexts counts;
3. times one more frame (``network.redraw()``, what panning and zooming cost)
   and a click on the biggest hub (neighbourhood highlight and side panel).

Run from the repository root::

    python benchmarks/viz_render.py                       # 1,000 and 5,000 entities
    python benchmarks/viz_render.py --sizes 1000 5000 10000 --repeat 5
    python benchmarks/viz_render.py --keep /tmp/pages     # keep the HTML files
    python benchmarks/viz_render.py --check               # exit 1 if a default page is over 5 s

It needs ``pip install playwright`` (Playwright's own browser download is not
used) and Chromium (``apt-get install chromium``). It prints a table and exits
0 (with ``--check``: 1 when a page ``kg viz`` would write takes over
``--target`` seconds to draw). It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, XSD

from kg.ontology import SIGNATURES
from kg.types import coarse_class
from kg.views import DEFAULT_MAX_NODES, graph_to_view, render_html

KGO = Namespace("https://w3id.org/kg-builder/ontology#")
KGR = Namespace("https://w3id.org/kg-builder/resource/")

#: Share of each entity class, roughly as in news: companies and people first.
CLASS_WEIGHTS = {
    "Company": 30,
    "Person": 25,
    "Product": 12,
    "City": 8,
    "GovernmentAgency": 6,
    "Organization": 5,
    "Country": 4,
    "MediaOrganization": 4,
    "ResearchFirm": 2,
    "Court": 2,
    "Region": 2,
}
#: How many relations a new entity brings: many bring none or one, a few bring several.
NEW_EDGES = (0, 0, 1, 1, 1, 1, 1, 2, 2, 3)
SYLLABLES = tuple(
    "ka lo mi ra ven tor sul dan bri qua zen fel mar tis oro lux nev pal cor ion".split()  # noqa: SIM905
)
SUFFIXES = {
    "Company": ("Corp", "Holdings", "Group", "Technologies", "Inc", "Motors", "Bank"),
    "Organization": ("Alliance", "Foundation", "Association", "Council"),
    "GovernmentAgency": ("Ministry of Trade", "Department of Energy", "Commission", "Agency"),
    "Court": ("District Court", "Supreme Court", "Court of Appeal"),
    "MediaOrganization": ("News", "Times", "Herald", "Broadcasting"),
    "ResearchFirm": ("Research", "Analytics", "Insights"),
    "Product": ("Pro", "X", "Max", "Lite", "One", "Ultra"),
}
FILLER = (
    "according to people familiar with the matter",
    "the company said in a statement on Tuesday",
    "as the market for consumer electronics slows",
    "in a filing with regulators late last year",
    "analysts said the move was widely expected",
    "amid a wider dispute over trade and technology",
)

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


# -- synthetic graphs ---------------------------------------------------------------------------


def _name(rng: random.Random, cls: str, taken: set[str]) -> str:
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if cls == "Person":
            last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            name = f"{word} {last}"
        elif cls in SUFFIXES:
            name = f"{word} {rng.choice(SUFFIXES[cls])}"
        else:
            name = word
        if name not in taken:
            taken.add(name)
            return name


def _predicates(subject_cls: str, object_cls: str) -> list[str]:
    s, o = coarse_class(subject_cls), coarse_class(object_cls)
    return sorted(
        p for p, (subjects, objects) in SIGNATURES.items() if s in subjects and o in objects
    )


def synthetic_graph(n_entities: int, *, seed: int = 7) -> Graph:
    """A ``kg`` graph of ``n_entities`` entities with a news-like, skewed degree distribution.

    Entities arrive one by one; each links to 0-3 earlier ones chosen in
    proportion to their degree plus one (preferential attachment), with a
    predicate whose signature fits the two classes. Every relation has 1-3
    statements, each from one of ``n_entities / 4`` documents.
    """
    rng = random.Random(seed)
    g = Graph()
    classes = rng.choices(list(CLASS_WEIGHTS), weights=list(CLASS_WEIGHTS.values()), k=n_entities)
    taken: set[str] = set()
    docs = []
    for i in range(max(1, n_entities // 4)):
        doc = KGR[f"doc/synthetic_{i:05d}"]
        docs.append(doc)
        g.add((doc, RDF.type, KGO.Document))
        g.add((doc, DCTERMS.identifier, Literal(f"synthetic_{i:05d}")))
        g.add((doc, DCTERMS.title, Literal(f"{_name(rng, 'Organization', taken)} news {i}")))
        day = date(2018, 1, 1).toordinal() + rng.randrange(365)
        g.add((doc, DCTERMS.date, Literal(date.fromordinal(day).isoformat(), datatype=XSD.date)))

    nodes: list[URIRef] = []
    labels: list[str] = []
    targets: list[int] = []  # one entry per endpoint of an edge, plus one per node: degree + 1
    seen_edges: set[tuple[int, str, int]] = set()
    statement = 0
    for i, cls in enumerate(classes):
        label = _name(rng, cls, taken)
        node = KGR[f"{cls.lower()}/{label.lower().replace(' ', '_')}"]
        nodes.append(node)
        labels.append(label)
        g.add((node, RDF.type, KGO[cls]))
        g.add((node, RDFS.label, Literal(label)))
        if rng.random() < 0.3:
            for alias in {label.split()[0], label.upper()[: rng.randint(2, 4)]}:
                g.add((node, SKOS.altLabel, Literal(alias)))
        if rng.random() < 0.2:
            g.add((node, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/Q{1000 + i}")))
        for doc in rng.sample(docs, k=min(len(docs), rng.randint(1, 3))):
            g.add((node, KGO.mentionedIn, doc))
        for _ in range(rng.choice(NEW_EDGES) if i else 0):
            for _attempt in range(10):
                j = rng.choice(targets)
                forward = _predicates(cls, classes[j])
                backward = _predicates(classes[j], cls)
                if forward or backward:
                    break
            else:
                continue
            if forward and (not backward or rng.random() < 0.5):
                s, p, o = i, rng.choice(forward), j
            else:
                s, p, o = j, rng.choice(backward), i
            if (s, p, o) in seen_edges:
                continue
            seen_edges.add((s, p, o))
            targets += [i, j]
            g.add((nodes[s], KGO[p], nodes[o]))
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                statement += 1
                _statement(g, rng, statement, nodes[s], p, nodes[o], labels[s], labels[o], docs)
        targets.append(i)
    return g


def _statement(
    g: Graph,
    rng: random.Random,
    n: int,
    s: URIRef,
    p: str,
    o: URIRef,
    s_label: str,
    o_label: str,
    docs: Sequence[URIRef],
) -> None:
    st = KGR[f"statement/{n:08x}"]
    doc = rng.choice(docs)
    sentence = f"{s_label} {p} {o_label}, {rng.choice(FILLER)}, {rng.choice(FILLER)}."
    start = rng.randrange(3000)
    for pred, value in (
        (RDF.type, KGO.Statement),
        (RDF.subject, s),
        (RDF.predicate, KGO[p]),
        (RDF.object, o),
        (PROV.wasDerivedFrom, doc),
        (KGO.evidence, Literal(sentence)),
        (KGO.evidenceStart, Literal(start)),
        (KGO.evidenceEnd, Literal(start + len(sentence))),
        (KGO.confidence, Literal(f"0.{rng.randint(50, 99)}", datatype=XSD.decimal)),
    ):
        g.add((st, pred, value))
    roll = rng.random()
    if p == "plansToEnter" or roll < 0.05:
        g.add((st, KGO.status, KGO.Planned))
    elif roll < 0.10:
        g.add((st, KGO.status, KGO.Ended))
        g.add((st, KGO.endDate, Literal(f"2018-{rng.randint(1, 12):02d}", datatype=XSD.gYearMonth)))
    if rng.random() < 0.3:
        g.add((st, KGO.date, Literal(str(rng.randint(2010, 2019)), datatype=XSD.gYear)))
    if p == "worksFor" and rng.random() < 0.5:
        g.add((st, KGO.role, Literal(rng.choice(("Chairman", "Chief Executive", "Founder")))))


# -- the browser ---------------------------------------------------------------------------------


@contextmanager
def chromium(executable: str) -> Iterator[Any]:
    """A headless Chromium driven by Playwright, the browser's own network switched off."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def draw_times(browser: Any, page_file: Path, *, repeat: int, timeout_s: float) -> dict[str, Any]:
    """Time to first drawn frame (median of ``repeat`` fresh contexts), one redraw, one click."""
    url = page_file.resolve().as_uri()
    first: list[float] = []
    frame = click = None
    errors: list[str] = []
    for run in range(repeat):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        # A selector, not wait_for_function: the page's CSP forbids the eval that needs.
        page.wait_for_selector("html[data-kg-ready]", state="attached", timeout=timeout_s * 1000)
        first.append(page.evaluate("window.kgReady") / 1000)
        if run == 0:
            frame = page.evaluate(
                """() => new Promise(done => {
                    const t = performance.now();
                    kgView.network.once("afterDrawing", () => done(performance.now() - t));
                    kgView.network.redraw();
                })"""
            )
            click = page.evaluate(
                """() => {
                    let hub = null;
                    kgView.nodes.forEach(n => { if (!hub || n.size > hub.size) hub = n; });
                    if (!hub) return null;
                    const t = performance.now();
                    kgView.focus(hub.id, false);
                    return new Promise(done => kgView.network.once(
                        "afterDrawing", () => done(performance.now() - t)));
                }"""
            )
        context.close()
    return {
        "first_draw_s": statistics.median(first),
        "all_s": first,
        "frame_ms": frame,
        "click_ms": click,
        "errors": errors,
    }


# -- the run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    entities: int
    drawn: int
    edges: int
    statements: int
    html_mb: float
    python_s: float
    first_draw_s: float
    frame_ms: float | None
    click_ms: float | None
    errors: int
    default: bool


def measure(
    graph: Graph,
    n: int,
    *,
    max_nodes: int | None,
    browser: Any,
    repeat: int,
    keep: Path,
    timeout_s: float,
) -> Row:
    t0 = time.perf_counter()
    view = graph_to_view(graph, max_nodes=max_nodes)
    page = render_html(view, title=f"synthetic {n}")
    python_s = time.perf_counter() - t0
    path = keep / f"synthetic_{n}_{'all' if max_nodes is None else max_nodes}.html"
    path.write_text(page, encoding="utf-8")
    times = draw_times(browser, path, repeat=repeat, timeout_s=timeout_s)
    for message in dict.fromkeys(times["errors"]):
        print(f"  page error ({path.name}): {message}", file=sys.stderr)
    return Row(
        entities=n,
        drawn=len(view.nodes),
        edges=len(view.edges),
        statements=sum(len(e.statements) for e in view.edges),
        html_mb=len(page.encode("utf-8")) / 1e6,
        python_s=python_s,
        first_draw_s=times["first_draw_s"],
        frame_ms=times["frame_ms"],
        click_ms=times["click_ms"],
        errors=len(times["errors"]),
        default=max_nodes == DEFAULT_MAX_NODES or (max_nodes is None and n <= DEFAULT_MAX_NODES),
    )


def _fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(rows: Sequence[Row]) -> None:
    head = (
        "entities",
        "drawn",
        "edges",
        "statements",
        "HTML MB",
        "Python s",
        "first draw s",
        "frame ms",
        "click ms",
        "kg viz default",
    )
    cells = [
        (
            f"{r.entities:,}",
            f"{r.drawn:,}",
            f"{r.edges:,}",
            f"{r.statements:,}",
            f"{r.html_mb:.2f}",
            f"{r.python_s:.2f}",
            f"{r.first_draw_s:.2f}",
            _fmt(r.frame_ms),
            _fmt(r.click_ms),
            "yes" if r.default else "no",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print("| " + " | ".join(v.rjust(w) for v, w in zip(c, widths, strict=True)) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=3, help="page loads per size (median)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chromium", default=os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--keep", type=Path, help="write the pages to this folder and keep them")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per page load")
    parser.add_argument("--target", type=float, default=5.0, help="seconds, for --check")
    parser.add_argument("--check", action="store_true", help="exit 1 above --target")
    args = parser.parse_args(argv)

    try:
        import playwright  # noqa: F401
    except ImportError:
        print("needs Playwright: pip install playwright", file=sys.stderr)
        return 2
    if not (shutil.which(args.chromium) or Path(args.chromium).is_file()):
        print(f"no Chromium at {args.chromium}: apt-get install chromium", file=sys.stderr)
        return 2

    keep = args.keep or Path(tempfile.mkdtemp(prefix="kg-viz-bench-"))
    keep.mkdir(parents=True, exist_ok=True)
    print(
        f"# {date.today()} · {platform.node()} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()} · pyvis {importlib.metadata.version('pyvis')} "
        f"(vis-network 9.1.2) · Playwright {importlib.metadata.version('playwright')} · "
        f"default --max-nodes {DEFAULT_MAX_NODES:,} · load average {os.getloadavg()[0]:.2f}"
    )
    rows: list[Row] = []
    with chromium(args.chromium) as browser:
        print(f"# {browser.version} (headless), {args.repeat} loads per page, median", flush=True)
        for n in args.sizes:
            t0 = time.perf_counter()
            graph = synthetic_graph(n, seed=args.seed)
            print(
                f"# built {n:,} entities, {len(graph):,} triples in "
                f"{time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            limits: list[int | None] = [None]
            if n > DEFAULT_MAX_NODES:
                limits.append(DEFAULT_MAX_NODES)
            for limit in limits:
                rows.append(
                    measure(
                        graph,
                        n,
                        max_nodes=limit,
                        browser=browser,
                        repeat=args.repeat,
                        keep=keep,
                        timeout_s=args.timeout,
                    )
                )
                print_row_progress(rows[-1])
    print()
    print_table(rows)
    if not args.keep:
        shutil.rmtree(keep, ignore_errors=True)
    over = [r for r in rows if r.default and r.first_draw_s > args.target]
    if over:
        print(
            f"\nover {args.target:g} s: "
            + ", ".join(f"{r.entities:,} entities ({r.first_draw_s:.2f} s)" for r in over)
        )
    return 1 if args.check and over else 0


def print_row_progress(row: Row) -> None:
    print(
        f"# {row.entities:,} entities, {row.drawn:,} drawn: Python {row.python_s:.2f} s, "
        f"first draw {row.first_draw_s:.2f} s",
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
