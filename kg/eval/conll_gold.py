"""CoNLL04 sentences in the SpERT JSON layout: records, reader, and ``kg extract`` inputs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import EvaluationError

__all__ = [
    "CONLL_ENTITY_TYPES",
    "CONLL_RELATION_TYPES",
    "ConllEntity",
    "ConllRelation",
    "ConllSentence",
    "conll04_to_jsonl_records",
    "load_conll04",
]


#: CoNLL04 entity types that are scored, mapped to the project's coarse classes.
CONLL_ENTITY_TYPES: dict[str, str] = {"Peop": "Person", "Org": "Organization", "Loc": "Place"}


#: CoNLL04 relation types mapped to core predicates.
CONLL_RELATION_TYPES: dict[str, str] = {
    "Work_For": "worksFor",
    "OrgBased_In": "basedIn",
    "Located_In": "locatedIn",
    "Live_In": "livesIn",
    "Kill": "killed",
}


@dataclass(frozen=True, slots=True)
class ConllEntity:
    """A tagged span: token offsets (end exclusive), CoNLL type, and character offsets."""

    start: int
    end: int
    type: str  # Peop, Org, Loc or Other
    char_start: int
    char_end: int
    text: str


@dataclass(frozen=True, slots=True)
class ConllRelation:
    """A relation between two spans of the sentence (indices into ``entities``)."""

    head: int
    tail: int
    type: str  # Work_For, OrgBased_In, Located_In, Live_In or Kill


@dataclass(frozen=True, slots=True)
class ConllSentence:
    """One CoNLL04 sentence; ``text`` is the tokens joined by single spaces."""

    id: str
    tokens: tuple[str, ...]
    entities: tuple[ConllEntity, ...]
    relations: tuple[ConllRelation, ...]
    orig_id: int | None = None

    @property
    def text(self) -> str:
        """The tokens joined by single spaces: what the extractor is given."""
        return " ".join(self.tokens)


def _token_offsets(tokens: Sequence[str]) -> list[int]:
    starts, pos = [], 0
    for token in tokens:
        starts.append(pos)
        pos += len(token) + 1
    return starts


def _spans_from_tags(tags: Sequence[str], where: str) -> list[tuple[int, int, str]]:
    """BILOU (or BIO) tags -> (start, end, type) token spans, in order."""
    spans: list[tuple[int, int, str]] = []
    open_span: tuple[int, str] | None = None
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if prefix == "O":
            if open_span is not None:  # BIO: a span ends at O
                spans.append((open_span[0], i, open_span[1]))
                open_span = None
            continue
        if prefix not in {"B", "I", "L", "U"} or not kind:
            raise EvaluationError(f"{where}: tag {tag!r} at token {i} is not a BILOU tag.")
        if prefix in {"B", "U"} and open_span is not None:
            spans.append((open_span[0], i, open_span[1]))
            open_span = None
        if prefix in {"I", "L"} and (open_span is None or open_span[1] != kind):
            raise EvaluationError(f"{where}: tag {tag!r} at token {i} continues no span.")
        if prefix == "B":
            open_span = (i, kind)
        elif prefix == "U":
            spans.append((i, i + 1, kind))
        elif prefix == "L":
            assert open_span is not None
            spans.append((open_span[0], i + 1, kind))
            open_span = None
    if open_span is not None:
        spans.append((open_span[0], len(tags), open_span[1]))
    return spans


def _parse_conll_sentence(item: Any, sid: str, where: str) -> ConllSentence:
    if not isinstance(item, Mapping):
        raise EvaluationError(f"{where}: must be a JSON object.")
    tokens = item.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise EvaluationError(f"{where}: `tokens` must be a list of strings.")
    if "entities" in item:  # the original SpERT layout
        spans = []
        for e in item["entities"]:
            try:
                spans.append((int(e["start"]), int(e["end"]), str(e["type"])))
            except (KeyError, TypeError, ValueError) as err:
                raise EvaluationError(f"{where}: bad entity {e!r}.") from err
    else:
        tags = item.get("tags")
        if not isinstance(tags, list) or len(tags) != len(tokens):
            raise EvaluationError(f"{where}: `tags` must be a list as long as `tokens`.")
        spans = _spans_from_tags(tags, where)
    offsets = _token_offsets(tokens)
    entities = []
    for start, end, kind in spans:
        if not 0 <= start < end <= len(tokens):
            raise EvaluationError(f"{where}: span {start}..{end} is outside the sentence.")
        char_start = offsets[start]
        char_end = offsets[end - 1] + len(tokens[end - 1])
        entities.append(
            ConllEntity(start, end, kind, char_start, char_end, " ".join(tokens[start:end]))
        )
    relations = []
    for r in item.get("relations") or ():
        try:
            rel = ConllRelation(int(r["head"]), int(r["tail"]), str(r["type"]))
        except (KeyError, TypeError, ValueError) as err:
            raise EvaluationError(f"{where}: bad relation {r!r}.") from err
        if not (0 <= rel.head < len(entities) and 0 <= rel.tail < len(entities)):
            raise EvaluationError(f"{where}: relation {r!r} points past the tagged spans.")
        if rel.type not in CONLL_RELATION_TYPES:
            raise EvaluationError(f"{where}: unknown relation type {rel.type!r}.")
        relations.append(rel)
    orig = item.get("orig_id")
    return ConllSentence(
        id=sid,
        tokens=tuple(tokens),
        entities=tuple(entities),
        relations=tuple(relations),
        orig_id=orig if isinstance(orig, int) else None,
    )


def load_conll04(path: str | Path, *, split: str | None = None) -> list[ConllSentence]:
    """Read a CoNLL04 file in the SpERT JSON layout (BILOU ``tags`` or ``entities``).

    Args:
        path: a JSON file holding a list of sentences.
        split: the split name used in sentence ids (``conll04-{split}-{index}``);
            default: the file name without extension ("dev" for dev.json).

    Returns:
        The sentences, in file order, with character offsets into their ``text``.

    Raises:
        EvaluationError: the file is missing or not in that layout.

    >>> import tempfile, os, json
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = os.path.join(tmp, "dev.json")
    ...     _ = open(p, "w").write(json.dumps([{"tokens": ["Ann", "Lee", "of", "Oslo"],
    ...         "tags": ["B-Peop", "L-Peop", "O", "U-Loc"],
    ...         "relations": [{"head": 0, "tail": 1, "type": "Live_In"}]}]))
    ...     s = load_conll04(p)[0]
    >>> s.id, s.text, [(e.char_start, e.char_end, e.type) for e in s.entities]
    ('conll04-dev-0', 'Ann Lee of Oslo', [(0, 7, 'Peop'), (11, 15, 'Loc')])
    """
    file = Path(path)
    name = split if split is not None else file.stem
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise EvaluationError(f"{file}: no such CoNLL04 file. Check the path.") from err
    except (OSError, UnicodeDecodeError) as err:
        raise EvaluationError(f"{file}: cannot read the CoNLL04 file ({err}).") from err
    except json.JSONDecodeError as err:
        raise EvaluationError(f"{file}, line {err.lineno}: not valid JSON ({err.msg}).") from err
    if not isinstance(data, list):
        raise EvaluationError(f"{file}: expected a JSON list of sentences.")
    return [
        _parse_conll_sentence(item, f"conll04-{name}-{i}", f"{file}, sentence {i}")
        for i, item in enumerate(data)
    ]


def conll04_to_jsonl_records(gold: Sequence[ConllSentence]) -> list[dict[str, str]]:
    """The extraction inputs for CoNLL04 sentences: ``{"id", "text"}`` per sentence.

    Write them one per line to get a JSON Lines input for ``kg extract``.

    >>> s = ConllSentence("conll04-dev-0", ("Hi", "Bob", "."), (), ())
    >>> conll04_to_jsonl_records([s])
    [{'id': 'conll04-dev-0', 'text': 'Hi Bob .'}]
    """
    return [{"id": s.id, "text": s.text} for s in gold]
