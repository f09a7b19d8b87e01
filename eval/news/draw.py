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
  to measure agreement;
* 40 more training articles (20 Reuters, 20 Lee, drawn apart with the next
  seed) among those that use words of the rarer predicates (rivals,
  lawsuits, makers and products, plans to enter a market, lifted bans):
  train only, so the dev split stays a uniform draw;
* 60 more training articles (30 Reuters from the same business pool, 30
  Lee), drawn uniformly among those not yet drawn, with the seed after that:
  train only, to give the relation model more to learn from;
* 60 more (30 Reuters, 30 Lee) drawn the same way with the seed after that
  (``more2``), train only; and 60 more again with the next seed (``more3``),
  and with the seed after that (``more4``).
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


#: Words of the predicates the random draw seldom meets; for the extra training articles only.
RARE = re.compile(
    r"\b(rivals?|competitors?|compet\w+|sued|sues|suing|lawsuit|filed suit|"
    r"lift\w* (?:the )?(?:ban|sanctions?|embargo)|plans? to (?:enter|open|expand|launch)|"
    r"(?:makes?|makers?|manufactur\w+|produc\w+) (?:of )?[A-Z]\w+|distribut\w+|retail\w*)\b"
)


def extra_train(rng: random.Random, taken: set[str]) -> list[dict]:
    """40 more training articles (train split only): 20 Reuters, 20 Lee, not yet drawn,
    that use words of the rarer predicates (rivals, lawsuits, products, market entry)."""
    lee = [a for a in lee_articles() if a["id"] not in taken and RARE.search(a["text"])]
    reuters = [a for a in reuters_pool() if a["id"] not in taken and RARE.search(a["text"])]
    return rng.sample(reuters, 20) + rng.sample(lee, min(20, len(lee)))


#: The batches of training articles drawn uniformly, in the order they were drawn.
MORE = ("more", "more2", "more3", "more4")


def more_train(rng: random.Random, taken: set[str]) -> list[dict]:
    """60 more training articles (train split only): 30 Reuters of the business pool and
    30 Lee, drawn uniformly among those not yet drawn."""
    lee = [a for a in lee_articles() if a["id"] not in taken]
    reuters = [a for a in reuters_pool() if a["id"] not in taken]
    return rng.sample(reuters, 30) + rng.sample(lee, 30)


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
    extra = extra_train(random.Random(SEED + 1), {a["id"] for a in lee + reuters})
    split["train"] += sorted(a["id"] for a in extra)
    split["extra"] = sorted(a["id"] for a in extra)
    drawn = len(extra)
    for n, name in enumerate(MORE):  # each batch with the next seed, among those not yet drawn
        taken = {a["id"] for a in lee + reuters + extra}
        batch = more_train(random.Random(SEED + 2 + n), taken)
        split["train"] += sorted(a["id"] for a in batch)
        split[name] = sorted(a["id"] for a in batch)
        extra += batch
    keep = ("id", "title", "date", "publisher", "text")
    with (HERE / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for article in sorted(lee + reuters + extra, key=lambda a: a["id"]):
            record = {k: article[k] for k in keep if article.get(k)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (HERE / "split.json").write_text(
        json.dumps({k: sorted(v) for k, v in split.items()}, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"{len(lee) + len(reuters) + len(extra)} articles: {len(split['train'])} train "
        f"({len(split['extra'])} of them drawn for rarer predicates, "
        f"{len(extra) - drawn} more drawn uniformly), {len(split['dev'])} dev, "
        f"{len(split['double'])} annotated twice"
    )


if __name__ == "__main__":
    main()
