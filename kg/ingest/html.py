"""An :class:`Article` from an HTML page: its main text, title and date."""

from __future__ import annotations

import re

from kg.ingest.clean import assemble, clean_title
from kg.ingest.decode import normalise_unicode
from kg.ingest.metadata import Meta, normalise_date
from kg.types import Article

__all__ = [
    "article_from_html",
]


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


_DROP_TAGS = (
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "template",
    "form",
    "iframe",
    "svg",
    "button",
)


_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table",
        "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption",
        "hr", "address",
    }
)  # fmt: skip


def _html_fallback(html: str) -> tuple[str, str | None]:
    """The ``<body>`` text without scripts, styles and page furniture, and the ``<title>``."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return "", None
    titles = root.xpath("//title")
    title = titles[0].text_content().strip() if titles else None
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS)):
        element.drop_tree()
    bodies = root.xpath("//body")
    body = bodies[0] if bodies else root
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
        elif element.tag == "br":
            element.tail = "\n" + (element.tail or "")
    return str(body.text_content()), title or None


# Elements whose content a browser never shows as text: scripts (JSON-LD metadata
# excepted), style sheets and inert templates. trafilatura drops most of them itself,
# but not the content of <template>.
_CODE_ELEMENTS = "//script[not(@type='application/ld+json')]|//style|//template"


def _without_code(html: str) -> object:
    """The page as trafilatura parses it, less :data:`_CODE_ELEMENTS` (the text if unparsable)."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return html
    for element in tree.xpath(_CODE_ELEMENTS):
        element.drop_tree()
    return tree


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def article_from_html(html: str, *, id: str, source: str | None = None) -> Article:
    """Extract the main text and metadata of a web page.

    The text comes from trafilatura (comments and tables left out, precision
    favoured), or, when it finds nothing, from the ``<body>`` with scripts,
    styles, navigation, headers and footers removed. The title (when the text
    does not already start with it) is put in front of the text, as in plain
    text articles.

    Args:
        html: the page.
        id: the article id.
        source: where it came from, for provenance.

    Returns:
        The article.

    Raises:
        EmptyInputError: the page has no text.

    >>> page = "<html><body><nav>Home</nav><p>Xiaomi is based in Beijing.</p></body></html>"
    >>> article_from_html(page, id="p").text
    'Xiaomi is based in Beijing.'
    """
    name = source or id
    # lxml refuses control characters; the text is normalised anyway
    html = _XML_DECLARATION.sub("", normalise_unicode(html), count=1)
    text, meta = _main_text(html)
    fallback_title = None
    if not text.strip():
        text, fallback_title = _html_fallback(html)
    title = clean_title(meta.title or fallback_title)
    # trafilatura gives one paragraph a line
    lines = [part for line in normalise_unicode(text).split("\n") for part in (line, "")]
    cleaned, _ = assemble(lines, name=name)
    first = cleaned.split("\n\n", 1)[0]
    if title and not (_same_words(title, first) or title.casefold() in first.casefold()):
        cleaned = f"{title}\n\n{cleaned}"
    return Article(
        id=id,
        text=cleaned,
        title=title,
        date=meta.date,
        url=meta.url,
        publisher=clean_title(meta.publisher),
        source=source,
    )


def _main_text(html: str) -> tuple[str, Meta]:
    """Trafilatura's main text of a page and its metadata ("" when it finds none)."""
    import trafilatura
    from lxml import etree

    try:
        page = _without_code(html)
        doc = trafilatura.bare_extraction(
            page,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=True,
        )
    except (etree.LxmlError, ValueError):  # trafilatura gives up on some broken pages
        doc = None
    if doc is None or isinstance(doc, dict):
        return "", Meta()
    meta = Meta(
        title=doc.title or None,
        date=normalise_date(doc.date) if doc.date else None,
        url=doc.url or None,
        publisher=doc.sitename or None,
    )
    return doc.text or "", meta
