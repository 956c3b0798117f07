"""What the leaflet and the card print of a prefecture's centers, in a language."""

from __future__ import annotations

from ..model.facts import Printing
from ..model.languages import LANGUAGES
from ..model.localize import hours_text, international


def center_views(printed: Printing, lang: str, gettext) -> list[dict]:
    """Each center that prints, with the numbers, hours and URL that print, in ``lang``."""
    japanese = LANGUAGES[lang].japanese
    views = []
    for item in printed.centers:
        center = item.center
        phones = []
        for shown in item.phones:
            phone = shown.phone
            hours, hours_japanese = hours_text(shown.hours, lang, gettext)
            phones.append({
                'number': phone.number, 'label': phone.label, 'hours': hours,
                'hours_japanese': hours_japanese,
                'international': None if japanese else international(phone.number,
                                                                     phone.prefecture_only)})
        hours, hours_japanese = hours_text(item.hours, lang, gettext)
        views.append({'name': center.name, 'romaji': None if japanese else center.name_romaji,
                      'phones': phones, 'hours': hours, 'hours_japanese': hours_japanese,
                      'url': item.url, 'url_display': item.url_display})
    return views


def sns_hours(national, lang: str, gettext) -> str | None:
    """The hours of the national SNS consultation (Cure Time), in ``lang``."""
    return hours_text(national.sns.hours, lang, gettext)[0]
