"""Cleaning text: web boilerplate out, Markdown stripped, paragraphs joined, a title found."""

from __future__ import annotations

import re
import unicodedata

from kg.errors import (
    EmptyInputError,
)
from kg.ingest.decode import HSPACE, normalise_unicode

__all__ = [
    "BOILERPLATE_PATTERNS",
    "assemble",
    "clean_title",
    "heuristic_title",
    "strip_markdown",
]


_SOCIAL = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|telegram|e-?mail|print|copy\s+link)"
)


# Prompts asking the reader to do something; the short button label that often
# follows one ("I register", "Got it", "OK") goes with it.
_PROMPTS = (
    # newsletters, subscriptions, accounts
    r"(?:(?:our|the|free|daily|weekly)\s+)*newsletters?",
    r".*\bnewsletters?\b.*\b(?:subscribe|subscribing|sign(?:ing)?[\s-]*up|receive|inbox"
    r"|mailbox|e-?mail|register|delivered)\b.*",
    r".*\b(?:subscribe|sign[\s-]*up|register)\b.*\bnewsletters?\b.*",
    r"(?:subscribe|sign[\s-]*up|join)(?:\s+(?:now|today|here|for\s+free|free))?",
    r"subscribe\s+to\s+(?:our|the)\b.*|sign[\s-]*up\s+(?:for|to)\s+(?:our|the|free)\b.*",
    r"(?:i\s+)?(?:register|sign[\s-]*in|log[\s-]*in|log[\s-]*out)(?:\s+(?:now|here))?",
    r"create\s+(?:an?\s+)?(?:free\s+)?account|already\s+(?:a\s+subscriber|have\s+an\s+account)\b.*",
    r"become\s+a\s+(?:member|subscriber)\b.*",
    r"(?:get|receive)\b.*\b(?:to|in)\s+your\s+(?:inbox|mailbox)\b.*",
    r"enter\s+your\s+e-?mail(?:\s+address)?\b.*",
    # cookies, apps, scripts, comments
    r".*\b(?:we\s+use\s+cookies|(?:this|our)\s+(?:site|website)\s+uses\s+cookies"
    r"|cookie\s+(?:policy|settings|preferences|consent|notice))\b.*",
    r"(?:accept|reject|manage|allow)\s+(?:all\s+)?cookies\b.*",
    r"download\s+(?:the|our)\s+(?:\w+\s+)?app\b.*|get\s+the\s+app",
    r"(?:please\s+)?enable\s+javascript\b.*|javascript\s+is\s+(?:disabled|required)\b.*",
    r"leave\s+a\s+(?:comment|reply)|(?:add|post|write)\s+(?:a\s+)?comment\b.*",
)


# Page furniture: navigation, sharing, advertising, links, legal notices, tags.
_FURNITURE = (
    r"(?:back|scroll|go|return)\s+to\s+(?:the\s+)?top(?:\s+(?:button|of\s+(?:the\s+)?page))?",
    r"skip\s+to\s+(?:the\s+)?(?:main\s+)?(?:content|navigation|main)|toggle\s+navigation",
    r"(?:main\s+)?menu|search|home|print(?:\s+this\s+(?:article|page|story))?",
    r"(?:previous|next)\s+(?:article|post|story)",
    r"share\s+(?:this|the)\s+(?:article|story|post|page)(?:\s+(?:on|via|with)\b.*)?",
    r"share(?:\s+(?:on|via)\s+\w+)?",
    rf"(?:(?:share\s+(?:on|via)\s+)?{_SOCIAL}\W*){{1,10}}",
    r"follow\s+us(?:\s+on\b.*)?|like\s+us\s+on\s+facebook\b.*|find\s+us\s+on\b.*",
    r"advertisements?|advertising|ad|sponsored(?:\s+content)?",
    r"(?:story\s+)?continues\s+below(?:\s+(?:this\s+)?advertisement)?",
    r"scroll\s+(?:down\s+)?to\s+continue\b.*|continue\s+reading(?:\s+below)?",
    r"(?:read\s+(?:more|also|next|the\s+full\s+(?:story|article))|also\s+read|see\s+also"
    r"|more\s+on\s+this(?:\s+story)?|recommended(?:\s+for\s+you)?|you\s+may\s+also\s+like"
    r"|(?:more\s+)?related)(?:\s*[:»›>|].*)?",
    r"related\s+(?:articles?|stories|posts|news|content|topics|coverage|reading|links)"
    r"(?:\s*:.*)?",
    r"(?:click|tap)\s+here\b.*",
    r".*\ball\s+rights\s+reserved\b.*",
    r"©.*|copyright\s+(?:©\s*)?\d{4}\b.*",
    r"(?:tags?|tagged(?:\s+(?:with|in|as))?|topics|filed\s+under|categories|keywords)\s*:.*",
    r"(?:\d+\s+)?comments?|comments\s+are\s+closed\b.*",
    r"(?:view|show|read)\s+(?:all\s+|the\s+)?comments?\b.*",
    r"loading(?:\.\.\.|…)?",
    r"(?:photo|image|picture)\s+(?:credits?|source)\s*:.*",
)


