"""Real news text for the benchmarks, read from packages already installed.

The main source is the Lee corpus that ships inside gensim's wheel
(``gensim/test/test_data/lee_background.cor``: 300 short Australian news
articles, one per line, about 60k words). It is found on disk without
importing gensim, and nothing is downloaded. When gensim is missing, the
benchmarks can fall back to the two sample articles shipped with ``kg``
(repeated to reach the wanted size) or read any files ``kg.ingest`` reads.

>>> articles = sample_articles()
>>> len(articles) >= 1 and all(a.text for a in articles)
True
>>> more, copies = repeat_to(articles, min_words=3 * count_words(articles))
>>> copies, len(more) == 3 * len(articles), more[len(articles)].id.endswith("#2")
(3, True, True)
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from kg.errors import KGError
from kg.ingest import read_articles, sample_corpus
from kg.types import Article

#: Where the Lee corpus sits inside the gensim package.
LEE_FILE = Path("test", "test_data", "lee_background.cor")

#: What to run when the Lee corpus is missing.
INSTALL_HINT = "pip install gensim, or pip install -e '.[bench]' in the repository"


class CorpusNotFoundError(KGError):
    """The text a benchmark needs is not installed."""

    exit_code = 2


def lee_path() -> Path:
    """Return the path of gensim's Lee background corpus, without importing gensim.

    Raises :class:`CorpusNotFoundError` with the install command when gensim
    (or the file in it) is missing.
    """
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise CorpusNotFoundError(
            "the Lee news corpus comes with gensim, which is not installed. Install it: "
            f"{INSTALL_HINT}; or run with --corpus sample (kg's own sample articles, repeated)"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / LEE_FILE
        if path.is_file():
            return path
    raise CorpusNotFoundError(
        f"gensim is installed but has no {LEE_FILE.as_posix()}: reinstall it with "
        "pip install --force-reinstall gensim, or run with --corpus sample"
    )


def lee_articles(path: Path | None = None) -> list[Article]:
    """Read the Lee corpus: one article per non-empty line, ids ``lee-000``, ``lee-001``...

    Lines are numbered in file order, so the ids and the order are the same
    on every machine.
    """
    path = path or lee_path()
    lines = path.read_text(encoding="utf-8").splitlines()
    texts = [line.strip() for line in lines if line.strip()]
    width = max(3, len(str(len(texts))))
    return [
        Article(id=f"lee-{i:0{width}d}", text=text, source=f"{path.name}:{i + 1}")
        for i, text in enumerate(texts)
    ]


def sample_articles() -> list[Article]:
    """Read the sample articles shipped with ``kg`` (``corpus/``), in file-name order."""
    return list(read_articles(sample_corpus()))


def file_articles(paths: Sequence[str | Path]) -> list[Article]:
    """Read articles from files, folders or globs, as ``kg build`` does."""
    return list(read_articles(list(paths)))


def count_words(articles: Sequence[Article]) -> int:
    """Number of whitespace-separated tokens in all ``articles``.

    >>> count_words([Article(id="a", text="Two words"), Article(id="b", text=" and  three ")])
    4
    """
    return sum(len(article.text.split()) for article in articles)


def repeat_to(articles: Sequence[Article], *, min_words: int) -> tuple[list[Article], int]:
    """Repeat ``articles`` whole until they hold at least ``min_words`` words.

    Returns the articles and the number of copies (1: not repeated). Copy
    ``n`` (from 2 on) gets ids ending in ``#n`` so that every id stays unique.

    >>> repeat_to([Article(id="a", text="one two")], min_words=5)[1]
    3
    """
    words = count_words(articles)
    if words == 0:
        raise CorpusNotFoundError("the benchmark text holds no words")
    copies = max(1, math.ceil(min_words / words))
    repeated = list(articles)
    for n in range(2, copies + 1):
        repeated.extend(replace(a, id=f"{a.id}#{n}") for a in articles)
    return repeated, copies
