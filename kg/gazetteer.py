"""The gazetteer: known entities and every name they go by, read from ``ontology/gazetteer*.ttl``.

The shipped files and the user's (``--gazetteer``) are read into one
:class:`Gazetteer`; its places form a hierarchy through ``kgo:locatedIn``,
checked when it is loaded.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, URIRef

from kg import __version__, ontology
from kg.cache import cache_key, read_cached, write_cached
from kg.errors import OntologyError
from kg.ontology import ENTITY_CLASSES, KGG_IRI, KGO, normalize_name, ontology_dir, read_turtle
from kg.rdf.prefixes import KGO_IRI, WD_IRI

__all__ = ["Gazetteer", "GazetteerEntry", "gazetteer_paths", "load_gazetteer"]


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """A known entity: key, class, canonical label, names and links."""

    key: str
    cls: str
    label: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    wikidata: str | None = None
    country: str | None = None  # gazetteer key of its country
    located_in: tuple[str, ...] = ()  # gazetteer keys of the places it lies in (kgo:locatedIn)


@dataclass(frozen=True)
class Gazetteer:
    """Known entities by key, and every name they go by."""

    entries: dict[str, GazetteerEntry]
    names: dict[str, tuple[str, ...]]  # surface form -> keys (several for ambiguous labels)

    def lookup(self, name: str) -> tuple[GazetteerEntry, ...]:
        """Return the entries a surface form may denote (exact, then normalised match).

        >>> acme = GazetteerEntry("acme", "Company", "Acme Corp", ("Acme",))
        >>> gaz = Gazetteer.from_entries([acme])
        >>> [e.label for e in gaz.lookup("the Acme")]
        ['Acme Corp']
        >>> la = Gazetteer.from_entries([GazetteerEntry("la", "City", "Los Angeles", ("LA",))])
        >>> [e.label for e in la.lookup("LA")], [e.label for e in la.lookup("La")]
        (['Los Angeles'], [])
        """
        keys = self.names.get(name)
        if keys:
            return tuple(self.entries[k] for k in keys)
        normal = normalize_name(name)
        found = (self.entries[k] for k in self.names.get(normal, ()))
        return tuple(e for e in found if _case_fits(e, normal, name))

    def containers(self, key: str) -> tuple[str, ...]:
        """Return the keys of the places entry ``key`` lies in, nearest first, up to its country.

        >>> load_gazetteer().containers("shenzhen")
        ('guangdong', 'china')
        """
        found: list[str] = []
        todo = list(self.entries[key].located_in) if key in self.entries else []
        while todo:
            container = todo.pop(0)
            if container != key and container not in found and container in self.entries:
                found.append(container)
                todo.extend(self.entries[container].located_in)
        return tuple(found)

    @classmethod
    def from_entries(cls, entries: Sequence[GazetteerEntry]) -> Gazetteer:
        """Index entries by every name they go by (and its normalised form)."""
        names: dict[str, list[str]] = {}
        for entry in entries:
            forms = (
                entry.label,
                *entry.aliases,
                *entry.demonyms,
                *entry.ambiguous,
                *entry.metonyms,
            )
            for form in forms:
                for variant in {form, normalize_name(form)}:
                    keys = names.setdefault(variant, [])
                    if entry.key not in keys:
                        keys.append(entry.key)
        return cls(
            entries={e.key: e for e in entries},
            names={k: tuple(sorted(v)) for k, v in names.items()},
        )


def _local(iri: object, base: str) -> str:
    return str(iri).removeprefix(base)


@cache
def _load_gazetteer_files(paths: tuple[Path, ...]) -> Gazetteer:
    # Kept in the user's cache under a digest of the files and of the code that reads them:
    # parsing thousands of entries took a noticeable part of loading the pipeline.
    key = cache_key(
        "gazetteer",
        __version__,
        ox.__version__,
        *(Path(module.__file__ or "").read_bytes() for module in (sys.modules[__name__], ontology)),
        *(path.read_bytes() for path in paths),
    )
    kept = _decode(read_cached("gazetteer", key))
    if kept is not None:
        return kept
    gazetteer = _read_gazetteer_files(paths)
    write_cached("gazetteer", key, _encode(gazetteer))
    return gazetteer


def _encode(gazetteer: Gazetteer) -> bytes:
    """The gazetteer as JSON: its entries' fields by name, and its index of names."""
    entries = [{f.name: getattr(e, f.name) for f in _FIELDS} for e in gazetteer.entries.values()]
    return json.dumps({"entries": entries, "names": gazetteer.names}).encode()


