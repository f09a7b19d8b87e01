"""Read input articles (plain text, Markdown, HTML, JSON Lines) into :class:`Article` records.

Every later stage works with character offsets into ``Article.text``, so the
text handed on is the *cleaned* text: Unicode normalised (NFC, ``\\n``
newlines, no zero-width characters, no non-breaking spaces), metadata lines
and web boilerplate removed, paragraphs separated by one blank line.

Text held in JSON Lines files is taken as given apart from the Unicode
normalisation, so offsets in gold files made for such text stay valid.

>>> a = article_from_text("date 2018-07-04 Xiaomi is aiming to enter the US.", id="x")
>>> a.date, a.text
('2018-07-04', 'Xiaomi is aiming to enter the US.')
"""

from __future__ import annotations

from kg.ingest.clean import BOILERPLATE_PATTERNS
from kg.ingest.decode import normalise_unicode
from kg.ingest.html import article_from_html
from kg.ingest.metadata import normalise_date
from kg.ingest.paths import RESERVED_IDS, SUPPORTED_SUFFIXES, collect_paths, file_id
from kg.ingest.read import MAX_CHARS, check_replacements, read_articles, sample_corpus
from kg.ingest.text import article_from_text

__all__ = [
    "BOILERPLATE_PATTERNS",
    "MAX_CHARS",
    "RESERVED_IDS",
    "SUPPORTED_SUFFIXES",
    "article_from_html",
    "article_from_text",
    "check_replacements",
    "collect_paths",
    "file_id",
    "normalise_date",
    "normalise_unicode",
    "read_articles",
    "sample_corpus",
]
