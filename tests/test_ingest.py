"""Tests for kg.ingest: reading, cleaning and identifying input articles."""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputError,
    InputNotFoundError,
    JSONLError,
    UnsupportedFormatError,
)
from kg.ingest import (
    BOILERPLATE_PATTERNS,
    article_from_html,
    article_from_text,
    collect_paths,
    normalise_date,
    normalise_unicode,
    read_articles,
    sample_corpus,
)
from kg.types import Article

DATA = Path(__file__).parent / "data" / "ingest"
CORPUS = Path(__file__).parents[1] / "corpus"
SAMPLE_000 = CORPUS / "000_1b3bd0faa09d64f8.txt"
SAMPLE_004 = CORPUS / "004_354504606f9a2e7a.txt"
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def read_one(path: Path, **options: str) -> Article:
    articles = list(read_articles([path], **options))
    assert len(articles) == 1
    return articles[0]


# --------------------------------------------------------------------------- sample articles


def test_sample_000_leading_date_becomes_metadata() -> None:
    article = read_one(SAMPLE_000)
    assert article.id == "000_1b3bd0faa09d64f8"
    assert article.date == "2018-07-04"
    assert article.text.startswith("Xiaomi is aiming")
    assert "2018-07-04" not in article.text
    assert article.source == "corpus/000_1b3bd0faa09d64f8.txt"


def test_sample_004_title_kept_in_text_and_boilerplate_removed() -> None:
    article = read_one(SAMPLE_004)
    assert article.title == "Xiaomi is officially removed from the Pentagon’s blacklist"
    assert article.text.startswith(article.title + "\n\n")
    for junk in ("Subscribe", "Newsletter", "I register", "Back to top"):
        assert junk not in article.text
    # the last real paragraph and a sub-heading survive
    assert article.text.endswith("we have already been able to test on Presse-Citron.")
    assert "\n\nXiaomi: smartphone sales explode\n\n" in article.text
    assert "\n\n\n" not in article.text


def test_sample_corpus_lists_the_shipped_articles() -> None:
    files = sample_corpus()
    assert files, "the sample corpus is empty"
    assert [p.name for p in files] == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert all(p.is_file() for p in files)
    articles = list(read_articles(files))
    assert [a.source for a in articles] == [f"corpus/{p.name}" for p in files]


# --------------------------------------------------------------------------- metadata


def test_front_matter_lines_become_metadata(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fm.txt",
        "Title: Acme opens a plant\nDate: July 4, 2018\nURL: https://example.org/acme\n"
        "Publisher: Example News\n\nAcme opened a plant in Lyon on Monday.\n",
    )
    article = read_one(path)
    assert article.title == "Acme opens a plant"
    assert article.date == "2018-07-04"
    assert article.url == "https://example.org/acme"
    assert article.publisher == "Example News"
    assert article.text == "Acme opened a plant in Lyon on Monday."


def test_yaml_front_matter_block(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "yaml.txt",
        '---\ntitle: "Acme in Lyon"\ndate: 2021-05-17T09:30:00+02:00\nlayout: post\n---\n\n'
        "Acme opened a plant.\n",
    )
    article = read_one(path)
    assert (article.title, article.date) == ("Acme in Lyon", "2021-05-17")
    assert article.text == "Acme opened a plant."


def test_invalid_date_is_not_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.txt", "date: some day soon\n\nAcme opened a plant.\n")
    article = read_one(path)
    assert article.date is None
    assert article.text.startswith("date: some day soon")


def test_free_text_key_without_colon_needs_a_certain_neighbour() -> None:
    alone = article_from_text("Source of the trouble\n\nAcme lost money.", id="a")
    assert alone.publisher is None
    assert alone.text.startswith("Source of the trouble")
    block = article_from_text("source Example News\ndate 2020/01/02\n\nAcme lost money.", id="b")
    assert (block.publisher, block.date) == ("Example News", "2020-01-02")
    assert block.text == "Acme lost money."


