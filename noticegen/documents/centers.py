"""What the leaflet and the card print of a prefecture's centers, in a language."""

from __future__ import annotations

from ..model.facts import Printing
from ..model.languages import LANGUAGES
from ..model.localize import hours_text, international
from ..model.schema import DataWording


def center_views(printed: Printing, lang: str, gettext,
                 labels: DataWording | None = None) -> list[dict]:
    """Each center that prints, with the numbers, hours and URL that print, in ``lang``.

    Labels, hours and names come from ``labels`` (prefectures/wording.LANG.yaml) where it
    translates their Japanese text; otherwise they stay Japanese, and say so
    (``*_japanese``). A translated name prints with the Japanese name beside it: that is
    what a caller says.
    """
    japanese = LANGUAGES[lang].japanese
    views = []
    for item in printed.centers:
        center = item.center
        phones = []
        for shown in item.phones:
            phone = shown.phone
            hours, hours_japanese = _hours(shown.hours, lang, gettext, labels)
            label = None if japanese or labels is None else labels.phone_labels.get(phone.label)
            phones.append({
                'number': phone.number, 'label': label or phone.label,
                'label_japanese': not japanese and label is None,
                'hours': hours, 'hours_japanese': hours_japanese,
                'international': None if japanese else international(phone.number,
                                                                     phone.prefecture_only)})
        hours, hours_japanese = _hours(item.hours, lang, gettext, labels)
        name = None if japanese or labels is None else labels.names.get(center.name)
        views.append({'name': center.name, 'name_translated': name,
                      'name_japanese': not japanese and name is None,
                      'romaji': None if japanese else center.name_romaji,
                      'phones': phones, 'hours': hours, 'hours_japanese': hours_japanese,
                      'url': item.url, 'url_display': item.url_display})
    return views


def _hours(text: str | None, lang: str, gettext,
           labels: DataWording | None) -> tuple[str | None, bool]:
    """Hours of a known shape from the catalog, others from the labels file, else Japanese."""
    hours, still_japanese = hours_text(text, lang, gettext)
    if still_japanese and labels is not None and text in labels.hours:
        return labels.hours[text], False
    return hours, still_japanese


def label_translations(project, lang: str) -> DataWording | None:
    return project.wording[lang][0] if lang in project.wording else None


def labels_reviewed(project, lang: str) -> bool:
    """Whether the labels translated into ``lang`` have been reviewed (or none are used)."""
    labels = label_translations(project, lang)
    return labels is None or labels.translation.reviewed


def sns_hours(national, lang: str, gettext) -> str | None:
    """The hours of the national SNS consultation (Cure Time), in ``lang``."""
    return hours_text(national.sns.hours, lang, gettext)[0]
