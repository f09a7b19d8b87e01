"""The extractions a build state keeps, as JSON: written, read back, and checked field by field.

A build state comes from a folder that may have been edited or sent by
someone else: every record is checked against the record classes of
:mod:`kg.types` unless the file is byte for byte the one the build wrote.

>>> from kg.types import Article, Extraction, Mention
>>> ex = Extraction(Article("d1", "Acme hired Jo."), (Mention(0, 4, "Acme", "Company"),), ())
>>> extraction_from_dict(extraction_to_dict(ex)) == ex
True
"""

from __future__ import annotations

import functools
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any

from kg.types import (
    Article,
    Extraction,
    Mention,
    ObservationCandidate,
    Qualifiers,
    RelationCandidate,
)

__all__ = [
    "Damage",
    "extraction_from_dict",
    "extraction_to_dict",
    "extractions_digest",
    "read_extractions",
    "record_problem",
    "shown",
]


def extraction_to_dict(ex: Extraction) -> dict[str, Any]:
    """A JSON-ready dict of an extraction (the inverse of :func:`extraction_from_dict`)."""
    return _plain(ex)


def _plain(value: Any) -> Any:
    # dataclasses.asdict deep-copies every leaf; these records hold only str, int,
    # float, None, tuples and frozen dataclasses, which JSON takes as they are.
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def extraction_from_dict(data: Mapping[str, Any]) -> Extraction:
    """Rebuild an :class:`Extraction` from :func:`extraction_to_dict`'s output (or its JSON)."""
    relations = tuple(
        RelationCandidate(
            **{
                **r,
                "evidence": tuple(r["evidence"]),
                "qualifiers": Qualifiers(**r["qualifiers"]),
            }
        )
        for r in data["relations"]
    )
    observations = tuple(
        ObservationCandidate(
            **{
                **o,
                "evidence": tuple(o["evidence"]),
                "quote": tuple(o["quote"]) if o.get("quote") is not None else None,
            }
        )
        for o in data["observations"]
    )
    return Extraction(
        article=Article(**data["article"]),
        mentions=tuple(Mention(**m) for m in data["mentions"]),
        relations=relations,
        observations=observations,
        sentences=tuple((s[0], s[1]) for s in data["sentences"]),
        inferred_date=data.get("inferred_date"),
    )


class Damage(Exception):
    """What is wrong with a build state (turned into a :class:`StateError`)."""


def shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def extractions_digest(data: bytes) -> str:
    """A digest of the extractions file ``data`` and of the fields of its records, so that a
    file written with other record classes is checked and written again."""
    return hashlib.sha256(_schema() + data).hexdigest()[:32]


@functools.cache
def _schema() -> bytes:
    classes = (Extraction, Article, Mention, RelationCandidate, Qualifiers, ObservationCandidate)
    return repr([(c.__name__, [f.name for f in fields(c)]) for c in classes]).encode()


def read_extractions(path: Path, digest: object = None) -> dict[str, Any]:
    """The extractions in ``path`` (``extractions``), each record checked unless the file is
    byte for byte the one the build wrote (its ``digest`` in state.json): a big build holds
    millions of fields. Then their lines are kept too (``lines``, see
    :class:`~kg.build.state.BuildState`)."""
    data = path.read_bytes()
    checked = digest != extractions_digest(data)
    extractions: dict[str, Extraction] = {}
    lines: dict[str, tuple[Extraction, str]] = {}
    # Split at "\n" only: a record may hold U+2028 or U+0085, which splitlines() splits at.
    records = data.decode("utf-8").split("\n")
    if records[-1] == "":
        records.pop()
    for number, line in enumerate(records, 1):
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
        except ValueError as err:
            raise Damage(f"{where} is not JSON: {err}") from None
        ex = _extraction(record, where, checked=checked)
        if ex.article.id in extractions:
            raise Damage(f"{where}: article {ex.article.id!r} is there twice")
        extractions[ex.article.id] = ex
        if not checked:
            lines[ex.article.id] = ex, line
    return {"extractions": extractions, "lines": lines}


