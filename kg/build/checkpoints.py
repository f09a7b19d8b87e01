"""Named points of a build where tests can stop kg or hand control to another command.

:func:`checkpoint` calls the hook :func:`set_pause_hook` sets (tests only);
without one it does nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.types import Article

__all__ = [
    "article_checkpoints",
    "checkpoint",
    "set_pause_hook",
]


# --------------------------------------------------------------------------- test hook

#: The function :func:`checkpoint` calls (None: none); see :func:`set_pause_hook`.
_pause_hook: Callable[[str], None] | None = None


def set_pause_hook(hook: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """Test hook: have :func:`checkpoint` call ``hook(point)``; returns the previous hook.

    Tests stop a kg process at a known point (tests/kg_paused.py stops it with
    SIGSTOP, tests/test_folder_lock.py hands control to another command), so
    that an interruption or an interleaving lands exactly there rather than
    after a guessed delay. Nothing sets one outside tests.
    """
    global _pause_hook
    previous, _pause_hook = _pause_hook, hook
    return previous


def checkpoint(point: str) -> None:
    """Call the test hook of :func:`set_pause_hook` at ``point`` (nothing without one).

    Points: ``lock:wait`` (another process holds the writer lock; about to
    wait for it), ``state:read`` (``kg add``/``kg remove`` read the state),
    ``article:N`` (N articles extracted), ``staged`` (every file written, none
    committed), ``commit:N`` (N files renamed into place), ``publish:N`` (N
    graphs sent to the store).

    >>> checkpoint("staged")  # no hook: returns at once
    """
    if _pause_hook is not None:
        _pause_hook(point)


def article_checkpoints(
    on_article: Callable[[Article], None] | None,
) -> Callable[[Article], None] | None:
    """``on_article``, plus :func:`checkpoint` ``article:N`` after the N-th article.

    Returns ``on_article`` itself unless a test hook is set.
    """
    if _pause_hook is None:
        return on_article
    done = 0

    def hooked(article: Article) -> None:
        nonlocal done
        if on_article is not None:
            on_article(article)
        done += 1
        checkpoint(f"article:{done}")

    return hooked