def _decode(payload: bytes | None) -> Gazetteer | None:
    """The gazetteer :func:`_encode` wrote, or None if ``payload`` is not one."""
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        entries = [
            GazetteerEntry(**{f.name: _tuples(values[f.name]) for f in _FIELDS})
            for values in data["entries"]
        ]
        names = {str(k): tuple(v) for k, v in data["names"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return Gazetteer(entries={e.key: e for e in entries}, names=names)


_FIELDS = fields(GazetteerEntry)


def _case_fits(entry: GazetteerEntry, normal: str, name: str) -> bool:
    """Whether ``name``, found by its normalised form ``normal``, may name ``entry``: not
    when the entry writes that form only as initials of at most three capitals and
    ``name`` is not in capitals ("La" in "Lake Charles, La" is Louisiana, not LA; "Act" is
    not the ACT). Longer initials read as a word are written so ("Opec", "Nato").

    >>> la = GazetteerEntry("la", "City", "Los Angeles", ("LA", "L.A."))
    >>> _case_fits(la, "la", "La"), _case_fits(la, "la", "the LA"), _case_fits(la, "l.a.", "L.A.")
    (False, True, True)
    >>> _case_fits(GazetteerEntry("opec", "Organization", "OPEC"), "opec", "Opec")
    True
    """
    forms = (entry.label, *entry.aliases, *entry.demonyms, *entry.ambiguous, *entry.metonyms)
    written = [form for form in forms if normalize_name(form) == normal]
    if not written or not all(_initials(form) for form in written):
        return True
    words = name.split()
    core = " ".join(words[1:] if len(words) > 1 and words[0].lower() == "the" else words)
    return core.isupper()


def _initials(form: str) -> bool:
    """Whether a name is written as at most three capital initials ("LA", "L.A.", "ACT")."""
    letters = [c for c in form if c.isalpha()]
    return form.isupper() and len(letters) <= 3


def _tuples(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _read_gazetteer_files(paths: tuple[Path, ...]) -> Gazetteer:
    # Read with pyoxigraph into plain dicts: the gazetteer is thousands of entries,
    # and an rdflib graph would take most of a second to build and walk.
    described: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = {}
    for path in paths:
        for t in read_turtle(path):
            if isinstance(t.subject, ox.NamedNode):
                by_predicate = described.setdefault(t.subject.value, {})
                by_predicate.setdefault(t.predicate.value, []).append(t.object)  # type: ignore[arg-type]
    classes = {KGO_IRI + c: c for c in ENTITY_CLASSES}
    entries = []
    for subject in sorted(described):
        values = described[subject]

        def strings(prop: URIRef, values: dict[str, list[Any]] = values) -> tuple[str, ...]:
            return tuple(
                sorted(o.value for o in values.get(str(prop), ()) if isinstance(o, ox.Literal))
            )

        types = [t.value for t in values.get(str(RDF.type), ()) if isinstance(t, ox.NamedNode)]
        cls = next((classes[t] for t in types if t in classes), None)
        if cls is None:
            continue
        labels = strings(RDFS.label)
        if not labels:
            raise OntologyError(f"gazetteer: {subject} has no rdfs:label.")
        same = [o.value for o in values.get(str(OWL.sameAs), ()) if isinstance(o, ox.NamedNode)]
        wikidata = next((_local(o, WD_IRI) for o in sorted(same) if o.startswith(WD_IRI)), None)
        country = next(iter(values.get(str(KGO.country), ())), None)
        located = values.get(str(KGO.locatedIn), ())
        entries.append(
            GazetteerEntry(
                key=_local(subject, KGG_IRI),
                cls=cls,
                label=labels[0],
                aliases=strings(SKOS.altLabel),
                demonyms=strings(KGO.demonym),
                ambiguous=strings(KGO.ambiguousLabel),
                metonyms=strings(KGO.metonym),
                wikidata=wikidata,
                country=_local(country.value, KGG_IRI) if country is not None else None,
                located_in=tuple(sorted(_local(o.value, KGG_IRI) for o in located)),
            )
        )
    gazetteer = Gazetteer.from_entries(entries)
    _check_located(gazetteer)
    return gazetteer


_PLACE_CLASSES = frozenset({"Place", "Country", "City", "Region"})


def _check_located(gazetteer: Gazetteer) -> None:
    """Every kgo:locatedIn of the gazetteer joins two of its places, and no place lies in itself."""
    for key, entry in gazetteer.entries.items():
        for container in entry.located_in:
            target = gazetteer.entries.get(container)
            if target is None or not {entry.cls, target.cls} <= _PLACE_CLASSES:
                raise OntologyError(
                    f"gazetteer: kgg:{key} kgo:locatedIn kgg:{container} does not join two "
                    "places of the gazetteer. Fix the entry or remove the link."
                )
            if container == key or key in gazetteer.containers(container):
                raise OntologyError(
                    f"gazetteer: kgg:{key} lies in itself through kgg:{container} "
                    "(a kgo:locatedIn cycle). Remove one of the links."
                )


def gazetteer_paths(extra: Iterable[str | Path] = ()) -> tuple[Path, ...]:
    """Return the shipped gazetteer files followed by the user's ``extra`` ones."""
    shipped = sorted(ontology_dir().glob("gazetteer*.ttl"))
    return (*shipped, *(Path(p) for p in extra))


def load_gazetteer(extra: Iterable[str | Path] = ()) -> Gazetteer:
    """Load the gazetteer shipped in ``ontology/`` plus any user files.

    >>> gaz = load_gazetteer()
    >>> isinstance(gaz.entries, dict)
    True
    """
    paths = gazetteer_paths(extra)
    for path in paths:
        if not path.is_file():
            raise OntologyError(f"{path}: no such gazetteer file.")
    return _load_gazetteer_files(paths)
