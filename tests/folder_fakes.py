"""Fast builds for the build-folder tests: extraction without a model.

``install(monkeypatch)`` makes kg.build.pipeline and kg.build.updates extract each
article's first two words as one Company mention (and skips the model's
fingerprint), so that a build of a few articles takes milliseconds; ``python
tests/folder_fakes.py ARGS`` runs the kg CLI the same way, for tests that run
several real kg processes at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from kg.types import Article, Extraction, Mention


def fake_extract(
    articles: Iterable[Article],
    *,
    jobs: int = 1,
    model: str | None = None,
    gazetteer_files: Sequence[str] = (),
    on_article: Callable[[Article], None] | None = None,
    keys: dict[str, list[str | None]] | None = None,
) -> Iterator[Extraction]:
    """One Company mention per article: its first two words (no resolution keys made)."""
    for article in articles:
        name = " ".join(article.text.split()[:2])
        start = article.text.index(name) if name else 0
        mentions = (Mention(start, start + len(name), name, "Company"),) if name else ()
        yield Extraction(article, mentions, (), sentences=((0, len(article.text)),))
        if on_article is not None:
            on_article(article)


def fake_fingerprint(**_options: Any) -> str:
    return "f" * 32


def install(patch: Any) -> None:
    """Make kg.build.pipeline and kg.build.updates use the fakes (``patch``: a MonkeyPatch)."""
    from kg.build import pipeline, updates

    for module in (pipeline, updates):
        patch.setattr(module, "extract_articles", fake_extract)
        patch.setattr(module, "fingerprint", fake_fingerprint)


def main() -> None:
    from kg.build import pipeline, updates
    from kg.cli import main as kg_main

    for module in (pipeline, updates):
        module.extract_articles = fake_extract  # type: ignore[assignment]
        module.fingerprint = fake_fingerprint  # type: ignore[assignment]
    sys.argv[0] = "kg"
    kg_main()


if __name__ == "__main__":
    main()
