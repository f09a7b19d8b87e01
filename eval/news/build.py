"""Merge the per-article annotations into the gold files of kg's real-news gold set.

Run from the repository root::

    python eval/news/build.py            # check, then write the gold files
    python eval/news/build.py --check    # check only

Reads ``articles.jsonl``, ``split.json`` and the primary annotations
``annotations/a*/ID.json`` (one per article; ``annotations/b/`` holds the
second annotations used only by ``agreement.py``), checks every file against
the guide (docs/annotation.md), and writes, for each split, the articles as
kg JSON Lines (``train.jsonl``, ``dev.jsonl``) and the gold in the layout of
``shared/GOLD.md`` (``train.gold.json``, ``dev.gold.json``).

Entities with the same label and coarse class in several articles become one
entity with all their names and documents (one real thing, one node). Labels
that annotators spelt differently for one real thing are joined through
``SAME_AS`` below, each with its reason; nothing else is changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.types import COARSE_CLASSES

HERE = Path(__file__).resolve().parent

#: Class local names allowed for entities, by coarse class (kg.types, CONTRACT.md).
CLASSES = {coarse: set(fines) for coarse, fines in COARSE_CLASSES.items()}
COARSE = {fine: coarse for coarse, fines in CLASSES.items() for fine in fines}
#: predicate -> (allowed subject coarse classes, allowed object coarse classes), CONTRACT.md.
SIGNATURES = {
    "worksFor": ({"Person"}, {"Organization"}),
    "basedIn": ({"Organization"}, {"Place"}),
    "locatedIn": ({"Place"}, {"Place"}),
    "livesIn": ({"Person"}, {"Place"}),
    "killed": ({"Person"}, {"Person"}),
    "operatesIn": ({"Organization"}, {"Place"}),
    "plansToEnter": ({"Organization"}, {"Place"}),
    "partnersWith": ({"Organization"}, {"Organization"}),
    "competesWith": ({"Organization"}, {"Organization"}),
    "produces": ({"Organization"}, {"Product"}),
    "sells": ({"Organization"}, {"Organization", "Product"}),
    "subsidiaryOf": ({"Organization"}, {"Organization"}),
    "sanctions": ({"Organization", "Person", "Place"}, {"Organization"}),
    "liftsSanctionOn": ({"Organization", "Person", "Place"}, {"Organization"}),
    "sues": ({"Organization", "Person"}, {"Organization", "Person"}),
}
QUALIFIERS = {"date", "start", "end", "status", "role", "duration"}
STATUSES = {"planned", "ongoing", "ended"}

#: Labels two annotators gave one real thing -> the label kept, with the reason.
SAME_AS: dict[str, str] = {
    # a misspelling kept as a name; the swimmer is Leisel Jones
    "Liesel Jones": "Leisel Jones",
    # the guide: a building standing for a government is a name of that government
    "White House": "Government of the United States",
}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def primary_files() -> dict[str, Path]:
    """Article id -> its primary annotation file (annotations/a*/ID.json)."""
    found: dict[str, Path] = {}
    for path in sorted(HERE.glob("annotations/a*/*.json")):
        if path.stem in found:
            raise SystemExit(f"error: {path.stem} is annotated twice: {found[path.stem]}, {path}")
        found[path.stem] = path
    return found


def check(annotation: dict[str, Any], text: str, where: str) -> list[str]:
    """The problems of one annotation file (empty when it follows the guide)."""
    problems = []
    entities = {e["label"]: e for e in annotation.get("entities", [])}
    for entity in annotation.get("entities", []):
        if entity.get("class") not in COARSE:
            problems.append(
                f"{where}: entity {entity.get('label')!r}: class {entity.get('class')!r}"
            )
        for name in entity.get("names", []):
            if name not in text:
                problems.append(f"{where}: name {name!r} is not in the text")
    for relation in annotation.get("relations", []):
        problems += _check_relation(relation, entities, text, where)
    return problems


def _check_relation(
    relation: dict[str, Any], entities: dict[str, dict[str, Any]], text: str, where: str
) -> list[str]:
    predicate = relation.get("predicate")
    triple = f"{relation.get('subject')} {predicate} {relation.get('object')}"
    if predicate not in SIGNATURES:
        return [f"{where}: {triple}: unknown predicate"]
    ends = [entities.get(relation.get(k, "")) for k in ("subject", "object")]
    if ends[0] is None or ends[1] is None:
        return [f"{where}: {triple}: an end is not an entity of the file"]
    problems = []
    allowed = SIGNATURES[predicate]
    for end, classes in zip(ends, allowed, strict=True):
        if COARSE.get(end["class"]) not in classes:
            problems.append(f"{where}: {triple}: {end['label']} is a {end['class']}")
    for alternative in relation.get("alternatives") or []:
        s, p, o = triple_of(alternative)
        if s not in entities or o not in entities or p not in SIGNATURES:
            problems.append(f"{where}: {triple}: alternative {alternative} is not of the file")
    if relation.get("evidence") not in text:
        problems.append(f"{where}: {triple}: evidence not in the text")
    qualifiers = relation.get("qualifiers") or {}
    if set(qualifiers) - QUALIFIERS or qualifiers.get("status", "planned") not in STATUSES:
        problems.append(f"{where}: {triple}: qualifiers {qualifiers}")
    return problems


def triple_of(alternative: Any) -> tuple[str, str, str]:
    """An alternative as (subject, predicate, object): written as a list or as an object."""
    if isinstance(alternative, dict):
        return alternative["subject"], alternative["predicate"], alternative["object"]
    subject, predicate, obj = alternative
    return subject, predicate, obj


def final_labels(annotations: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(label, coarse class) -> the label the gold gives it: the label itself, or, when one
    label names things of several coarse classes ("European Community" as a body and as a
    region), the label with the class in brackets for all but the most used class."""
    uses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for annotation in annotations:
        for item in annotation["entities"]:
            uses[SAME_AS.get(item["label"], item["label"])][COARSE[item["class"]]] += 1
    final = {}
    for label, classes in uses.items():
        main = max(sorted(classes), key=lambda c: classes[c])
        for coarse in classes:
            final[(label, coarse)] = label if coarse == main else f"{label} [{coarse}]"
    return final