def test_date_with_time_on_the_article_line() -> None:
    article = article_from_text("published 2018-07-04T10:32:00Z Acme said on Monday.", id="t")
    assert article.date == "2018-07-04"
    assert article.text == "Acme said on Monday."


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2018-07-04", "2018-07-04"),
        ("2018/7/4", "2018-07-04"),
        ("2018.07.04", "2018-07-04"),
        ("July 4, 2018", "2018-07-04"),
        ("Jul. 4 2018", "2018-07-04"),
        ("4 July 2018", "2018-07-04"),
        ("4th of July, 2018", "2018-07-04"),
        ("Wed, 04 Jul 2018 10:00:00 GMT", "2018-07-04"),
        ("2018-07-04 10:32 PM", "2018-07-04"),
        ("2018-02-30", None),
        ("2018-07", None),
        ("next Tuesday", None),
        ("2018-07-04 and more", None),
    ],
)
def test_normalise_date(value: str, iso: str | None) -> None:
    assert normalise_date(value) == iso


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Acme buys Beta\n\nAcme bought Beta on Monday.", "Acme buys Beta"),
        ("Is Acme the next Apple?\n\nAnalysts think so.", "Is Acme the next Apple?"),
        ("Acme bought Beta on Monday.\n\nThe deal closed.", None),  # a sentence
        ("Acme buys Beta\nAcme bought Beta on Monday.", None),  # no blank line after
        ("Acme buys Beta", None),  # nothing after it
        ("Here is what we know:\n\nAcme bought Beta.", None),
    ],
)
def test_plain_text_title(text: str, title: str | None) -> None:
    article = article_from_text(text, id="t")
    assert article.title == title
    assert article.text.startswith(text.split("\n")[0])


def test_long_first_line_is_not_a_title() -> None:
    first = "word " * 50
    article = article_from_text(first + "\n\nBody.", id="t")
    assert article.title is None


# --------------------------------------------------------------------------- Markdown


def test_markdown_fixture() -> None:
    article = read_one(DATA / "article.md")
    assert article.id == "article"
    assert article.title == "Acme Robotics opens a plant in Lyon"
    assert article.date == "2021-05-17"
    assert article.publisher == "The Example Gazette"
    text = article.text
    assert text.startswith("Acme Robotics opens a plant in Lyon\n\n")
    # links keep their text, images go, emphasis and code marks go, code stays
    assert "has opened a factory in Lyon, France" in text
    assert "wikipedia" not in text and "arm.jpg" not in text and "A welding arm" not in text
    assert "**" not in text and "*Boston*" not in text and "`" not in text
    assert "\n\nProduction\n\n" in text
    assert "capacity = 400 arms per month" in text
    assert "Europe is now a third of our orders" in text and ">" not in text
    assert "tags" not in text and "---" not in text


def test_markdown_without_heading_uses_the_plain_title_rule() -> None:
    article = article_from_text("Acme *buys* Beta\n\nThe deal closed.", id="m", markdown=True)
    assert article.title == "Acme buys Beta"
    assert article.text == "Acme buys Beta\n\nThe deal closed."


def test_markdown_setext_heading_is_the_title() -> None:
    article = article_from_text(
        "Acme buys Beta\n==============\nThe deal closed.", id="m", markdown=True
    )
    assert article.title == "Acme buys Beta"
    assert article.text == "Acme buys Beta\n\nThe deal closed."


def test_markdown_underscores_inside_words_are_kept() -> None:
    article = article_from_text("The file_name_here is _important_.", id="m", markdown=True)
    assert article.text == "The file_name_here is important."


# --------------------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "Newsletter 🍋 Subscribe and receive a summary of the news in your mailbox every morning.",
        "Subscribe to our newsletter",
        "Sign up",
        "Sign up for our free daily briefing",
        "I register",
        "Log in",
        "Register",
        "Back to top",
        "Back to top button",
        "↑ Back to top",
        "Share this article",
        "Share this story on Facebook",
        "Facebook Twitter LinkedIn Email",
        "Follow us on Twitter and Instagram",
        "Advertisement",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Read more: Acme posts record profit",
        "READ MORE »",
        "Related articles",
        "Related stories: Acme, Beta",
        "Click here to read the full report",
        "© 2021 Example Media. All rights reserved.",
        "Copyright 2021 Example Media",
        "We use cookies to improve your experience on our site.",
        "Accept all cookies",
        "Tags: Xiaomi, Smartphones, China",
        "Filed under: Business",
        "Leave a comment",
        "12 comments",
        "Skip to content",
        "Download our free app for the latest news",
        "Get the latest headlines delivered to your inbox",
    ],
)
def test_boilerplate_lines_are_removed(line: str) -> None:
    body = "Acme opened a plant in Lyon on Monday, the company said."
    article = article_from_text(f"{body}\n\n{line}\n\nThe plant employs 400 people.", id="b")
    assert article.text == f"{body}\n\nThe plant employs 400 people."


