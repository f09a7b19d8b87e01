"""How the time to read (and optionally extract) hostile text grows with its length.

Each case is run at two sizes, N and 4N characters. Linear work takes about 4
times as long at 4N; work that grows with the square of the length takes about
16 times as long. ``--check`` exits with 1 when a reading case grows faster
than ``--max-growth`` (8 by default; cases under 0.05 s at 4N are not judged),
which catches quadratic patterns in kg.ingest without timing anything in the
test suite. Before the patterns were made linear, "md brackets" took 10 s for
40,000 characters and grew 4 times for twice the text.

``--extract`` also times extraction (the spaCy model and kg's components) of
one sentence dense with names, at a smaller size: the relation classifier pairs
every two mentions of a sentence, so its time grows faster than the length.

    python benchmarks/hostile_input.py --check
    python benchmarks/hostile_input.py --extract --extract-size 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial

from kg.ingest import article_from_html, article_from_text

ARTICLE = "Acme Corp, based in Paris, hired Jo Bloggs as its chief executive in 2019."

#: name -> (repeated unit, Markdown?)
CASES: dict[str, tuple[str, bool]] = {
    "md brackets": ("[", True),
    "md images": ("![", True),
    "md links": ("[a](", True),
    "md emphasis": ("*a ", True),
    "md strong": ("**a ", True),
    "md underscores": ("_a ", True),
    "md strike": ("~~a ", True),
    "md comments": ("<!--", True),
    "md tags": ("<a", True),
    "md autolinks": ("<http://x", True),
    "md heading spaces": (" ", True),
    "text spaces": (" \t", False),
    "text words": ("word ", False),
}


def _line(unit: str, size: int, name: str) -> str:
    body = unit * (size // len(unit))
    return f"# a{body}b" if name == "md heading spaces" else body


def seconds(call: Callable[[], object], repeat: int = 1) -> float:
    """The best time of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200_000, help="N, in characters")
    parser.add_argument("--check", action="store_true", help="exit 1 on superlinear reading")
    parser.add_argument("--max-growth", type=float, default=8.0)
    parser.add_argument("--extract", action="store_true", help="also time extraction")
    parser.add_argument("--extract-size", type=int, default=2_000)
    args = parser.parse_args(argv)

    worst = 0.0
    print(f"{'case':<20} {'N s':>8} {'4N s':>8} {'growth':>7}")
    for name, (unit, markdown) in CASES.items():
        times = []
        for size in (args.size, 4 * args.size):
            text = f"{_line(unit, size, name)}\n\n{ARTICLE}\n"
            read = partial(article_from_text, text, id="x", markdown=markdown)
            times.append(seconds(read, repeat=3))
        growth = times[1] / max(times[0], 1e-4)
        if times[1] > 0.05:  # shorter times are too noisy to judge
            worst = max(worst, growth)
        print(f"{name:<20} {times[0]:>8.3f} {times[1]:>8.3f} {growth:>7.1f}")
    page = "<div>" * 200 + ARTICLE + "</div>" * 200
    print(f"{'html nesting':<20} {seconds(lambda: article_from_html(page, id='x')):>8.3f}")

    if args.extract:
        from kg.extract import extract, make_nlp
        from kg.types import Article

        nlp = make_nlp()
        names = ["Acme Corp", "Zorblax Inc", "Jo Bloggs", "Paris", "Berlin", "Nokia"]
        for size in (args.extract_size, 2 * args.extract_size):
            parts: list[str] = []
            length = 0
            while length < size:
                parts.append(f"{names[len(parts) % len(names)]} said that it would hire")
                length += len(parts[-1]) + 2
            sentence = ", ".join(parts)[:size] + "."
            article = Article("dense", sentence)
            took = seconds(lambda: list(extract([article], nlp)))  # noqa: B023 (called at once)
            print(f"extract dense sentence of {len(sentence):,} chars: {took:.2f} s")

    if args.check and worst > args.max_growth:
        print(f"reading grew {worst:.1f} times for 4 times the text (limit {args.max_growth})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
