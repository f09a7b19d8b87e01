"""A synthetic but realistic news corpus, of any size, for build benchmarks.

Real corpora repeat a few hundred entities; a benchmark of 20,000 articles
needs the graph to grow as a real one would. Each article here is a short
business or policy story (headline, dateline, five to nine paragraphs' worth
of sentences) about a few companies, people, agencies and places. Names mix
the gazetteer's real countries, cities and agencies with invented companies
and people drawn from a pool that grows with the corpus (Zipf-like reuse), so
entity resolution, relations, dates and figures all do realistic work.
Everything is seeded: the same arguments give the same articles.

    python benchmarks/synthetic.py --articles 2000 --out /tmp/synthetic   # writes .txt files

>>> arts = generate(3, seed=1)
>>> len(arts), all(a.text.count(".") >= 8 for a in arts), arts[0].id
(3, True, 'syn-000000')
>>> generate(2, seed=1)[1] == arts[1]
True
>>> news = generate(3, seed=1, style="news")
>>> len(news[0].text.split()) > 2 * len(arts[0].text.split())
True
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from pathlib import Path

from kg.gazetteer import load_gazetteer
from kg.types import Article

SYLLABLES = [
    "ka",
    "lo",
    "ri",
    "ven",
    "tar",
    "mo",
    "sel",
    "dra",
    "qu",
    "bex",
    "nor",
    "vin",
    "pal",
    "zen",
    "cor",
    "ath",
    "mir",
    "tul",
    "gan",
    "fey",
]
_COMPANY_SUFFIX = ["Corp", "Systems", "Technologies", "Group", "Holdings", "Motors", "Networks"]
_SECTOR = ["chipmaker", "carmaker", "telecom operator", "smartphone maker", "bank", "retailer"]
FIRST_NAMES = [
    "Anna",
    "Boris",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Keiko",
    "Luis",
    "Maya",
    "Nils",
]
LAST_NAMES = [
    "Adler",
    "Brandt",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
]
ROLES = ["chief executive", "chairman", "chief financial officer", "president", "founder"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_FILLER = [
    "Analysts said the move reflected a broader shift in the industry.",
    "The company did not comment on the report.",
    "Shares rose slightly in early trading after the announcement.",
    "The decision follows months of negotiations between the two sides.",
    "Officials declined to give further details.",
    "The market has grown quickly over the past three years.",
    "Critics said the plan would face strong resistance from lawmakers.",
]


#: Background sentences of a "news" article: context, quotes and reactions that name
#: an entity now and then but state few relations, as most of a real story does.
_BACKGROUND = [
    "{person} told reporters in {city} that demand was expected to keep growing.",
    "The {sector} industry has faced rising costs since {year}, according to industry data.",
    "Analysts at several banks said the outlook for the sector remained uncertain.",
    "The deal still needs the approval of regulators in {country}.",
    "A spokesperson for {company} declined to comment further.",
    "Sales slowed in the second half of the year as consumers held on to older devices.",
    "Trading in the shares was briefly suspended on Tuesday.",
    "Investors have been watching the sector closely after a string of weak results.",
    "The government of {country} has promised to support local manufacturers.",
    "{person} said the company would keep investing in research over the next decade.",
    "Supply problems have eased since the spring, executives said.",
    "The company employs thousands of people across Europe and Asia.",
    "Several rivals have announced similar plans this year.",
    "Consumer groups welcomed the announcement but asked for more details.",
    "The shares have lost about a third of their value since January.",
    "Talks with suppliers are expected to continue for several weeks.",
    "It was not clear how the move would affect prices for customers.",
    "Officials in {city} said they had not been informed of the plan in advance.",
]


class _Pools:
    """Entity names: real places and agencies, invented companies and people."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        gazetteer = load_gazetteer()
        entries = sorted(gazetteer.entries.values(), key=lambda e: e.key)
        self.countries = [e.label for e in entries if e.cls == "Country"]
        self.cities = [e.label for e in entries if e.cls == "City"]
        self.agencies = [e.label for e in entries if e.cls == "GovernmentAgency"][:200]
        self.companies: list[str] = []
        self.people: list[str] = []

    def _pick(self, pool: list[str], make: object, grow: float) -> str:
        if not pool or self.rng.random() < grow:
            pool.append(make())  # type: ignore[operator]
            return pool[-1]
        # Zipf-like: recent and early names come back more often.
        index = min(len(pool) - 1, int(self.rng.paretovariate(1.2)) - 1)
        return pool[-1 - index] if self.rng.random() < 0.5 else pool[index]

    def company(self) -> str:
        def make() -> str:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(2)).capitalize()
            return f"{word} {self.rng.choice(_COMPANY_SUFFIX)}"

        return self._pick(self.companies, make, 0.35)

    def person(self) -> str:
        def make() -> str:
            return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

        return self._pick(self.people, make, 0.4)


