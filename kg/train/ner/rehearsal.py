"""Unlabelled text for rehearsal: gensim's Lee news corpus and Wikipedia sample, when installed."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "EXTRA_SOURCES",
    "lee_corpus",
    "wiki_corpus",
]


def _gensim_data(name: str) -> Path | None:
    try:
        from gensim.test.utils import datapath
    except ImportError:
        return None
    path = Path(datapath(name))
    return path if path.exists() else None


def lee_corpus() -> list[str]:
    """The texts of gensim's Lee background corpus (300 ABC news stories); [] without gensim."""
    path = _gensim_data("lee_background.cor")
    if path is None:
        return []
    return [
        line.strip() for line in path.read_text(encoding="latin-1").splitlines() if line.strip()
    ]


_WIKI_DUMP = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


_EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)")


_SPACES = re.compile(r"\s+")


def wiki_corpus(*, limit: int = 1500) -> list[str]:
    """Prose paragraphs of the Wikipedia sample shipped with gensim's tests; [] without gensim.

    Markup is stripped with gensim's ``filter_wiki``; headings, lists, tables
    and paragraphs under 150 characters are skipped. At most ``limit``
    paragraphs, in file order.
    """
    path = _gensim_data(_WIKI_DUMP)
    if path is None:
        return []
    import bz2

    from gensim.corpora.wikicorpus import extract_pages, filter_wiki

    paragraphs: list[str] = []
    with bz2.open(path, "rb") as dump:
        for _title, text, _page in extract_pages(dump):
            if text.lstrip().upper().startswith("#REDIRECT"):
                continue
            clean = filter_wiki(text).replace("'''", "").replace("''", '"')
            for line in clean.split("\n"):
                para = _SPACES.sub(" ", _EMPTY_BRACKETS.sub("", line)).strip()
                if len(para) < 150 or para[0] in "=*|{!:;#<" or "|" in para:
                    continue
                paragraphs.append(para)
                if len(paragraphs) >= limit:
                    return paragraphs
    return paragraphs


#: Unlabelled text for rehearsal, by name (see ``TrainConfig.extra``).
EXTRA_SOURCES = {"lee": lee_corpus, "wiki": wiki_corpus}