#: Whole short lines that are web boilerplate, not article text. Each pattern is
#: matched (case-insensitively) against a whole line with leading and trailing
#: symbols (bullets, arrows, emoji) removed, and only on lines of fewer than
#: 25 words, so a sentence that merely mentions "subscribe" is never removed.
#: The first ``len(_PROMPTS)`` are prompts to act (see ``_remove_boilerplate``).
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE) for p in _PROMPTS + _FURNITURE
)


_N_PROMPTS = len(_PROMPTS)


_MAX_BOILERPLATE_WORDS = 25


_MAX_BOILERPLATE_CHARS = 300


_MAX_CTA_WORDS = 4


_EDGE_SYMBOLS = re.compile(r"^[^\w©]+|[^\w©]+$")


_FINAL_PUNCTUATION = ".!?\"”’'…)"


def _boilerplate_kind(line: str) -> str | None:
    """``"prompt"`` or ``"furniture"`` for a boilerplate line, else ``None``."""
    if len(line) > _MAX_BOILERPLATE_CHARS or len(line.split()) >= _MAX_BOILERPLATE_WORDS:
        return None
    core = _EDGE_SYMBOLS.sub("", line)
    if not core:
        return None
    for i, pattern in enumerate(BOILERPLATE_PATTERNS):
        if pattern.fullmatch(core):
            return "prompt" if i < _N_PROMPTS else "furniture"
    return None


def _is_call_to_action(line: str) -> bool:
    """A very short line without final punctuation ("I register", "Got it")."""
    return len(line.split()) <= _MAX_CTA_WORDS and not line.endswith(tuple(_FINAL_PUNCTUATION))


def _remove_boilerplate(lines: list[str]) -> list[str]:
    """Drop boilerplate lines (blank lines are kept).

    The next non-blank line after a prompt (a newsletter or cookie notice) is
    dropped too when it is a short call to action such as "I register" or
    "Got it"; after navigation or advertising lines nothing more is dropped,
    so that a short headline after "Skip to content" survives.
    """
    kept: list[str] = []
    after_prompt = False
    for line in lines:
        if not line:
            kept.append(line)
            continue
        kind = _boilerplate_kind(line)
        if kind is not None:
            after_prompt = after_prompt or kind == "prompt"
            continue
        if after_prompt and _is_call_to_action(line):
            after_prompt = False
            continue
        after_prompt = False
        kept.append(line)
    return kept


_MD_FENCE = re.compile(r"(?:```|~~~)")


_MD_HEADING = re.compile(r"#{1,6}\s+(.*)")


_MD_SETEXT = re.compile(r"=+|-+")


_MD_RULE = re.compile(r"([-*_])(?:\s*\1){2,}")


_MD_REF_DEF = re.compile(r"\[[^\]]+\]:\s*\S+.*")


_MD_QUOTE = re.compile(r"^(?:>\s?)+")


_MD_BULLET = re.compile(r"^[-*+]\s+(?:\[[ xX]\]\s+)?")


