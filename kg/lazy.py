"""Names a package exports but imports only when first asked for (PEP 562).

``kg.query`` and ``kg.stores`` keep their documented names while the light
paths that import them (the quick query, the build's own store, the worker)
load neither rdflib nor pyoxigraph until a name that needs them is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, homes: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package``: ``homes`` maps each
    exported name to the module that defines it; a name once imported is kept in the
    package's ``namespace`` (its ``globals()``)."""

    def get(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    def names() -> list[str]:
        return sorted({*namespace, *homes})

    return get, names
