"""Texts in both languages, for readers who are not here yet.

A text written now and read later (an offer's reason, a registry import's error) cannot be
translated when it is read: it is rendered in Persian and in English when it is written and stored
as two lines, "Persian\\nEnglish"; `in_language` shows the reader's line. An answer to a program
(the gate's API) carries both languages as a dict, from `each`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import translation

from bazaarche.text import to_persian_digits

LANGUAGES = ("fa", "en")


def each(render: Callable[[], Any]) -> dict[str, str]:
    """`render()` with Persian active and with English active: {"fa": …, "en": …}."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = str(render())
    return texts


def both(render: Callable[[], Any]) -> str:
    """`render()` in Persian (with Persian digits) and in English, as the two stored lines."""
    texts = each(render)
    return joined(to_persian_digits(texts["fa"]), texts["en"])


def joined(fa: Any, en: Any) -> str:
    """A Persian and an English text as the two stored lines, each on one line with single spaces."""
    return f"{' '.join(str(fa).split())}\n{' '.join(str(en).split())}"


def in_language(text: str, language: str | None = None) -> str:
    """The reader's line of a stored two-line text: the English one for an English reader, else (and
    for a text of one line) the Persian one."""
    fa, _newline, en = (text or "").partition("\n")
    if en and (language or translation.get_language() or "fa").startswith("en"):
        return en
    return fa
