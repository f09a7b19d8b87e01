"""The one prefix table of kg: the prefixes queries may use undeclared and outputs declare.

Queries (``kg query``, the stores, ``kg serve``) predeclare every prefix of
:data:`PREFIXES`; the graph files, ``kg export`` and CONSTRUCT output write an
IRI with the prefix of its namespace (declaring only the prefixes they use).
``kgr:`` is the build's base, a user setting: :func:`prefixes_for` gives the
table for another base.

>>> PREFIXES["kgr"]
'https://w3id.org/kg-builder/resource/'
>>> prefixes_for("https://example.org/")["kgr"]
'https://example.org/'
"""

from __future__ import annotations

__all__ = ["KGO_IRI", "KGR_IRI", "PREFIXES", "WD_IRI", "prefixes_for"]

#: The project's ontology (``kgo:``).
KGO_IRI = "https://w3id.org/kg-builder/ontology#"
#: The default base of the IRIs a build mints (``kgr:``).
KGR_IRI = "https://w3id.org/kg-builder/resource/"
#: Wikidata's entities (``wd:``).
WD_IRI = "http://www.wikidata.org/entity/"

#: Prefix -> namespace, kg's own first, then the standard vocabularies kg writes.
PREFIXES: dict[str, str] = {
    "kgo": KGO_IRI,
    "kgr": KGR_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "https://schema.org/",
    "wd": WD_IRI,
    "vann": "http://purl.org/vocab/vann/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


def prefixes_for(base: str = KGR_IRI) -> dict[str, str]:
    """The prefix table with ``kgr:`` bound to ``base`` (the IRIs a build mints).

    >>> list(prefixes_for())[:3]
    ['kgo', 'kgr', 'rdf']
    """
    return {**PREFIXES, "kgr": base}
