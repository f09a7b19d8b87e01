"""Entity mentions: spaCy's statistical NER corrected by the gazetteer and the lexicon.

The ``kg_entities`` component runs after ``ner``. It finds gazetteer names
with a :class:`~spacy.matcher.PhraseMatcher`, repairs the model's spans
(leading determiners, possessives inside a span, truncated "District Court
of", product model suffixes), merges both, and types each mention with the
most specific class it can justify (gazetteer, name words such as "Court" or
"Inc.", a descriptor such as "research firm X"). Titles in front of a
person's name are recorded as the mention's role.

The result is ``doc.spans["kg_entities"]``: span label = class local name,
``kb_id_`` = gazetteer key; ``doc._.kg_roles`` maps a span's start token
to its title, and ``doc._.kg_demonyms`` holds the start tokens of spans that
are nationality words ("Chinese"): they refer to a country without naming it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.extract.bounds import (
    CONNECTORS,
    DETERMINERS,
    TIME_ZONES,
    cut_after_name_word,
    cut_from_longer_name,
    extend,
    is_plural,
    is_portfolio,
    is_ticker,
    split_possessives,
    title_start,
    trim,
)
from kg.extract.columns import strings
from kg.extract.context import (
    EVENT_ENDINGS,
    LAW_ENDINGS,
    ORGANIZATION_ENDINGS,
    PLACE_OPENERS,
    POSSESSIVE,
    POST_HOLDERS,
    POST_NOMINALS,
    TITLE_MODIFIERS,
    after_locative,
    listed_among_places,
    name_word,
    named_settlement,
    placed,
    unmodelled_names,
)
from kg.extract.phrases import phrase_matcher
from kg.extract.short_names import repeated_organization_names
from kg.extract.voting import drop_lone_names, vote_organization_names, vote_person_names
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.ontology import Lexicon, load_lexicon
from kg.types import LEGAL_FORMS, coarse_class

SPAN_KEY = "kg_entities"

#: spaCy NER labels and the class they map to (``None``: not an entity for kg).
NER_CLASSES: dict[str, str | None] = {
    "PERSON": "Person",
    "ORG": "Organization",
    "GPE": "Place",
    "LOC": "Region",
    "FAC": None,
    "PRODUCT": "Product",
    "NORP": None,
}

_DATELINE_BREAKS = frozenset({",", "(", "--", "—", "–", "-"})

if not Doc.has_extension("kg_roles"):
    Doc.set_extension("kg_roles", default=None)
if not Doc.has_extension("kg_demonyms"):
    Doc.set_extension("kg_demonyms", default=None)


@dataclass(frozen=True, slots=True)
class GazetteerMatch:
    """A gazetteer name found in a doc: token span, entry keys and how the name matched."""

    start: int
    end: int
    keys: tuple[str, ...]
    kind: str  # "name", "demonym", "ambiguous" or "metonym"


class EntityRecognizer:
    """The ``kg_entities_v1`` component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, *, gazetteer: Gazetteer, lexicon: Lexicon) -> None:
        self.name = name
        self.gazetteer = gazetteer
        self.lexicon = lexicon
        #: Words that make the next name a person's: titles and forms of address.
        self.titled = lexicon.cue("roleTitles") | lexicon.cue("addressForms")
        #: Titles of a job, never part of how a person is named (not the forms of address
        #: "Sir", "King", "Pope", nor the church's styles).
        self.job_titles = lexicon.cue("roleTitles") - lexicon.cue("addressForms") - _CHURCH_STYLES
        self.kinds: dict[str, dict[str, str]] = {}  # surface -> key -> kind
        for entry in sorted(gazetteer.entries.values(), key=lambda e: e.key):
            for kind, forms in (
                ("name", (entry.label, *entry.aliases)),
                ("demonym", entry.demonyms),
                ("ambiguous", entry.ambiguous),
                ("metonym", entry.metonyms),
            ):
                for form in forms:
                    self.kinds.setdefault(form, {}).setdefault(entry.key, kind)
        self.matcher = phrase_matcher(nlp, sorted(self.kinds))

    def __call__(self, doc: Doc) -> Doc:
        spans, roles = self.match(doc)
        self.set_annotations(doc, spans, roles)
        doc._.kg_demonyms = frozenset(
            span.start
            for span in spans
            if self.kinds.get(span.text, {}).get(span.kb_id_) == "demonym"
        )
        return doc

    # -- finding -----------------------------------------------------------

    def gazetteer_matches(self, doc: Doc) -> list[GazetteerMatch]:
        """Return the longest non-overlapping gazetteer names of ``doc``."""
        found = []
        for match_id, start, end in self.matcher(doc):
            surface = doc.vocab.strings[match_id]
            by_key = self.kinds[surface]
            kinds = set(by_key.values())
            # A real name beats the same string as demonym or metonym of something else.
            kind = next(k for k in ("name", "demonym", "metonym", "ambiguous") if k in kinds)
            keys = tuple(sorted(k for k, v in by_key.items() if v == kind))
            found.append((start, end, keys, kind))
        forms = self.lexicon.cue("addressForms")
        # "Mr Redmond": a person, whatever else the name may denote.
        found = [f for f in found if f[0] == 0 or doc[f[0] - 1].lower_ not in forms]
        spans = filter_spans([Span(doc, s, e) for s, e, _, _ in found])
        keep = {(s.start, s.end) for s in spans}
        return [GazetteerMatch(s, e, k, kind) for s, e, k, kind in found if (s, e) in keep]

    def model_spans(self, doc: Doc) -> list[tuple[int, int, str]]:
        """Return the statistical entities, repaired, as (start, end, class)."""
        spans = []
        for ent in doc.ents:
            cls = NER_CLASSES.get(ent.label_)
            if cls is None or ent[0].text in TIME_ZONES:
                continue  # "GMT 2 Feb" in a wire header is a time, not an organization
            for start, end in split_possessives(doc, ent.start, ent.end):
                start, end = trim(doc, start, end)
                if start >= end:
                    continue
                end = extend(doc, start, end, cls)
                if end - start > 1 and doc[end - 1].lower_ in EVENT_ENDINGS:
                    continue  # "Commonwealth Games": an event, which kg does not model
                if end - start > 1 and doc[end - 1].text in LAW_ENDINGS:
                    continue  # "Export Enhancement Program", "Native Title Act": no body
                while cls == "Person" and end - start > 2 and doc[end - 1].text in POST_NOMINALS:
                    end -= 1  # "Terence Cole QC": the honour is not the name
                if cls == "Person" and any(c.isdigit() for c in doc[start:end].text):
                    continue  # "Revs 8,027,065 vs 8,689,008" in a results table: no one's name
                while cls == "Person" and end - start > 2 and self._leading_word(doc[start]):
                    start += 1  # "Lecturer Junko Renard", "American Ed Moses": not the name
                if coarse_class(cls) == "Organization" and is_portfolio(doc, end):
                    continue  # "Primary Industries Minister": an office's field, not a body
                if coarse_class(cls) == "Organization" and doc[end - 1].lower_ in POST_HOLDERS:
                    continue  # "Anglican Archbishop": who holds a post, not a body
                if self._addressed(doc, start, end):
                    cls = "Person"  # "Ms Caird", "Dr Hollingworth": only people are addressed so
                spans.append((start, end, cls))
        return self._join_of_phrases(doc, spans)

    def _leading_word(self, token: Token) -> bool:
        """Whether a word opening a person's span is a title ("Lecturer") or a nationality
        ("American") rather than a name; forms of address ("Mr", "Sir") stay."""
        return token.lower_ in self.job_titles or any(
            kind == "demonym" for kind in self.kinds.get(token.text, {}).values()
        )

    def _addressed(self, doc: Doc, start: int, end: int) -> bool:
        """Whether the name opens with a courtesy title ("Ms Caird", "Dr Hollingworth") and
        is not an institution's ("Sir Charles Gairdner Hospital")."""
        first, last = doc[start], doc[end - 1]
        return (
            end - start > 1
            and first.text[:1].isupper()
            and first.lower_ in self.lexicon.cue("honorifics")
            and last.text not in self.lexicon.name_words
        )

    def _join_of_phrases(
        self, doc: Doc, spans: list[tuple[int, int, str]]
    ) -> list[tuple[int, int, str]]:
        """Join "District Court" + "of" + "Alaska" when the model tagged them apart, and
        "National Coffee Growers" + "'" + "Federation".

        "of" joins only when the first name ends in a word that names an
        institution ("Court", "Ministry", "Department"...); a possessive only
        after a plural (see :func:`split_possessives`).
        """
        joined: list[tuple[int, int, str]] = []
        for start, end, cls in spans:
            if joined:
                p_start, p_end, p_cls = joined[-1]
                gap = [t.lower_ for t in doc[p_end:start]]
                of_phrase = doc[p_end - 1].text in self.lexicon.name_words and gap in (
                    ["of"],
                    ["for"],
                    ["of", "the"],
                    ["for", "the"],
                )
                plural_owner = is_plural(doc[p_end - 1]) and len(gap) == 1 and gap[0] in POSSESSIVE
                if (
                    coarse_class(p_cls) == "Organization"
                    and (of_phrase or (plural_owner and coarse_class(cls) == "Organization"))
                    and coarse_class(cls) in {"Place", "Organization"}
                ):
                    joined[-1] = (p_start, end, p_cls)
                    continue
            joined.append((start, end, cls))
        return joined

    def match(self, doc: Doc) -> tuple[list[Span], dict[int, str]]:
        """Find the entity mentions of ``doc`` and the titles before person names."""
        gaz = self.gazetteer_matches(doc)
        chosen, used_gaz = self._model_choices(doc, gaz, self.model_spans(doc))
        for i, g in enumerate(gaz):
            if i in used_gaz:
                continue
            span = self._from_gazetteer(doc, g)
            if span is not None:
                chosen.extend(span)
        chosen.extend(self._model_numbers(doc, chosen))
        chosen.extend(self._institutions(doc, chosen))
        chosen = self._datelines(doc, chosen)
        spans = vote_person_names(
            sorted(filter_spans(chosen), key=lambda s: (s.start, s.end)),
            courtesy=self.lexicon.cue("honorifics"),
        )
        spans = [s for s in self._places_by_context(doc, spans) if not is_ticker(s)]
        spans = vote_organization_names(doc, spans, titled=self.titled)
        spans = drop_lone_names(doc, spans, titled=self.titled)
        unmodelled = unmodelled_names(doc)  # "the yacht Assa Abloy" and its other mentions
        spans = [s for s in spans if s.text not in unmodelled]
        spans = sorted(
            [*spans, *repeated_organization_names(doc, spans)], key=lambda s: (s.start, s.end)
        )
        return self._titled_persons(doc, spans)

    def _model_choices(
        self, doc: Doc, gaz: list[GazetteerMatch], model: list[tuple[int, int, str]]
    ) -> tuple[list[Span], set[int]]:
        """The model's spans as kept against the gazetteer's names, and the indices of
        the gazetteer names they use up (the rest are added on their own)."""
        chosen: list[Span] = []
        used_gaz: set[int] = set()
        # Gazetteer names do not overlap: sorted by start, their ends are sorted too, and
        # those touching [start, end) are found by bisection, not by reading them all.
        order = sorted(range(len(gaz)), key=lambda i: (gaz[i].start, i))
        starts = [gaz[i].start for i in order]
        for start, end, cls in model:
            lo, hi = bisect_left(starts, start), bisect_left(starts, end)
            while lo > 0 and gaz[order[lo - 1]].end > start:
                lo -= 1
            near = sorted(order[lo:hi])
            inside = [i for i in near if gaz[i].start >= start and gaz[i].end <= end]
            overlapping = [
                i for i in near if gaz[i].start < end and gaz[i].end > start and i not in inside
            ]
            if overlapping and not self._longer_name(doc, [gaz[i] for i in overlapping], end):
                continue  # the model's boundary is wrong; the gazetteer name wins
            if overlapping:
                # "The Australian Transport Safety Bureau": the known name is cut off a longer one.
                used_gaz.update(overlapping)
                used_gaz.update(inside)
                chosen.append(self._make(doc, start, end, self._refine(doc, start, end, cls), ""))
                continue
            exact = [i for i in inside if gaz[i].start == start and gaz[i].end == end]
            if exact or len(inside) >= 2:
                continue  # the gazetteer names are used as they are
            if inside and gaz[inside[0]].kind == "name":
                entry_cls = self.gazetteer.entries[gaz[inside[0]].keys[0]].cls
                if entry_cls == "Product" and gaz[inside[0]].start == start:
                    # "Galaxy S21 Ultra" tagged ORG around the product line "Galaxy".
                    used_gaz.update(inside)
                    chosen.append(
                        self._make(doc, start, extend(doc, start, end, "Product"), "Product", "")
                    )
                    continue
                if (
                    cls == "Organization"
                    and coarse_class(entry_cls) == "Organization"
                    and _only_suffixes(doc, gaz[inside[0]], start, end)
                ):
                    # "Apple Inc" around "Apple": the longer name of the same organization.
                    used_gaz.update(inside)
                    chosen.append(self._make(doc, start, end, entry_cls, gaz[inside[0]].keys[0]))
                    continue
            used_gaz.update(inside)
            chosen.append(self._make(doc, start, end, self._refine(doc, start, end, cls), ""))
        return chosen, used_gaz

    def _titled_persons(self, doc: Doc, spans: list[Span]) -> tuple[list[Span], dict[int, str]]:
        """``spans`` with each person's name taking its address form ("Sir Allan"), and the
        titles before person names by their first token."""
        roles: dict[int, str] = {}
        for i, person in enumerate(spans):
            if person.label_ != "Person":
                continue
            role = self._title(doc, person)
            named = self._with_address_form(doc, person, spans[i - 1] if i else None)
            absorbed = person.start - named.start  # "chairman Sir Allan": "Sir" joins the name
            if role and 0 < absorbed < len(role.split()):
                role = " ".join(role.split()[:-absorbed])
            spans[i] = person = named
            if role and not set(role.lower().split()) <= self.lexicon.cue("honorifics"):
                roles[person.start] = role
        return spans, roles

    def _places_by_context(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Retype as places the unknown names the text uses as places.

        The model often takes a little-known town for a person or an
        organization. A name followed by "north of" and a place ("Spencer,
        north of Sydney"), or by "area", "region", "district"..., is a place;
        so is a person's name after "in", "at" or "near" ("a blaze at
        Boonah") unless a title or a form of address goes with it, a name after
        "the city of" ("the self-rule city of Khan Yunis"), and a name listed
        among places ("Hornsby, Turramurra and St Ives"). Every
        mention of that name in the article follows.
        """
        places: set[str] = set()
        people: set[str] = set()
        by_root = {s.root.i: s for s in spans}
        for n, span in enumerate(spans):
            if span.kb_id_ or coarse_class(span.label_) not in {"Person", "Organization"}:
                continue
            if span.start > 0 and doc[span.start - 1].lower_ in self.titled:
                people.add(span.text)
            elif (
                placed(doc, span, spans[n + 1 : n + 2])
                or (span.label_ == "Person" and after_locative(span))
                or named_settlement(span)
                or listed_among_places(span, by_root)
            ):
                places.add(span.text)
        places -= people
        return [
            Span(doc, s.start, s.end, label="Place") if s.text in places and not s.kb_id_ else s
            for s in spans
        ]

    def _institutions(self, doc: Doc, chosen: Sequence[Span]) -> list[Span]:
        """Names of institutions and streets the model missed: capitalised proper nouns
        ending in a word that names an organization ("Zenith Telecommunications
        Authority") or a street-like place ("Picton Road"), where no mention is yet."""
        taken = {i for span in chosen for i in range(span.start, span.end)}
        words = self.lexicon.name_words
        found = []
        for i, text in enumerate(strings(doc, ORTH)):
            cls = words.get(text)
            if cls is None or i in taken:
                continue
            if coarse_class(cls) != "Organization" and cls != "Place":
                continue  # a region's word ("Bay", "Range") also ends organizations' names
            start = i
            while start > 0 and start - 1 not in taken and name_word(doc[start - 1]):
                start -= 1
            if i - start >= 1 and doc[start].text[:1].isupper() and not is_portfolio(doc, i + 1):
                found.append(self._make(doc, start, i + 1, cls, ""))
                taken.update(range(start, i + 1))
        return found

    def _longer_name(self, doc: Doc, overlapping: list[GazetteerMatch], end: int) -> bool:
        """Whether the model's name runs on past the known names it overlaps with words
        of a name ("The Australian" + "Transport Safety Bureau"), not a cut-off end."""
        last = max(g.end for g in overlapping)
        return end > last and all(
            doc[i].text[:1].isupper() or doc[i].lower_ in CONNECTORS for i in range(last, end)
        )

    def _with_address_form(self, doc: Doc, span: Span, previous: Span | None) -> Span:
        """Take "Mrs." or "President" in front of a person's name into the mention.

        News style writes these forms of address as part of how a person is
        named ("Mrs. Higgins", "President Lincoln"); the entity's name drops
        them again (:func:`kg.resolve.names.mention_name`).
        """
        forms = self.lexicon.cue("addressForms")
        start = span.start
        floor = previous.end if previous is not None else 0
        while (
            start > floor and doc[start - 1].lower_ in forms and doc[start - 1].text[:1].isupper()
        ):
            start -= 1
        before = doc[start - 1] if start > 0 else None
        if start == span.start or (
            before is not None
            and before.text[:1].isupper()
            and (before.lower_ in self.lexicon.cue("roleTitles") or before.pos_ == "PROPN")
        ):
            # "Vice President Dan Quayle", "US President Bill Clinton": a role held
            # somewhere, not a form of address.
            return span
        return Span(doc, start, span.end, label=span.label, kb_id=span.kb_id)

    def _datelines(self, doc: Doc, chosen: list[Span]) -> list[Span]:
        """Read the place of a wire dateline ("BANGKOK, Thailand (AP)", "DAYTON, Ohio --").

        A sentence that opens with a name in capitals followed by a comma, a
        parenthesis or a dash names where the story was filed: a place the
        gazetteer knows, or any name followed by a known place or a
        bracketed source.
        """
        for sent in doc.sents:
            start = end = sent.start
            while end < sent.end and doc[end].is_upper and doc[end].is_alpha and len(doc[end]) > 1:
                end += 1
            if end == start or end >= sent.end or doc[end].text not in _DATELINE_BREAKS:
                continue
            text = doc[start:end].text.title()
            places = [e for e in self.gazetteer.lookup(text) if coarse_class(e.cls) == "Place"]
            after = [s for s in chosen if s.start == end + 1]
            if places:
                span = self._make(doc, start, end, places[0].cls, places[0].key)
            elif (after and coarse_class(after[0].label_) == "Place") or (
                doc[end].text == "(" and end + 1 < sent.end and doc[end + 1].is_upper
            ):
                span = self._make(doc, start, end, "City", "")
            else:
                continue
            chosen = [s for s in chosen if s.end <= start or s.start >= end] + [span]
        return chosen

    def _make(self, doc: Doc, start: int, end: int, cls: str, key: str) -> Span:
        return Span(doc, start, end, label=cls, kb_id=key)

    def _from_gazetteer(self, doc: Doc, g: GazetteerMatch) -> list[Span]:
        entries = [self.gazetteer.entries[k] for k in g.keys]
        titles = self.lexicon.cue("roleTitles")
        if entries[0].cls != "Product" and (
            cut_from_longer_name(doc, g.end, titles)
            or cut_after_name_word(doc, g.start, g.end, titles)
        ):
            return []  # "Liberation" of "Kosovo Liberation Army": not the newspaper
        if g.kind == "metonym":
            head = doc[g.start].head
            if doc[g.start].dep_ == "pobj" and head.lower_ in {"in", "from", "near", "at", "to"}:
                # "born in Washington": the place, not the government it stands for.
                return [self._make(doc, g.start, g.end, "Place", "")]
        if len(entries) == 1 or g.kind != "ambiguous":
            entry = entries[0]
            return [self._make(doc, g.start, g.end, entry.cls, entry.key)]
        # Several bodies share the name: let the resolver choose by context.
        return [self._make(doc, g.start, g.end, entries[0].cls, "|".join(g.keys))]

    def _model_numbers(self, doc: Doc, chosen: Sequence[Span]) -> list[Span]:
        """Extend known product lines with their model numbers (Galaxy S9, Mi 11 Ultra)."""
        extra = []
        for span in chosen:
            if span.label_ != "Product" or not span.kb_id_:
                continue
            end = extend(doc, span.start, span.end, "Product")
            if end > span.end:
                extra.append(Span(doc, span.start, end, label="Product"))
        return extra

    def _refine(self, doc: Doc, start: int, end: int, cls: str) -> str:
        """Choose a finer class from name words and descriptors in front of the name."""
        named = ORGANIZATION_ENDINGS.get(doc[end - 1].text.rstrip(".").lower())
        if named is not None and end - start > 1:
            return named  # "Teck Corp", "Ferruzzi SpA", "Wollongong Hospital": an organization
        last_word = self.lexicon.name_words.get(doc[end - 1].text)
        if cls == "Person" and end - start > 1 and last_word == "Place":
            return "Place"  # "Tanami Road", "Alice Springs": a street or a town, not a person
        if cls == "Person" and end - start > 1 and doc[start].text in PLACE_OPENERS:
            return "Place"  # "Mt Kembla", "Cape York": a mountain or a cape, not a person
        if cls == "Person" and end - start > 1 and last_word in _ORGANIZATION_CLASSES:
            return last_word  # "Oki Electric", "Mitsubishi Motors": no person's name
        if cls not in {"Organization", "Place"}:
            return cls
        if cls == "Organization":
            words = self.lexicon.name_words
            head = words.get(doc[end - 1].text)
            if head is not None and coarse_class(head) == "Place":
                return head  # "Custer National Forest", "Tiananmen Square": a place
            for token in doc[start:end]:
                if token.text in words and coarse_class(words[token.text]) != "Place":
                    return words[token.text]
        described = descriptor_class(doc, start, self.lexicon)
        if described and coarse_class(described) == coarse_class(cls):
            return described
        return cls

    def _title(self, doc: Doc, span: Span) -> str | None:
        """The title right in front of a person's name: "Chairman Lei Jun", and in news
        style lower case too ("ministry spokesman Aziz Ahmed Khan") when it ends in a noun
        that can head a title (not "sales Tony Smith", not "the chief Jane Roe")."""
        titles = self.lexicon.cue("roleTitles")
        i = title_start(doc, span.start, titles)
        if i == span.start:
            return None
        if i > 1 and doc[i - 1].lower_ in {"and", "&"} and title_start(doc, i - 1, titles) < i - 1:
            i = title_start(doc, i - 1, titles)  # "chairman and chief executive officer"
        words = doc[i : span.start]
        if all(t.is_lower for t in words) and (
            words[-1].lower_ in TITLE_MODIFIERS or words[-1].pos_ not in {"NOUN", "PROPN"}
        ):
            return None
        return words.text

    # -- writing -------------------------------------------------------------

    def set_annotations(self, doc: Doc, spans: Iterable[Span], roles: dict[int, str]) -> None:
        """Store the mentions in ``doc.spans["kg_entities"]`` and titles in ``doc._.kg_roles``."""
        doc.spans[SPAN_KEY] = list(spans)
        doc._.kg_roles = roles


#: Role titles of the church that are part of how a person is named ("Cardinal George
#: Pell") though the lexicon has them as roles, not forms of address.
_CHURCH_STYLES = frozenset({"cardinal", "bishop", "archbishop"})
#: Words after an organization's known name that still name the same organization.
_SAME_ORGANIZATION = LEGAL_FORMS | {",", "."}
_ORGANIZATION_CLASSES = frozenset({"Company", "GovernmentAgency", "Court", "MediaOrganization"})


def _only_suffixes(doc: Doc, match: GazetteerMatch, start: int, end: int) -> bool:
    """Whether a model span around a known name adds only a legal suffix ("Apple Inc")."""
    extra = [*doc[start : match.start], *doc[match.end : end]]
    return all(t.lower_ in _SAME_ORGANIZATION or t.lower_ in DETERMINERS for t in extra)


def descriptor_class(doc: Doc, start: int, lexicon: Lexicon) -> str | None:
    """Return the class named by a descriptor right before a name ("research firm IDC").

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> descriptor_class(nlp("according to research firm Canalys"), 4, load_lexicon())
    'ResearchFirm'
    """
    words = [t.lower_ for t in doc[max(0, start - 3) : start]]
    for size in (3, 2, 1):
        if len(words) >= size:
            phrase = " ".join(words[-size:])
            if phrase in lexicon.descriptors:
                return lexicon.descriptors[phrase]
    return None


def make_entity_recognizer(
    nlp: Language, name: str, gazetteer_files: Sequence[str] = ()
) -> EntityRecognizer:
    """Build the component with the shipped gazetteer plus ``gazetteer_files``."""
    return EntityRecognizer(
        nlp, name, gazetteer=load_gazetteer(gazetteer_files), lexicon=load_lexicon()
    )


Language.factory(
    "kg_entities_v1",
    default_config={"gazetteer_files": []},
    func=make_entity_recognizer,
)
