"""The report of a graph scored against the seed gold standard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.eval.calibration import Calibration
from kg.eval.scores import Finding, Ratio, Score, pairs_to_dict

__all__ = [
    "EntityIdentity",
    "SeedsReport",
]


@dataclass(frozen=True, slots=True)
class EntityIdentity:
    """Whether each real thing has exactly one node: duplicates and wrong merges.

    ``gold_entities`` counts the required gold entities of the four coarse
    classes. A node counts for the gold entity it matches best (the one entity
    precision credits it to); ``duplicated`` gold entities have two or more
    such nodes, ``extra_nodes`` are the nodes beyond the first of each (the
    duplicates entity precision counts as false positives). ``wrong_merges``
    are nodes that match two or more required gold entities (GOLD.md rule 2):
    one node standing for several real things.

    >>> EntityIdentity(gold_entities=4, duplicated=1, extra_nodes=2).duplicated_share
    0.25
    """

    gold_entities: int = 0
    duplicated: int = 0
    extra_nodes: int = 0
    wrong_merges: int = 0

    @property
    def duplicated_share(self) -> float:
        """duplicated / gold_entities (0.0 without gold entities)."""
        return self.duplicated / self.gold_entities if self.gold_entities else 0.0


@dataclass(frozen=True, slots=True)
class SeedsReport:
    """Scores of a graph against the seed gold standard, with misses and false positives.

    Relation counts: ``tp`` = required gold facts found, ``fn`` = required
    gold facts not found, ``fp`` = scored triples that match no gold fact.
    Triples that only restate a fact already found (the reverse of a
    symmetric triple, an alternative beside the main form, a triple between
    duplicate nodes) are ``relations_redundant``, not errors; triples matching
    only optional facts are ``relations_optional``.

    ``identity`` counts duplicated gold entities and wrongly merged nodes
    (listed in ``entity_duplicates`` and ``entity_wrong_merges``);
    ``calibration`` rates the confidence of every triple that relation
    precision counts (the right ones, redundant ones included, and the false
    positives).
    """

    entities: Score
    entities_by_coarse: tuple[tuple[str, Score], ...]
    entities_by_class: tuple[tuple[str, Score], ...]
    entity_class_agreement: Ratio  # found entities whose node has the gold's exact class
    relations: Score
    relations_by_predicate: tuple[tuple[str, Score], ...]
    relations_redundant: int
    relations_optional: int
    qualifiers: Ratio
    qualifiers_by_key: tuple[tuple[str, Ratio], ...]
    observations: Score
    observations_complete: Ratio  # found with every attribute the gold gives right
    observation_attributes: tuple[tuple[str, Ratio], ...]  # over found observations
    entity_misses: tuple[Finding, ...] = ()
    entity_false_positives: tuple[Finding, ...] = ()
    relation_misses: tuple[Finding, ...] = ()
    relation_false_positives: tuple[Finding, ...] = ()
    qualifier_errors: tuple[Finding, ...] = ()
    observation_misses: tuple[Finding, ...] = ()
    observation_errors: tuple[Finding, ...] = ()  # found, with an attribute wrong or missing
    observation_false_positives: tuple[Finding, ...] = ()
    identity: EntityIdentity = EntityIdentity()
    entity_duplicates: tuple[Finding, ...] = ()  # one per duplicated gold entity
    entity_wrong_merges: tuple[Finding, ...] = ()  # one per wrongly merged node
    # Of the triples relation precision scores.
    calibration: Calibration = field(default_factory=Calibration)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (ratios rounded to 6 places)."""
        identity = self.identity
        return {
            "kind": "seeds",
            "entities": {
                "overall": self.entities.to_dict(),
                "by_coarse_class": pairs_to_dict(self.entities_by_coarse),
                "by_class": pairs_to_dict(self.entities_by_class),
                "class_agreement": self.entity_class_agreement.to_dict(),
                "misses": [f.to_dict() for f in self.entity_misses],
                "false_positives": [f.to_dict() for f in self.entity_false_positives],
                "duplicates": {
                    "gold_entities": identity.gold_entities,
                    "duplicated": identity.duplicated,
                    "extra_nodes": identity.extra_nodes,
                    "share": round(identity.duplicated_share, 6),
                    "items": [f.to_dict() for f in self.entity_duplicates],
                },
                "wrong_merges": {
                    "nodes": identity.wrong_merges,
                    "items": [f.to_dict() for f in self.entity_wrong_merges],
                },
            },
            "calibration": self.calibration.to_dict(),
            "relations": {
                "overall": self.relations.to_dict(),
                "by_predicate": pairs_to_dict(self.relations_by_predicate),
                "redundant": self.relations_redundant,
                "optional": self.relations_optional,
                "misses": [f.to_dict() for f in self.relation_misses],
                "false_positives": [f.to_dict() for f in self.relation_false_positives],
            },
            "qualifiers": {
                "overall": self.qualifiers.to_dict(),
                "by_key": pairs_to_dict(self.qualifiers_by_key),
                "errors": [f.to_dict() for f in self.qualifier_errors],
            },
            "observations": {
                "overall": self.observations.to_dict(),
                "complete": self.observations_complete.to_dict(),
                "attributes": pairs_to_dict(self.observation_attributes),
                "misses": [f.to_dict() for f in self.observation_misses],
                "attribute_errors": [f.to_dict() for f in self.observation_errors],
                "false_positives": [f.to_dict() for f in self.observation_false_positives],
            },
        }