def _article(index: int, pools: _Pools, rng: random.Random, *, background: int = 0) -> Article:
    a, b = pools.company(), pools.company()
    while b == a:
        b = pools.company()
    person, title = pools.person(), rng.choice(ROLES)
    country, other = rng.sample(pools.countries, 2)
    city = rng.choice(pools.cities)
    agency = rng.choice(pools.agencies)
    month = rng.choice(_MONTHS)
    share = f"{rng.randint(2, 40)}.{rng.randint(0, 9)}"
    revenue = f"{rng.randint(1, 90)}.{rng.randint(0, 9)}"
    year = rng.randint(2015, 2024)
    sentences = [
        f"{a}, the {rng.choice(_SECTOR)} based in {city}, said on Monday that it plans to "
        f"enter the {other} market next year.",
        f"{person}, {title} of {a}, said the company signed a partnership with {b}.",
        f"{a} competes with {b} in {country}, where it holds a market share of {share}%.",
        f"In {month}, the {agency} banned {b} from selling its products in {country}.",
        f"{a} reported revenue of {revenue} billion dollars in the first quarter of {year}.",
        f"{b} said it would appeal the decision, which it called unfair.",
        *rng.sample(_FILLER, 3),
    ]
    context = [
        template.format(
            person=person,
            city=rng.choice(pools.cities),
            sector=rng.choice(_SECTOR),
            year=year,
            country=rng.choice((country, other)),
            company=rng.choice((a, b)),
        )
        for template in rng.sample(_BACKGROUND, min(background, len(_BACKGROUND)))
    ]
    paragraphs = [sentences[:5], sentences[5:]]
    for start in range(0, len(context), 4):  # four sentences a paragraph
        paragraphs.insert(1 + start // 4, context[start : start + 4])
    body = "\n\n".join(" ".join(paragraph) for paragraph in paragraphs)
    headline = f"{a} eyes {other} as {agency} acts against {b}"
    return Article(
        id=f"syn-{index:06d}",
        text=f"{headline}\n\n{body}\n",
        title=headline,
        date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    )


#: Corpus styles: background sentences per article. "dense" is nine sentences of
#: facts (about 135 words; 18 mentions and 6 relations per 100 words, several
#: times real news: a stress test); "news" adds twelve sentences of context
#: (about 270 words; 12 mentions and 3.3 relations per 100 words), near the
#: density of business news such as kg's sample articles (15 and 3.5; the Lee
#: corpus of general news has 10 and 1.2). benchmarks/README.md gives the figures.
STYLES = {"dense": 0, "news": 12}


def generate(n: int, *, seed: int = 0, style: str = "dense") -> list[Article]:
    """Return ``n`` synthetic articles (deterministic for a given ``seed`` and ``style``)."""
    rng = random.Random(seed)
    pools = _Pools(rng)
    background = STYLES[style]
    return [_article(i, pools, rng, background=background) for i in range(n)]


def write_jsonl(articles: Sequence[Article], path: Path) -> Path:
    """Write articles as a JSON Lines file that ``kg build`` reads."""
    import json

    with path.open("w", encoding="utf-8") as out:
        for a in articles:
            record = {"id": a.id, "text": a.text, "title": a.title, "date": a.date}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--style", choices=sorted(STYLES), default="dense")
    parser.add_argument("--out", type=Path, required=True, help="a .jsonl file to write")
    args = parser.parse_args(argv)
    articles = generate(args.articles, seed=args.seed, style=args.style)
    write_jsonl(articles, args.out)
    words = sum(len(a.text.split()) for a in articles)
    print(f"wrote {len(articles)} articles, {words:,} words, to {args.out}")


if __name__ == "__main__":
    main()