@pytest.mark.parametrize(
    "paragraph",
    [
        # long paragraphs that merely mention boilerplate words
        "Netflix said on Tuesday that 2 million more people chose to subscribe in the quarter, "
        "beating forecasts, and that it would sign up more partners in Asia and register a "
        "new company in India to handle the newsletter business and the advertising sales.",
        "Subscribers rose to 10 million.",
        "Acme will register the trademark in France.",
        "The advertisement campaign cost $3 million, Acme said.",
        "Readers can click through to the report.",
    ],
)
def test_real_sentences_are_kept(paragraph: str) -> None:
    article = article_from_text(f"Acme opened a plant.\n\n{paragraph}", id="k")
    assert article.text == f"Acme opened a plant.\n\n{paragraph}"


def test_call_to_action_after_boilerplate_is_removed() -> None:
    text = "Acme opened a plant.\n\nWe use cookies on this website.\n\nGot it\n\nThe plant is big."
    article = article_from_text(text, id="c")
    assert article.text == "Acme opened a plant.\n\nThe plant is big."


def test_short_line_not_after_boilerplate_is_kept() -> None:
    text = "Acme opened a plant.\n\nSales explode\n\nThe plant is big."
    assert article_from_text(text, id="c").text == text


def test_headline_after_page_furniture_is_kept() -> None:
    article = article_from_text("Skip to content\n\nAcme buys Beta\n\nThe deal closed.", id="h")
    assert article.title == "Acme buys Beta"
    assert article.text == "Acme buys Beta\n\nThe deal closed."


def test_call_to_action_after_a_newsletter_prompt_is_removed() -> None:
    text = "Acme opened a plant.\n\nNewsletter: receive the news in your inbox\n\nOK\n\nMore."
    assert article_from_text(text, id="c").text == "Acme opened a plant.\n\nMore."


def test_boilerplate_patterns_are_anchored_regexes() -> None:
    assert BOILERPLATE_PATTERNS
    assert not any(p.fullmatch("Acme opened a plant in Lyon.") for p in BOILERPLATE_PATTERNS)


def test_blank_lines_collapse_and_wrapped_lines_join() -> None:
    text = (
        "Acme Robotics, the robot maker based in Boston, has opened a\n"
        "factory in Lyon, France, where it will build welding arms for\n"
        "car makers.\n\n\n\n\nThe plant employs 400 people.\n"
    )
    article = article_from_text(text, id="w")
    assert article.text == (
        "Acme Robotics, the robot maker based in Boston, has opened a factory in Lyon, "
        "France, where it will build welding arms for car makers.\n\nThe plant employs 400 people."
    )


def test_only_boilerplate_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "junk.txt", "Advertisement\n\nBack to top\n")
    with pytest.raises(EmptyInputError):
        list(read_articles([path]))


# --------------------------------------------------------------------------- Unicode and bytes


def test_unicode_normalisation(tmp_path: Path) -> None:
    content = "Pentagon\u2019s\u00a0list\u200b \u201cCCMC\u201d\r\nCafe\u0301 is\ufeff open.\r\n"
    article = read_one(write(tmp_path, "u.txt", content))
    assert article.text == "Pentagon’s list “CCMC”\nCafé is open."
    assert unicodedata.is_normalized("NFC", article.text)


def test_normalise_unicode_keeps_quotes() -> None:
    assert normalise_unicode("It\u2019s \u201cfine\u201d\r\n") == "It’s “fine”\n"


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", "\ufeffdate 2018-07-04 Acme said so.".encode())
    article = read_one(path)
    assert (article.date, article.text) == ("2018-07-04", "Acme said so.")


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.txt", "Acme said so in Zürich.".encode("utf-16"))
    assert read_one(path).text == "Acme said so in Zürich."


def test_latin1_needs_an_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.txt", "Acme opened a café in Zürich.".encode("latin-1"))
    with pytest.raises(EncodingError) as info:
        list(read_articles([path]))
    assert str(info.value).startswith(f"{path.as_posix()}: not UTF-8 text")
    assert "--encoding latin-1" in str(info.value)
    assert read_one(path, encoding="latin-1").text == "Acme opened a café in Zürich."


def test_unknown_encoding_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Acme.")
    with pytest.raises(EncodingError, match="unknown encoding"):
        read_articles([path], encoding="no-such-codec")


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        bytes(range(1, 9)) * 100,
    ],
)
def test_binary_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "image.txt", content)
    with pytest.raises(BinaryInputError, match="looks like a binary file, not an article"):
        list(read_articles([path]))


def test_a_few_control_characters_are_removed_not_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "ctl.txt", "Acme\x07 opened a plant in Lyon on Monday.")
    assert read_one(path).text == "Acme opened a plant in Lyon on Monday."


@pytest.mark.parametrize("content", ["", "   \n\n\t  \n", "\u200b\u200b\n"])
def test_empty_files_are_refused(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "empty.txt", content)
    with pytest.raises(EmptyInputError, match="empty"):
        list(read_articles([path]))


