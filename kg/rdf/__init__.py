"""RDF without a store: terms, the one prefix table, graph files, loading and Turtle writing.

- :mod:`kg.rdf.prefixes`: the prefixes queries may use undeclared and outputs declare;
- :mod:`kg.rdf.terms`: terms converted between pyoxigraph and rdflib;
- :mod:`kg.rdf.files`: graph file names (format by suffix, the default graph path);
- :mod:`kg.rdf.dataset`: rdflib Datasets with kg's prefixes, quads added, blank nodes labelled;
- :mod:`kg.rdf.load`: graph files read into a Dataset (parsed by pyoxigraph);
- :mod:`kg.rdf.index`: a graph's triples by subject, read once (the views' and the scorer's reader);
- :mod:`kg.rdf.turtle`: readable, deterministic Turtle in bounded memory.

Importing the package loads none of them: import the module you need.
"""

from __future__ import annotations

__all__: list[str] = []
