"""Draw asserted relations of a build at random, for a hand check of their correctness.

Run from the repository root after building the 300 Lee articles::

    kg build ../shared/datasets/lee/background.jsonl -o build/lee --jobs 2 --no-html
    python eval/handcheck/draw.py build/lee --n 50 --seed 12 > eval/handcheck/lee-300.sample.jsonl

Each line is one relation the build asserts (from ``extractions.jsonl``, which
holds what the graph asserts): the node labels and classes of its ends as the
graph names them, the mention texts, predicate, qualifiers, confidence and
the evidence sentence. A checker who did not write kg marks each one right
or wrong against its sentence (``lee-300.verdicts.jsonl``).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pyoxigraph as ox

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def node_names(build: Path) -> dict[str, tuple[str, str]]:
    """Node IRI -> (label, class local name), read from the build's kg.ttl."""
    names: dict[str, tuple[str, str]] = {}
    classes: dict[str, str] = {}
    with (build / "kg.ttl").open("rb") as handle:
        for quad in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            s = quad.subject.value
            if quad.predicate == LABEL:
                names[s] = (quad.object.value, "")
            elif quad.predicate == TYPE and "ontology#" in quad.object.value:
                classes[s] = quad.object.value.rsplit("#", 1)[1]
    return {s: (label, classes.get(s, "")) for s, (label, _) in names.items()}


def relations(build: Path) -> list[dict]:
    """Every asserted relation of the build, in file order."""
    names = node_names(build)
    found = []
    with (build / "extractions.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            text, entities = record["text"], record["entities"]
            for r in record["relations"]:
                head, tail = entities[r["head"]], entities[r["tail"]]
                start, end = r["evidence"]
                found.append(
                    {
                        "doc": record["id"],
                        "subject": names.get(head["node"], (head["text"], ""))[0],
                        "subject_class": names.get(head["node"], ("", head.get("class")))[1],
                        "subject_text": head["text"],
                        "predicate": r["predicate"],
                        "object": names.get(tail["node"], (tail["text"], ""))[0],
                        "object_class": names.get(tail["node"], ("", tail.get("class")))[1],
                        "object_text": tail["text"],
                        "qualifiers": r.get("qualifiers", {}),
                        "confidence": r["confidence"],
                        "evidence": text[start:end],
                    }
                )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="the build folder")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    found = relations(args.build)
    sample = random.Random(args.seed).sample(found, min(args.n, len(found)))
    for n, item in enumerate(sample, 1):
        print(json.dumps({"n": n, **item}, ensure_ascii=False))


if __name__ == "__main__":
    main()