def merge(annotations: Iterable[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """GOLD.md entities (one per label and coarse class) and relations of the annotations."""
    annotations = list(annotations)
    labels = final_labels(annotations)
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    relations: list[dict[str, Any]] = []
    for annotation in annotations:
        doc = annotation["id"]
        coarse_of = {
            SAME_AS.get(e["label"], e["label"]): COARSE[e["class"]] for e in annotation["entities"]
        }

        def name(label: str, coarse_of: dict[str, str] = coarse_of) -> str:
            label = SAME_AS.get(label, label)
            return labels[(label, coarse_of[label])]

        for item in annotation["entities"]:
            label = name(item["label"])
            key = (label, COARSE[item["class"]])
            entity = entities.setdefault(
                key,
                {"label": label, "class": item["class"], "names": [], "docs": [], "optional": True},
            )
            entity["names"] = sorted(set(entity["names"]) | set(item["names"]))
            entity["docs"] = sorted(set(entity["docs"]) | {doc})
            entity["optional"] = entity["optional"] and bool(item.get("optional"))
        for item in annotation["relations"]:
            relation = {
                "subject": name(item["subject"]),
                "predicate": item["predicate"],
                "object": name(item["object"]),
                "doc": doc,
                "evidence": item["evidence"],
            }
            for key in ("optional", "alternatives", "qualifiers"):
                if item.get(key):
                    relation[key] = item[key]
            if relation.get("alternatives"):
                relation["alternatives"] = [
                    [name(s), p, name(o)] for s, p, o in map(triple_of, relation["alternatives"])
                ]
            relations.append(relation)
    merged = []
    for entity in sorted(entities.values(), key=lambda e: (e["label"], e["class"])):
        if not entity["optional"]:
            del entity["optional"]
        merged.append(entity)
    return merged, relations


def name_clashes(entities: list[dict[str, Any]]) -> list[str]:
    """Different labels of one coarse class sharing a name in several articles: to review."""
    by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entity in entities:
        for name in entity["names"]:
            by_name[(name.casefold(), COARSE[entity["class"]])].add(entity["label"])
    return [
        f"{name!r} ({coarse}): {sorted(labels)}"
        for (name, coarse), labels in sorted(by_name.items())
        if len(labels) > 1
    ]


def write_split(name: str, ids: list[str], articles: dict, annotations: dict) -> None:
    entities, relations = merge(annotations[i] for i in ids)
    documents = [
        {k: articles[i][k] for k in ("id", "title", "date", "publisher") if articles[i].get(k)}
        for i in ids
    ]
    gold = {
        "about": f"kg's real-news gold set, {name} split: {len(ids)} articles annotated by "
        "the guide docs/annotation.md; made by eval/news/build.py, do not edit by hand.",
        "documents": documents,
        "entities": entities,
        "relations": relations,
        "observations": [],
    }
    text = json.dumps(gold, ensure_ascii=False, indent=1) + "\n"
    (HERE / f"{name}.gold.json").write_text(text, encoding="utf-8")
    with (HERE / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
        for i in ids:
            handle.write(json.dumps(articles[i], ensure_ascii=False) + "\n")
    print(f"{name}: {len(ids)} articles, {len(entities)} entities, {len(relations)} relations")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check only, write nothing")
    args = parser.parse_args(argv)
    articles = {a["id"]: a for a in read_jsonl(HERE / "articles.jsonl")}
    split = json.loads((HERE / "split.json").read_text(encoding="utf-8"))
    files = primary_files()
    missing = sorted(set(articles) - set(files))
    annotations = {i: json.loads(p.read_text(encoding="utf-8")) for i, p in files.items()}
    problems = [
        problem
        for i, annotation in sorted(annotations.items())
        for problem in check(annotation, articles[i]["text"], str(files[i].relative_to(HERE)))
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    if missing:
        print(f"not annotated yet: {len(missing)} ({', '.join(missing[:5])}...)", file=sys.stderr)
    every, _ = merge(annotations.values())
    for clash in name_clashes(every):
        print(f"review: {clash}", file=sys.stderr)
    if args.check or missing or problems:
        return 1 if problems or missing else 0
    for name in ("train", "dev"):
        write_split(name, split[name], articles, annotations)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
