"""Names of mentions: cleaning, keys, acronyms, and whether a name can name a node.

The resolver (:mod:`kg.resolve`) groups mentions by these keys; the graph
writes :func:`mention_role` as a mention's title and :func:`slug` makes ids.

>>> name_key("Acme Corp."), acronym("Federal Communications Commission")
('acme', 'FCC')
"""

from __future__ import annotations

import re
import unicodedata

from kg.ontology import load_lexicon, normalize_name
from kg.types import LEGAL_FORMS, Mention, coarse_class

#: Legal and generic suffixes that do not change which organization a name denotes.
LEGAL_SUFFIXES = LEGAL_FORMS | {"company", "holding", "party"}

_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "&", "de", "on", "in"})
_PRONOUN_LIKE = frozenset({"it", "its", "he", "she", "they", "we", "i", "you", "this", "that"})
_MAX_NAME_TOKENS = 10


def slug(text: str) -> str:
    """Return an IRI-safe, lower-case, hyphenated form of a name.

    >>> slug("AT&T Inc."), slug("Lei Jun"), slug("Presse-Citron"), slug("Nestlé")
    ('at-and-t-inc', 'lei-jun', 'presse-citron', 'nestle')
    >>> slug("東京")
    'x-6771-4eac'
    """
    text = text.replace("&", " and ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if words:
        return "-".join(words)[:80]
    # Names in other scripts: a stable, readable code point spelling.
    return "x-" + "-".join(f"{ord(c):x}" for c in text if not c.isspace())[:80]


#: Punctuation that never belongs to either end of a name.
_EDGE_PUNCTUATION = " \t\"'“”‘’«»()[],;:"
#: A name ending in an abbreviation: initials ("U.S.") or a short capitalised word ("Inc.").
_ABBREVIATION_END = re.compile(r"(?:\b\w\.)+$|\b[A-Z][a-z]{0,3}\.$")


def clean_name(text: str) -> str:
    """Drop a leading "the", a trailing possessive and surrounding punctuation.

    >>> clean_name("the Pentagon’s"), clean_name("“Chinese Communist Military Society”")
    ('Pentagon', 'Chinese Communist Military Society')
    >>> clean_name("Acme Inc."), clean_name("U.S."), clean_name("Boise.")
    ('Acme Inc.', 'U.S.', 'Boise')
    """
    text = " ".join(text.split())
    text = re.sub(r"^(the|The|THE)\s+", "", text)
    text = re.sub(r"(?:'s|’s|'|’)$", "", text)
    text = text.strip(_EDGE_PUNCTUATION)
    # A final full stop is kept only where it ends an abbreviation ("U.S.", "Inc.", "Jr.").
    return text if _ABBREVIATION_END.search(text) else text.rstrip(".").rstrip()


def split_title(text: str, titles: frozenset[str]) -> tuple[str | None, str]:
    """Split a leading title from a person's name ("President Lincoln" -> "President", "Lincoln").

    Only capitalised words of the lexicon's role titles count, and a name is
    always left.

    >>> split_title("Senior Vice President Wang Xiang", frozenset({"senior", "vice", "president"}))
    ('Senior Vice President', 'Wang Xiang')
    >>> split_title("President", frozenset({"president"}))
    (None, 'President')
    """
    words = text.split()
    i = 0
    while i < len(words) - 1 and words[i].lower() in titles and words[i][:1].isupper():
        i += 1
    return (" ".join(words[:i]) or None), " ".join(words[i:])


_TRAILING_NUMBERS = re.compile(r"(?:\s+[\d/.-]+)+$")


def mention_name(mention: Mention) -> str:
    """The name a mention gives its entity: cleaned, and without a person's title."""
    text = clean_name(mention.text)
    if mention.coarse == "Person":
        text = split_title(text, load_lexicon().cue("roleTitles"))[1]
        text = _TRAILING_NUMBERS.sub("", text) or text  # "Glenn McGrath 2" in a score card
    return text


def mention_role(mention: Mention) -> str | None:
    """The title a mention gives a person, in front of the name or inside the span."""
    if mention.role or mention.coarse != "Person":
        return mention.role
    lexicon = load_lexicon()
    title = split_title(clean_name(mention.text), lexicon.cue("roleTitles"))[0]
    if title is not None and set(title.lower().split()) <= lexicon.cue("honorifics"):
        return None  # "Mr", "Mrs": a form of address, not a role
    return title


def name_key(text: str) -> str:
    """The key under which two names of one organization or person meet.

    >>> name_key("Xiaomi Corp."), name_key("the Xiaomi"), name_key("XIAOMI")
    ('xiaomi', 'xiaomi', 'xiaomi')
    >>> name_key("Merrill Lynch and Co Inc"), name_key("Merrill Lynch & Co")
    ('merrill lynch', 'merrill lynch')
    >>> name_key("Dun & Bradstreet"), name_key("Dillon, Read and Co"), name_key("Bank N.A.")
    ('dun and bradstreet', 'dillon read', 'bank na')
    """
    words = normalize_name(clean_name(text)).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
        while len(words) > 1 and words[-1] in {"and", "&"}:
            words.pop()  # "Merrill Lynch and Co": the "and" went with the "Co"
    return " ".join(_spelling(part) for word in words for part in _HYPHEN.split(word) if part)


#: A hyphen joining two letters ("al-Qaeda", "Coca-Cola"), written as a space too.
_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
#: Initials written with full stops ("n.a.", "u.s"), which are written without them too.
_DOTTED_INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?")


def _spelling(word: str) -> str:
    """One spelling of a name's word: "&" is "and", a comma after a word and the full
    stops of initials are dropped ("Dillon, Read & Co" and "Dillon Read and Co";
    "Bank N.A." and "Bank NA")."""
    word = word.rstrip(",") or word
    if word == "&":
        return "and"
    return word.replace(".", "") if _DOTTED_INITIALS.fullmatch(word) else word


def acronym(text: str) -> str:
    """The initials of a multi-word name.

    >>> acronym("Federal Communications Commission"), acronym("Department of Defense")
    ('FCC', 'DD')
    """
    words = [w for w in re.split(r"[\s-]+", text) if w and w.lower() not in _ACRONYM_SKIP]
    return "".join(w[0].upper() for w in words if w[0].isalpha()) if len(words) > 1 else ""


def usable(mention: Mention) -> bool:
    """Whether a mention can name a node (not a pronoun, a fragment or a description).

    >>> usable(Mention(0, 2, "it", "Organization")), usable(Mention(0, 5, "Apple", "Company"))
    (False, True)
    """
    if mention.source == "coref":
        return False
    text = clean_name(mention.text)
    if len(text) < 2 or text.lower() in _PRONOUN_LIKE or not any(c.isalpha() for c in text):
        return False
    if len(text.split()) > _MAX_NAME_TOKENS:
        return False
    if mention.key is None and is_generic(text):
        return False
    return mention.key is not None or any(c.isupper() for c in text) or not text.isascii()


def is_generic(text: str) -> bool:
    """Whether a name is only generic words and titles ("Government", "Federal Minister").

    Such a phrase says what kind of body or office is meant, not which one, so
    it names no entity (the lexicon's ``genericNames`` and ``roleTitles``).

    >>> is_generic("the Government"), is_generic("Federal Agriculture Minister")
    (True, True)
    >>> is_generic("Australian Government"), is_generic("Treasurer Peter Costello")
    (False, False)
    """
    lexicon = load_lexicon()
    generic, titles = lexicon.cue("genericNames"), lexicon.cue("roleTitles")
    name = normalize_name(text)
    return name in generic or all(w in generic or w in titles for w in name.split())


__all__ = [
    "LEGAL_SUFFIXES",
    "acronym",
    "clean_name",
    "is_generic",
    "mention_name",
    "mention_role",
    "name_key",
    "names_alone",
    "slug",
    "split_title",
    "usable",
]


def names_alone(name: str, label: str, cls: str) -> bool:
    """Whether ``name``, a name an article gives the entity called ``label``, names it on
    its own, as an alias of the graph should: not one word of a person's full name
    ("Howard" of "John Howard", "Lee" of many people), nor an institution's generic word
    ("Bank" of "Bank of England", "Parliament"). The mentions keep every name.

    >>> [names_alone(n, "John Howard", "Person") for n in ("Howard", "Johnny")]
    [False, True]
    >>> [names_alone(n, "Bank of England", "Company") for n in ("Bank", "BoE")]
    [False, True]
    """
    if " " in name or " " not in label:
        return True
    if coarse_class(cls) == "Person":
        return name not in label.split()
    return name not in load_lexicon().name_words