# --------------------------------------------------------------------------- HTML


def test_html_fixture_gives_only_the_article() -> None:
    article = read_one(DATA / "page.html")
    text = article.text
    assert article.id == "page"
    assert article.title == "Acme Robotics opens a plant in Lyon"
    assert article.date == "2021-05-17"
    assert article.url == "https://news.example.org/2021/05/acme-lyon"
    assert article.publisher == "The Example Gazette"
    assert text.startswith("Acme Robotics opens a plant in Lyon\n\nAcme Robotics, the industrial")
    assert "welding arms for car makers" in text
    assert text.endswith("over the coming years.")
    for junk in ("alert", "font-family", "navigation link", "masthead", "footer", "Copyright"):
        assert junk not in text
    assert text.count("\n\n") == 3  # title and three paragraphs


def test_html_fallback_drops_scripts_and_furniture() -> None:
    html = (
        "<html><head><title>Acme news</title><script>var x = 1;</script></head><body>"
        "<nav>Menu items</nav><header>Site header</header>"
        "<div>Acme opened a plant.</div><div>It employs 400 people.</div>"
        "<style>p {}</style><script>alert(1)</script><footer>Footer text</footer></body></html>"
    )
    article = article_from_html(html, id="f")
    assert "Acme opened a plant." in article.text
    assert "It employs 400 people." in article.text
    for junk in ("alert", "var x", "Menu items", "Site header", "Footer text", "p {}"):
        assert junk not in article.text


def test_html_without_text_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.html", "<html><body><script>alert(1)</script></body></html>")
    with pytest.raises(EmptyInputError):
        list(read_articles([path]))


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"></head><body>'
        "<p>Acme opened a café in Zürich on Monday.</p></body></html>"
    )
    path = write(tmp_path, "latin.htm", html.encode("latin-1"))
    assert "café in Zürich" in read_one(path).text


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_fixture() -> None:
    path = DATA / "articles.jsonl"
    first, second = read_articles([path])
    assert first == Article(
        id="acme-1",
        text="Acme Robotics opened a plant in Lyon.",
        title="Acme in Lyon",
        date="2021-05-17",
        url="https://news.example.org/a",
        publisher="The Example Gazette",
        source=f"{path.as_posix()}:1",
    )
    # line 2 is blank: the next object is on line 3 and takes its number for its id
    assert second.id == "articles-3"
    assert second.source == f"{path.as_posix()}:3"


def test_jsonl_text_keeps_its_offsets(tmp_path: Path) -> None:
    text = "Advertisement\n\n\n\nAcme said:  “yes”."
    path = write(tmp_path, "raw.jsonl", json.dumps({"id": "r", "text": text}) + "\n")
    assert read_one(path).text == text


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"id": "a", "text": ', "not valid JSON"),
        ('["a list"]', "expected a JSON object, got a list"),
        ('{"id": "a"}', 'no "text"'),
        ('{"text": 3}', '"text" must be a string'),
        ('{"text": "  \\u200b "}', '"text" is empty'),
        ('{"id": [], "text": "x"}', '"id" must be'),
        ('{"text": "x", "date": "someday"}', '"date"'),
        ('{"text": "x", "title": 5}', '"title" must be a string'),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path: Path, line: str, why: str) -> None:
    good = json.dumps({"id": "ok", "text": "Fine."})
    path = write(tmp_path, "bad.jsonl", f"{good}\n\n{line}\n")
    with pytest.raises(JSONLError) as info:
        list(read_articles([path]))
    assert info.value.line == 3
    assert why in str(info.value)
    assert f"{path.as_posix()}, line 3:" in str(info.value)


