"""The checks of a build's assembler (:func:`kg.graph.assemble.assemble`) applied to graphs
made by hand: (graph name, triples) blocks in, checked blocks out.

A build checks the graphs it makes from records; the tests of the shapes and the
quarantine break graphs on purpose, so they check ready-made ones with the same
steps: the entity descriptions, each document graph with them, the default graph
recomputed from the statements kept, the quarantine graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kg.graph.records import ONTOLOGY_IRI, Block, Triple
from kg.graph.validate import (
    QuarantinedTriple,
    check_descriptions,
    check_document,
    checked_default_graph,
    quarantine_block,
    statements_of,
)
from kg.ontology import KGR_IRI


def checked_blocks(
    blocks: Iterable[Block],
    *,
    base: str = KGR_IRI,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
) -> list[Block]:
    """The blocks checked, in their order, the default graph last, then the quarantine graph
    when anything was set aside; ``on_quarantine`` gets each triple set aside."""
    blocks = list(blocks)
    records: list[QuarantinedTriple] = []

    def report(found: list[QuarantinedTriple]) -> None:
        records.extend(found)
        for record in found:
            if on_quarantine is not None:
                on_quarantine(record)

    described: list[Triple] = [t for name, ts in blocks if name is None for t in ts]
    descriptions, found = check_descriptions(described, base=base)
    report(found)
    out: list[Block] = []
    stated = []
    for name, triples in blocks:
        if name is None:
            continue
        if str(name) == ONTOLOGY_IRI:
            out.append((name, triples))
            continue
        kept, found = check_document(name, triples, descriptions)
        report(found)
        stated.extend(statements_of(kept))
        out.append((name, kept))
    out.append((None, checked_default_graph(descriptions, stated, base=base)))
    if records:
        out.append(quarantine_block(records, base=base))
    return out
