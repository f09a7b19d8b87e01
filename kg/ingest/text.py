"""An :class:`Article` from plain text or Markdown (:func:`article_from_text`)."""

from __future__ import annotations

from kg.ingest.clean import assemble, clean_title, heuristic_title, strip_markdown
from kg.ingest.decode import normalise_unicode
from kg.ingest.metadata import take_metadata
from kg.types import Article

__all__ = [
    "article_from_text",
]


def article_from_text(
    text: str, *, id: str, source: str | None = None, markdown: bool = False
) -> Article:
    """Clean a plain-text (or Markdown) article and read its metadata.

    Leading metadata (``date 2018-07-04 ...``, ``title: ...`` lines, a ``---``
    front-matter block) is moved into the record; a short first line standing
    alone (or a leading Markdown heading) becomes the title but stays in the
    text; boilerplate lines (:data:`BOILERPLATE_PATTERNS`) are removed.

    Args:
        text: the article as read from its file.
        id: the article id.
        source: where it came from, for provenance.
        markdown: strip Markdown markup first.

    Returns:
        The article.

    Raises:
        EmptyInputError: nothing but whitespace, metadata or boilerplate.

    >>> a = article_from_text("Xiaomi enters Europe\\n\\nXiaomi said...\\n\\nBack to top", id="a")
    >>> a.title, a.text
    ('Xiaomi enters Europe', 'Xiaomi enters Europe\\n\\nXiaomi said...')
    """
    name = source or id
    meta, body = take_metadata(normalise_unicode(text))
    heading: str | None = None
    if markdown:
        lines, heading = strip_markdown(body)
    else:
        lines = body.split("\n")
    cleaned, blocks = assemble(lines, name=name)
    title = meta.title or heading or heuristic_title(blocks)
    return Article(
        id=id,
        text=cleaned,
        title=clean_title(title),
        date=meta.date,
        url=meta.url,
        publisher=clean_title(meta.publisher),
        source=source,
    )
