"""How long the overview takes to draw: a real build's view and a 5,000-entity synthetic one.

Requirement (issue 15): the first screen of a big build (communities coloured,
the most connected entities labelled, entities without a relation left out)
is drawn in under 5 s, for 5,000 entities too. For each page this prints the
Python time (reading the graph, communities, layout, page) and the time from
navigation start to the first drawn frame in headless Chromium
(``window.kgReady``, the median of ``--repeat`` fresh, offline browser
contexts), with what the first screen shows.

Run from the repository root, e.g. on a build of the first 1,000 Reuters articles::

    zcat ../shared/datasets/reuters21578/train.jsonl.gz | head -1000 > /tmp/reuters1000.jsonl
    kg build /tmp/reuters1000.jsonl -o /tmp/r1000 --jobs 2 --no-html
    python benchmarks/view_draw.py --graph /tmp/r1000/kg.trig --synthetic 5000

(the browser test tests/browser/test_overview.py keeps such a build in
``.pytest_cache/d/kg-reuters-1000-*/build``). It needs Playwright and Debian's
Chromium, as benchmarks/viz_render.py. It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rdflib import Graph

sys.path.insert(0, str(Path(__file__).resolve().parent))

from viz_render import chromium, draw_times, synthetic_graph

from kg.rdf.load import load_graph
from kg.views import DEFAULT_MAX_NODES, graph_to_view, write_html


def _first_screen(browser: Any, page: Path) -> dict[str, int]:
    """What the first screen shows: nodes drawn, labels placed, communities coloured."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
    tab = context.new_page()
    tab.goto(page.resolve().as_uri())
    tab.wait_for_selector("html[data-kg-ready]", state="attached", timeout=300_000)
    shown = tab.evaluate(
        """() => ({drawn: kgView.network.body.nodeIndices.length,
                   labels: kgView.labels().length,
                   communities: document.querySelectorAll('#kg-communities li').length})"""
    )
    context.close()
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, action="append", default=[], help="a built graph")
    parser.add_argument("--synthetic", type=int, nargs="*", default=[5000], help="entities")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chromium", default=os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--keep", type=Path, help="write the pages to this folder and keep them")
    args = parser.parse_args(argv)
    keep = args.keep or Path(tempfile.mkdtemp(prefix="kg-view-draw-"))
    keep.mkdir(parents=True, exist_ok=True)

    sources: list[tuple[str, Callable[[], Graph]]] = [
        (path.name, partial(load_graph, path)) for path in args.graph
    ]
    sources += [(f"synthetic {n:,}", partial(synthetic_graph, n)) for n in args.synthetic]
    print(f"# load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    print("| page | entities | drawn | labels | communities | Python s | first draw s |")
    print("|---|---|---|---|---|---|---|")
    with chromium(args.chromium) as browser:
        for i, (name, read) in enumerate(sources):
            graph = read()
            t0 = time.perf_counter()
            view = graph_to_view(graph, max_nodes=DEFAULT_MAX_NODES)
            page = write_html(view, keep / f"view_{i}.html", title=name)
            python_s = time.perf_counter() - t0
            times = draw_times(browser, page, repeat=args.repeat, timeout_s=300)
            shown = _first_screen(browser, page)
            print(
                f"| {name} | {len(view.nodes):,} | {shown['drawn']:,} | {shown['labels']} | "
                f"{shown['communities']} | {python_s:.1f} | {times['first_draw_s']:.2f} |",
                flush=True,
            )
            for message in dict.fromkeys(times["errors"]):
                print(f"  page error: {message}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
