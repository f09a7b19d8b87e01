"""kg: an offline knowledge-graph builder for news.

Articles in, an RDF knowledge graph out: entities resolved to one node each and
linked to Wikidata, relations with dates, status and roles, figures, and
provenance back to the sentence. The Python API (docs/python.md)::

    import kg
    kg.build(["corpus/"], out_dir="output")   # writes kg.trig, kg.ttl, kg.html...
    graph = kg.load("output")                  # a KnowledgeGraph; Jupyter draws it inline
    df = kg.query(graph, "SELECT ?name WHERE { ?e a kgo:Company ; rdfs:label ?name }").to_pandas()

``import kg`` loads nothing else: each name is imported on first use (spaCy
only by :func:`kg.build` and :func:`kg.add`).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

__version__ = "0.1.0"


#: The module each name of the API is imported from, on first use. Type checkers read
#: the names from __init__.pyi (an import here, even under TYPE_CHECKING, would tie every
#: module that reads kg.__version__ to kg.api and spaCy in the import-linter contracts).
_LAZY = {
    "KnowledgeGraph": "kg.api",
    "add": "kg.api",
    "build": "kg.api",
    "export": "kg.api",
    "load": "kg.api",
    "query": "kg.api",
    "remove": "kg.api",
    "to_networkx": "kg.api",
    "write_html": "kg.api",
    "QueryResult": "kg.query",
    "Row": "kg.query",
}


__all__ = ["__version__", *_LAZY]


class _Lazy:
    """A name of the API, imported on first use.

    Not PEP 562's module ``__getattr__``: that is asked only for names the
    module lacks, and importing the subpackages ``kg.query`` and ``kg.build``
    sets those names on the package, which would then hide the functions
    ``kg.query`` and ``kg.build``. A descriptor on the module's class wins
    over what an import sets (kept in the module's ``__dict__``), so the
    names mean the same whatever was imported before. Code inside kg imports
    the submodules with ``from kg.query import ...``, which is unaffected.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, module: object, owner: type | None = None) -> Any:
        return getattr(importlib.import_module(_LAZY[self.name]), self.name)

    def __set__(self, module: ModuleType, value: object) -> None:
        module.__dict__[self.name] = value  # a submodule import binding its name: set aside


class _Package(ModuleType):
    """The type of the ``kg`` module: a module whose API names are :class:`_Lazy`."""


for _name in _LAZY:
    setattr(_Package, _name, _Lazy(_name))
del _name
sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
