"""Draw the articles of kg's real-news gold set, reproducibly.

Run from the repository root with ``../shared`` beside it::

    python eval/news/draw.py

It writes ``eval/news/articles.jsonl`` (the 150 articles, as kg JSON Lines)
and ``eval/news/split.json`` (which ids are train, dev, and annotated
twice). The draw is seeded; nothing in it looks at what kg extracts.

* 75 of the 300 Lee background articles (ABC news, 2001-2002), drawn
  uniformly;
* 75 Reuters-21578 business articles, drawn uniformly from those of 60 to
  300 words that are about acquisitions (topic ``acq``) or speak of
  subsidiaries, executives, regulators, courts or markets;
* a split by id: one third of each source to dev, the rest to train;
* 25 articles (13 Lee, 12 Reuters) annotated a second time, independently,
  to measure agreement.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

SEED = 20261206
SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
HERE = Path(__file__).resolve().parent
BUSINESS = re.compile(
    r"\b(subsidiary|unit of|division|acquir\w*|merger|takeover|stake|chairman|president|"
    r"chief executive|sued|lawsuit|court|commission|regulator\w*|market)\b",
    re.IGNORECASE,
)


def lee_articles() -> list[dict]:
    with (SHARED / "lee" / "background.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def reuters_pool() -> list[dict]:
    pool = []
    with gzip.open(SHARED / "reuters21578" / "train.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            words = len(record["text"].split())
            if not 60 <= words <= 300:
                continue
            if "acq" in record["topics"] or BUSINESS.search(record["text"]):
                pool.append(record)
    return pool


def main() -> None:
    rng = random.Random(SEED)
    lee = rng.sample(lee_articles(), 75)
    reuters = rng.sample(reuters_pool(), 75)
    split: dict[str, list[str]] = {"train": [], "dev": [], "double": []}
    for group, twice in ((lee, 13), (reuters, 12)):
        ids = sorted(a["id"] for a in group)
        shuffled = ids[:]
        rng.shuffle(shuffled)
        dev = set(shuffled[: len(ids) // 3])
        split["dev"] += [i for i in ids if i in dev]
        split["train"] += [i for i in ids if i not in dev]
        split["double"] += sorted(rng.sample(ids, twice))
    keep = ("id", "title", "date", "publisher", "text")
    with (HERE / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for article in sorted(lee + reuters, key=lambda a: a["id"]):
            record = {k: article[k] for k in keep if article.get(k)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (HERE / "split.json").write_text(
        json.dumps({k: sorted(v) for k, v in split.items()}, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(lee) + len(reuters)} articles: {len(split['train'])} train, "
          f"{len(split['dev'])} dev, {len(split['double'])} annotated twice")


if __name__ == "__main__":
    main()