def test_jsonl_duplicate_id_names_the_first_line(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": "Acme."}) for i in ("a", "b", "a")]
    path = write(tmp_path, "dup.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(JSONLError, match="already used on line 1") as info:
        list(read_articles([path]))
    assert info.value.line == 3


def test_jsonl_with_only_blank_lines_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.jsonl", "\n  \n\n")
    with pytest.raises(EmptyInputError):
        list(read_articles([path]))


# --------------------------------------------------------------------------- ids and paths


def test_file_ids_are_sanitised(tmp_path: Path) -> None:
    path = write(tmp_path, "Café report (1).txt", "Acme opened a plant.")
    assert read_one(path).id == "Café_report_1"  # letters of any script are kept


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a/report.txt", "Acme opened a plant.")
    b = write(tmp_path, "b/report.md", "Beta closed a plant.")
    with pytest.raises(InputError) as info:
        list(read_articles([tmp_path]))
    assert a.as_posix() in str(info.value) and b.as_posix() in str(info.value)
    assert '"report"' in str(info.value)


def test_folders_are_read_recursively_sorted_and_hidden_files_skipped(tmp_path: Path) -> None:
    names = ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.jsonl", "z.htm"]
    skipped = [".hidden.txt", ".git/e.txt", "notes.pdf", "image.png"]
    for name in random.Random(7).sample(names + skipped, len(names + skipped)):
        write(tmp_path, name, "x")
    found = collect_paths([tmp_path])
    assert found == [
        tmp_path / n for n in ["a.md", "b.txt", "sub/c.html", "sub/deeper/d.jsonl", "z.htm"]
    ]
    assert collect_paths([tmp_path]) == found  # the same every time


def test_glob_patterns(tmp_path: Path) -> None:
    for name in ["b.txt", "a.txt", "c.md", "sub/d.txt"]:
        write(tmp_path, name, "x")
    assert collect_paths([f"{tmp_path}/*.txt"]) == [tmp_path / "a.txt", tmp_path / "b.txt"]
    assert collect_paths([f"{tmp_path}/**/*.txt"]) == [
        tmp_path / "a.txt",
        tmp_path / "b.txt",
        tmp_path / "sub/d.txt",
    ]


def test_order_follows_the_arguments_and_duplicates_go(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", "x")
    b = write(tmp_path, "b.txt", "x")
    assert collect_paths([b, tmp_path, a]) == [b, a]
    assert collect_paths(str(a)) == [a]


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="no such file or folder"):
        collect_paths([tmp_path / "missing.txt"])
    with pytest.raises(InputNotFoundError):
        read_articles([tmp_path / "missing"])  # reported before iterating


def test_empty_folder_and_unmatched_glob(tmp_path: Path) -> None:
    write(tmp_path, "notes.pdf", "x")
    with pytest.raises(EmptyInputError, match="no article files"):
        collect_paths([tmp_path])
    with pytest.raises(EmptyInputError, match="matches no article files"):
        collect_paths([f"{tmp_path}/*.txt"])


def test_unsupported_file_given_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.pdf", "x")
    with pytest.raises(UnsupportedFormatError, match=r"\.txt"):
        collect_paths([path])


def test_read_articles_is_deterministic() -> None:
    first = list(read_articles([DATA, CORPUS]))
    second = list(read_articles([DATA, CORPUS]))
    assert first == second
    assert [a.id for a in first] == ["article", "acme-1", "articles-3", "page"] + [
        p.stem for p in sorted(CORPUS.glob("*.txt"))
    ]


# --------------------------------------------------------------------------- property


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=400))
def test_any_text_gives_clean_articles_or_an_input_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        articles = list(read_articles([path]))
    except InputError:
        return
    assert len(articles) == 1
    article = articles[0]
    assert article.text.strip()
    assert unicodedata.is_normalized("NFC", article.text)
    assert not any(ch in article.text for ch in ZERO_WIDTH)
    assert "\r" not in article.text and "\u00a0" not in article.text
    if article.title is not None:
        assert unicodedata.is_normalized("NFC", article.title)
        assert not any(ch in article.title for ch in ZERO_WIDTH)


_PIECES = st.sampled_from(
    [
        "date ",
        "Date: ",
        "title: ",
        "url ",
        "source ",
        "2018-07-04",
        "July 4, 2018",
        "---",
        "+++",
        "# ",
        "*",
        "_",
        "`",
        "```",
        "[a](b)",
        "![i](j)",
        "Back to top",
        "Subscribe",
        "Advertisement",
        "I register",
        "https://x.org",
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "\u00a0",
        "\u200b",
        "\ufeff",
        "e\u0301",
        "\u0301",
        "Acme",
        ".",
        "\x00",
        "\x07",
    ]
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    pieces=st.lists(_PIECES | st.text(max_size=5), max_size=40),
    suffix=st.sampled_from([".txt", ".md"]),
)
def test_article_shaped_text_gives_clean_articles_or_an_input_error(
    tmp_path: Path, pieces: list[str], suffix: str
) -> None:
    path = tmp_path / f"doc{suffix}"
    path.write_text("".join(pieces), encoding="utf-8", newline="")
    try:
        articles = list(read_articles([path]))
    except InputError:
        return
    (article,) = articles
    assert article.text.strip()
    assert unicodedata.is_normalized("NFC", article.text)
    assert not any(ch in article.text for ch in ZERO_WIDTH)
    assert article.date is None or normalise_date(article.date) == article.date
