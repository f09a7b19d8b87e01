"""Agreement between the two independent annotations of the doubly annotated articles.

Run from the repository root::

    python eval/news/agreement.py [--json]

Scores the second annotation (``annotations/b/``) against the primary one
(``annotations/a*/``) with the matching rules of ``shared/GOLD.md``, article by
article: an entity matches when it shares a normalised name and the coarse
class; a relation when both its ends match and the predicate is the same
(either direction for the symmetric ones), or it is one of the other's
``alternatives``. The second annotation's optional items are not
asserted (a system asserts or does not); the first's count neither as misses
nor, when matched, as false positives. The F1 of one annotation against the other is the ceiling
for any system scored on this gold.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from build import COARSE, HERE, primary_files, triple_of  # type: ignore[import-not-found]

from kg.ontology import normalize_name

SYMMETRIC = {"partnersWith", "competesWith"}


def _names(entity: dict[str, Any]) -> set[str]:
    return {normalize_name(n) for n in [entity["label"], *entity["names"]]}


def _entity_matches(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return COARSE[a["class"]] == COARSE[b["class"]] and bool(_names(a) & _names(b))


def score_pair(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, int]:
    """tp/fp/fn of entities and relations of ``pred`` scored against ``gold`` (one article)."""
    counts = dict.fromkeys(("etp", "efp", "efn", "rtp", "rfp", "rfn"), 0)
    # The prediction is what the other annotator asserted: its optional items are left out,
    # as a system asserts or does not.
    g_ents = gold["entities"]
    p_ents = [e for e in pred["entities"] if not e.get("optional")]
    p_rels = [r for r in pred["relations"] if not r.get("optional")]
    for g in g_ents:
        if not g.get("optional"):
            hit = any(_entity_matches(g, p) for p in p_ents)
            counts["etp" if hit else "efn"] += 1
    for p in p_ents:
        if not any(_entity_matches(g, p) for g in g_ents):
            counts["efp"] += 1
    p_of = {p["label"]: p for p in p_ents}
    g_of = {g["label"]: g for g in g_ents}

    def same(g_label: str, p_label: str) -> bool:
        g, p = g_of.get(g_label), p_of.get(p_label)
        return g is not None and p is not None and _entity_matches(g, p)

    def matches(g_rel: dict[str, Any], p_rel: dict[str, Any]) -> bool:
        patterns = [(g_rel["subject"], g_rel["predicate"], g_rel["object"])]
        patterns += [triple_of(alt) for alt in g_rel.get("alternatives", [])]
        for s, predicate, o in patterns:
            if predicate != p_rel["predicate"]:
                continue
            if same(s, p_rel["subject"]) and same(o, p_rel["object"]):
                return True
            if predicate in SYMMETRIC and same(s, p_rel["object"]) and same(o, p_rel["subject"]):
                return True
        return False

    for g in gold["relations"]:
        if not g.get("optional"):
            hit = any(matches(g, p) for p in p_rels)
            counts["rtp" if hit else "rfn"] += 1
    for p in p_rels:
        if not any(matches(g, p) for g in gold["relations"]):
            counts["rfp"] += 1
    return counts


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def agreement() -> dict[str, Any]:
    """Entity and relation agreement of annotations/b/ against the primary annotations."""
    primary = primary_files()
    totals = dict.fromkeys(("etp", "efp", "efn", "rtp", "rfp", "rfn"), 0)
    articles = []
    for path in sorted((HERE / "annotations" / "b").glob("*.json")):
        second = json.loads(path.read_text(encoding="utf-8"))
        first = json.loads(primary[path.stem].read_text(encoding="utf-8"))
        counts = score_pair(first, second)
        articles.append(path.stem)
        for key, value in counts.items():
            totals[key] += value
    return {
        "articles": articles,
        "entities": prf(totals["etp"], totals["efp"], totals["efn"]),
        "relations": prf(totals["rtp"], totals["rfp"], totals["rfn"]),
        "counts": totals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = agreement()
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{len(result['articles'])} articles annotated twice (b against the primary annotation)")
    for kind in ("entities", "relations"):
        s = result[kind]
        print(f"{kind:10} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
    print("counts:", result["counts"])


if __name__ == "__main__":
    main()