def _extraction(record: object, where: str, *, checked: bool) -> Extraction:
    """The extraction a JSON record holds; :class:`Damage` if it holds none."""
    if checked and (problem := record_problem(record, Extraction) or _index_problem(record)):  # type: ignore[arg-type]
        raise Damage(f"{where}: {problem}")
    try:
        return extraction_from_dict(record)  # type: ignore[arg-type]
    except (TypeError, KeyError, ValueError, AttributeError, IndexError):
        if checked:
            raise
        return _extraction(record, where, checked=True)  # to say what is wrong


def record_problem(data: object, cls: type, *, tuples_as_lists: bool = True) -> str | None:
    """What keeps ``data`` from being the JSON of a ``cls`` record (None: nothing).

    >>> record_problem({"id": "d1", "text": 3}, Article)
    'text is 3, not str'
    >>> record_problem({"id": "d1"}, Article)
    "no 'text'"
    """
    if not isinstance(data, dict):
        return f"{shown(data)} is not a JSON object"
    names, layout = _layout(cls)
    if not names.issuperset(data):
        return f"unknown field {sorted(set(data) - names)[0]!r}"
    for name, hint, required in layout:
        if name not in data:
            if required:
                return f"no {name!r}"
            continue
        problem = _value_problem(data[name], hint, tuples_as_lists)
        if problem is not None:
            return f"{name}{problem}"
    return None


@functools.cache
def _layout(cls: type) -> tuple[frozenset[str], tuple[tuple[str, Any, bool], ...]]:
    """A record class's field names, and each field's name, type and whether it is required.

    Worked out once per class: ``typing.get_type_hints`` evaluates the
    annotations each time, and a big build's state holds millions of fields.
    """
    hints = typing.get_type_hints(cls)
    layout = tuple(
        (f.name, hints[f.name], f.default is MISSING and f.default_factory is MISSING)
        for f in fields(cls)
    )
    return frozenset(name for name, _, _ in layout), layout


#: The check of a JSON value against a plain type.
_PLAIN: dict[Any, Callable[[object], bool]] = {
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
    bool: lambda v: isinstance(v, bool),
}


@functools.cache
def _hint_shape(hint: Any) -> tuple[Any, tuple[Any, ...], bool]:
    """A type hint's origin, arguments and whether it is a record class, worked out once."""
    return typing.get_origin(hint), typing.get_args(hint), is_dataclass(hint)


def _value_problem(value: object, hint: Any, lists: bool) -> str | None:
    """'' or a suffix naming what in ``value`` does not match the type ``hint``."""
    origin, args, record = _hint_shape(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        kinds = [a for a in args if a is not type(None)]
        return _value_problem(value, kinds[0], lists) if len(kinds) == 1 else None
    if origin is tuple:
        if not isinstance(value, list if lists else tuple):
            return f" is {shown(value) if lists else repr(value)}, not a list"
        items = args[:1] * len(value) if args[-1:] == (Ellipsis,) else args
        if len(items) != len(value):
            return f" has {len(value)} items, not {len(items)}"
        for i, (item, kind) in enumerate(zip(value, items, strict=True)):
            problem = _value_problem(item, kind, lists)
            if problem is not None:
                return f"[{i}]{problem}"
        return None
    if record:
        problem = record_problem(value, hint)
        return None if problem is None else f".{problem}"
    return None if _PLAIN[hint](value) else f" is {shown(value)}, not {hint.__name__}"


def _index_problem(data: dict[str, Any]) -> str | None:
    """A relation, observation or mention that points at a mention the record lacks."""
    count = len(data["mentions"])
    pointers = [
        *(
            (f"mentions[{i}].antecedent", m.get("antecedent"))
            for i, m in enumerate(data["mentions"])
        ),
        *(
            (f"relations[{i}].{end}", r[end])
            for i, r in enumerate(data["relations"])
            for end in ("head", "tail")
        ),
        *(
            (f"observations[{i}].{role}", o.get(role))
            for i, o in enumerate(data.get("observations", ()))
            for role in ("subject", "place", "source")
        ),
    ]
    for name, index in pointers:
        if index is not None and not 0 <= index < count:
            return f"{name} is {index}, but there are {count} mentions"
    return None