# Markup removed from each line: (pattern, replacement, closer). Every pattern runs in
# time linear in the line, whatever the text: bracketed parts stop at the next opening
# bracket, and a pattern with a lazy ``.+?`` (which would scan to the end of the line
# from every opener that has no closer) runs only up to the end of its last closer.
_MD_INLINE: tuple[tuple[re.Pattern[str], str, re.Pattern[str] | None], ...] = tuple(
    (re.compile(pattern), repl, re.compile(closer) if closer else None)
    for pattern, repl, closer in (
        (r"<!--.*?-->", "", r"-->"),
        (r"!\[[^\[\]]*\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)", "", None),
        (r"!\[[^\[\]]*\]\[[^\[\]]*\]", "", None),
        (r"\[([^\[\]]+)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)", r"\1", None),
        (r"\[([^\[\]]+)\]\[[^\[\]]*\]", r"\1", None),
        (r"<((?:https?://|mailto:)[^<>\s]+)>", r"\1", None),
        (r"</?[A-Za-z][^<>\n]*>", "", None),
        (r"`([^`]+)`", r"\1", None),
        (r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\1", r"(?<=\S)\*\*"),
        (r"__(?=\S)(.+?)(?<=\S)__", r"\1", r"(?<=\S)__"),
        (r"\*(?=\S)(.+?)(?<=\S)\*", r"\1", r"(?<=\S)\*"),
        (r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", r"\1", r"(?<=\S)_(?!\w)"),
        (r"~~(.+?)~~", r"\1", r"~~"),
        (r"\\([\\`*_{}\[\]()#+\-.!>~|])", r"\1", None),
    )
)


def _strip_inline_markdown(line: str) -> str:
    """Remove inline Markdown (links, images, emphasis, code, HTML tags) from one line.

    >>> _strip_inline_markdown("**Acme** [hired](https://x.org) _Jo_ <b>`now`</b>")
    'Acme hired Jo now'
    """
    for pattern, repl, closer in _MD_INLINE:
        if closer is None:
            line = pattern.sub(repl, line)
            continue
        # An opener before the last closer always finds a closer, and its match ends
        # there; openers after it cannot match, so they are not tried.
        cut = 0
        for match in closer.finditer(line):
            cut = match.end()
        if cut:
            line = pattern.sub(repl, line[:cut]) + line[cut:]
    return line


def _heading(line: str) -> str | None:
    """The words of an ATX heading line (``## Title ##``), or None if it is not one.

    >>> _heading("## Acme hires ##"), _heading("# C#"), _heading("#hashtag")
    ('Acme hires', 'C#', None)
    """
    match = _MD_HEADING.fullmatch(line)
    if match is None:
        return None
    words = match.group(1).rstrip()
    bare = words.rstrip("#")
    if bare != words and (not bare or bare[-1].isspace()):
        words = bare.rstrip()  # a closing sequence of #s
    return words


def strip_markdown(text: str) -> tuple[list[str], str | None]:
    """Markdown to plain lines; also the leading heading, if the text starts with one."""
    out: list[str] = []
    title: str | None = None
    in_fence = False
    content_seen = False
    for raw in text.split("\n"):
        stripped = raw.strip()
        if _MD_FENCE.match(stripped):
            in_fence = not in_fence
            out.append("")  # code blocks are paragraphs of their own
            continue
        if in_fence:
            out.append(raw)
            content_seen = content_seen or bool(stripped)
            continue
        heading = _heading(stripped)
        if heading is not None:
            words = _strip_inline_markdown(heading).strip()
            if not content_seen and words:
                title = words
            out.extend(["", words, ""])
            content_seen = content_seen or bool(words)
            continue
        if stripped and _MD_SETEXT.fullmatch(stripped) and out and out[-1].strip():
            words = out.pop()  # "Title\n=====" is a heading
            if title is None and not any(line.strip() for line in out):
                title = words.strip()
            out.extend(["", words, ""])
            continue
        if _MD_RULE.fullmatch(stripped) or _MD_REF_DEF.fullmatch(stripped):
            out.append("")
            continue
        line = _MD_QUOTE.sub("", stripped, count=1) if stripped.startswith(">") else stripped
        line = _MD_BULLET.sub("", line, count=1)
        line = _strip_inline_markdown(line)
        out.append(line)
        content_seen = content_seen or bool(line.strip())
    return out, title


_LIST_ITEM = re.compile(r"(?:[-*+•·–]|\d{1,3}[.)])\s")
_WRAP_MIN, _WRAP_MAX, _WRAP_SPREAD = 40, 100, 30


_MAX_TITLE_CHARS = 200


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group lines into paragraphs at blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _paragraph(lines: list[str]) -> str:
    """Join a paragraph's lines; hard-wrapped prose is rejoined into one line."""
    if len(lines) > 1 and not any(_LIST_ITEM.match(line) for line in lines):
        widths = [len(line) for line in lines[:-1]]
        if (
            min(widths) >= _WRAP_MIN
            and max(widths) <= _WRAP_MAX
            and max(widths) - min(widths) <= _WRAP_SPREAD
        ):
            return " ".join(lines)
    return "\n".join(lines)


def heuristic_title(blocks: list[list[str]]) -> str | None:
    """A short first line, without a final period, standing alone before the body."""
    if len(blocks) < 2 or len(blocks[0]) != 1:
        return None
    line = blocks[0][0]
    if (
        len(line) >= _MAX_TITLE_CHARS
        or line.endswith((".", ":", ",", ";"))
        or not any(ch.isalpha() for ch in line)
    ):
        return None
    return line


def assemble(lines: list[str], *, name: str) -> tuple[str, list[list[str]]]:
    """Whitespace-normalise lines, drop boilerplate, and join paragraphs with a blank line."""
    lines = [HSPACE.sub(" ", line).strip() for line in lines]
    blocks = _blocks(_remove_boilerplate(lines))
    text = unicodedata.normalize("NFC", "\n\n".join(_paragraph(block) for block in blocks))
    if not text:
        raise EmptyInputError(f"{name}: no article text (the file is empty or only boilerplate)")
    return text, blocks


def clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = unicodedata.normalize("NFC", HSPACE.sub(" ", normalise_unicode(title)).strip())
    return title or None
