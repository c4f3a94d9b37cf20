"""Texts kept in both languages: rendered once in each, stored as two lines, read in the reader's."""

from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from bazaarche.bilingual import both, each, in_language, joined


def test_each_renders_in_persian_and_in_english():
    assert each(lambda: gettext("Admitted. Welcome!")) == {
        "fa": "ورود مجاز است. خوش آمدید!",
        "en": "Admitted. Welcome!",
    }


def test_both_stores_persian_then_english_with_persian_digits_and_single_spaces():
    text = both(lambda: f"{translation.get_language()}  booth\n 12")
    assert text == "fa booth ۱۲\nen booth 12"


def test_joined_keeps_each_text_on_one_line():
    assert joined("خطا  در\nردیف 3", gettext_lazy("Row  3")) == "خطا در ردیف 3\nRow 3"


def test_in_language_picks_the_readers_line():
    assert in_language("فارسی\nEnglish", "en") == "English"
    assert in_language("فارسی\nEnglish", "fa") == "فارسی"
    with translation.override("en"):
        assert in_language("فارسی\nEnglish") == "English"


def test_in_language_shows_a_text_of_one_line_to_everyone():
    assert in_language("فقط فارسی", "en") == "فقط فارسی"
    assert in_language("فقط فارسی\n", "en") == "فقط فارسی"
    assert in_language("", "en") == ""
