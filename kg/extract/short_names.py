"""The mentions the model missed of an organization the article has already named.

Business news names a company in full once ("Maytag Co said ...") and then by
its name without the legal form ("Maytag chairman Daniel Krumm said ...").
The model tags the second mention far less often than the first, and every
relation stated there is lost. Each organization's name, and that name
without its legal form, is looked for again in the article's text; an
occurrence that no other mention covers, that stands alone (no capitalised
word joined to it: "Maytag" is not in "Maytag Admiral Corp") and is a proper
name when it opens a sentence (the article never writes it in lower case:
"Time said", not "Time is short"), becomes a mention of the same class. A name
that two organizations share stays untouched.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.attrs import IS_LOWER, ORTH
from spacy.tokens import Doc, Span, Token

from kg.extract.columns import flags, strings
from kg.types import LEGAL_FORMS, coarse_class

__all__ = ["repeated_organization_names"]

#: What a name loses with its legal form: "Merrill Lynch and Co" -> "Merrill Lynch".
_TRAILING = LEGAL_FORMS | {",", "and", "&"}

Form = tuple[str, ...]


def repeated_organization_names(doc: Doc, spans: Sequence[Span]) -> list[Span]:
    """New spans for the untagged occurrences of the article's organization names."""
    forms = _name_forms(spans)
    if not forms:
        return []
    taken = {i for span in spans for i in range(span.start, span.end)}
    common = {
        text for text, lower in zip(strings(doc, ORTH), flags(doc, IS_LOWER), strict=True) if lower
    }
    sizes: dict[str, list[int]] = {}  # a form's first word -> the forms' lengths, longest first
    for form in forms:
        sizes.setdefault(form[0], []).append(len(form))
    for lengths in sizes.values():
        lengths.sort(reverse=True)
    found: list[Span] = []
    i = 0
    while i < len(doc):
        match = _match_at(doc, i, forms, taken, sizes.get(doc[i].text, ()), common)
        if match is None:
            i += 1
            continue
        form, (label, kb_id) = match
        found.append(Span(doc, i, i + len(form), label=label, kb_id=kb_id))
        taken.update(range(i, i + len(form)))
        i += len(form)
    return found


def _name_forms(spans: Sequence[Span]) -> dict[Form, tuple[str, str]]:
    """Each organization name of several words and its short form -> (class, link); a
    form two organizations share is left out."""
    forms: dict[Form, set[tuple[str, str]]] = {}
    for span in spans:
        if coarse_class(span.label_) != "Organization" or len(span) < 2:
            continue
        words = tuple(t.text for t in span)
        for form in {words, _without_legal_form(words)}:
            if form and all(w[:1].isupper() or not w[:1].isalpha() for w in form):
                forms.setdefault(form, set()).add((span.label_, span.kb_id_))
    return {form: next(iter(owners)) for form, owners in forms.items() if len(owners) == 1}


def _without_legal_form(words: Form) -> Form:
    """ "Maytag Co" -> "Maytag"; a name of a legal form alone is no short form."""
    end = len(words)
    while end > 1 and words[end - 1].lower() in _TRAILING:
        end -= 1
    return words[:end] if end < len(words) and words[end - 1][:1].isalnum() else ()


def _match_at(
    doc: Doc,
    i: int,
    forms: dict[Form, tuple[str, str]],
    taken: set[int],
    lengths: Sequence[int],
    common: set[str],
) -> tuple[Form, tuple[str, str]] | None:
    """The longest name form (of ``lengths`` words) that occurs untagged and alone at token
    ``i``; ``common`` are the article's words in lower case."""
    for size in lengths:
        if i + size > len(doc) or any(j in taken for j in range(i, i + size)):
            continue
        form = tuple(t.text for t in doc[i : i + size])
        owner = forms.get(form)
        if owner is None:
            continue
        if _alone(doc, i, i + size) and not (
            doc[i].is_sent_start and size == 1 and doc[i].lower_ in common
        ):
            return form, owner
    return None


def _alone(doc: Doc, start: int, end: int) -> bool:
    """Whether no capitalised word joins the occurrence ("Maytag" is not in "Maytag Admiral
    Corp")."""
    first = doc[start]
    before = doc[start - 1] if start > 0 and not first.is_sent_start else None
    after = doc[end] if end < len(doc) else None
    return not (_capitalised(before) or _capitalised(after))


def _capitalised(token: Token | None) -> bool:
    return token is not None and token.text[:1].isupper() and token.is_alpha
