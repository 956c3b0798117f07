"""What the leaflet and the card print of a prefecture's centers, in a language."""

from __future__ import annotations

from ..model.languages import LANGUAGES
from ..model.localize import hours_text, international


def center_views(prefecture, lang: str, gettext) -> list[dict]:
    """Each confirmed center with its confirmed numbers, hours and URL, in ``lang``."""
    japanese = LANGUAGES[lang].japanese
    views = []
    for center in prefecture.printable_centers:
        phones = []
        for phone in center.printable_phones:
            hours, hours_japanese = hours_text(phone.hours, lang, gettext)
            phones.append({
                'number': phone.number, 'label': phone.label, 'hours': hours,
                'hours_japanese': hours_japanese,
                'international': None if japanese else international(phone.number,
                                                                     phone.prefecture_only)})
        hours, hours_japanese = hours_text(center.hours, lang, gettext)
        views.append({'name': center.name, 'romaji': None if japanese else center.name_romaji,
                      'phones': phones, 'hours': hours, 'hours_japanese': hours_japanese,
                      'url': center.url, 'url_display': center.url_display})
    return views


def sns_hours(national, lang: str, gettext) -> str | None:
    """The hours of the national SNS consultation (Cure Time), in ``lang``."""
    return hours_text(national.sns.hours, lang, gettext)[0]
