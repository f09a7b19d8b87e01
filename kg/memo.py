"""Results kept between builds under digests of their inputs, so ``kg add`` redoes only what
changed (the checks of graphs, :mod:`kg.graph.validate.memo`; the layout of the HTML view).

A memo file holds a salt (what the results hold for: kg's version and the
files or libraries they depend on) and the results by key; a missing or
damaged file, or one of another salt, holds nothing. A build writes the
results it used, sorted, so the same build writes the same file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.atomic import write_atomic

__all__ = ["Memo", "read_memo", "write_memo"]


class Memo:
    """Results of an earlier build (``known``) and those this build used (``made``).

    >>> memo = Memo({"a": 1, "b": 2})
    >>> memo.get("a"), memo.get("c")
    (1, None)
    >>> memo.put("c", 3)
    >>> memo.made
    {'a': 1, 'c': 3}
    """

    def __init__(self, known: Mapping[str, Any] | None = None) -> None:
        self.known: Mapping[str, Any] = known or {}
        self.made: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        """The result kept under ``key`` (then kept again by this build), or None."""
        value = self.known.get(key)
        if value is not None:
            self.made[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` for the next build."""
        self.made[key] = value


def read_memo(path: Path, salt: str) -> dict[str, Any]:
    """The results kept in ``path`` with ``salt`` (:func:`write_memo`); {} if there are none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("salt") != salt:
            return {}
        kept = data.get("results")
        return {str(k): v for k, v in kept.items()} if isinstance(kept, dict) else {}
    except (OSError, ValueError):
        return {}


def write_memo(path: Path, salt: str, made: Mapping[str, Any]) -> None:
    """Write ``made`` to ``path`` with ``salt``, atomically."""
    data = {"salt": salt, "results": {key: made[key] for key in sorted(made)}}
    write_atomic(path, (json.dumps(data, separators=(",", ":")) + "\n").encode("utf-8"))
