"""The languages documents are built in: tags, fonts, and how dates and names are written."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .nearest import nearest


@dataclass(frozen=True)
class Language:
    code: str            # in file names and --lang: ja, ja-easy, en, zh-Hans ...
    html_lang: str       # <html lang>, hence shaping (locl) and the PDF's /Lang
    babel: str           # the locale for dates
    name: str            # the language's own name
    english: str
    script_sample: str   # characters a document in this language must contain (a test aid)

    @property
    def stylesheet(self) -> str:
        """The stylesheet that declares this language's fonts."""
        return f'fonts-{self.code}.css'

    @property
    def japanese(self) -> bool:
        return self.html_lang == 'ja'


LANGUAGES: dict[str, Language] = {language.code: language for language in (
    Language('ja', 'ja', 'ja', '日本語', 'Japanese', 'ぁ-ん'),
    Language('ja-easy', 'ja', 'ja', 'やさしい日本語', 'Easy Japanese', 'ぁ-ん'),
    Language('en', 'en', 'en', 'English', 'English', 'a-z'),
    Language('zh-Hans', 'zh-Hans', 'zh_Hans', '简体中文', 'Chinese (Simplified)', '话语询'),
    Language('zh-Hant', 'zh-Hant', 'zh_Hant', '繁體中文', 'Chinese (Traditional)', '詢撥號'),
    Language('ko', 'ko', 'ko', '한국어', 'Korean', '가-힣'),
    Language('vi', 'vi', 'vi', 'Tiếng Việt', 'Vietnamese', 'ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ'),
    Language('pt', 'pt', 'pt', 'Português', 'Portuguese', 'ãõç'),
    Language('es', 'es', 'es', 'Español', 'Spanish', 'ñáéíóú'),
    Language('tl', 'tl', 'fil', 'Tagalog', 'Tagalog', 'ng'),
    Language('ne', 'ne', 'ne', 'नेपाली', 'Nepali', 'ऀ-ॿ'),
    Language('th', 'th', 'th', 'ไทย', 'Thai', '฀-๿'),
    Language('id', 'id', 'id', 'Bahasa Indonesia', 'Indonesian', 'a-z'),
)}

# Languages built even when their translation has not been reviewed.
ALWAYS_BUILT = ('ja', 'ja-easy', 'en')


def _key(tag: str) -> str:
    """The form in which tags and names are compared: NFKC, case-folded, '_' read as '-'."""
    return unicodedata.normalize('NFKC', tag).strip().casefold().replace('_', '-')


def _aliases() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """What --lang accepts: every code in any case and with '_' for '-' (EN, zh_hant,
    Ja-Easy), and every language's English and own name (english, Thai, 日本語), to its code;
    and what a mistyped tag is compared with: those, the locale (fil), the primary subtag (zh)
    and the English name without its qualifier (chinese), which two languages may share."""
    accepted: dict[str, str] = {}
    near: list[tuple[str, str]] = []
    for language in LANGUAGES.values():
        for alias in (language.code, language.english, language.name):
            assert accepted.setdefault(_key(alias), language.code) == language.code, alias
        for alias in (language.babel, language.code.split('-')[0],
                      language.english.split(' (')[0]):
            near.append((_key(alias), language.code))
    return accepted, list(accepted.items()) + near


_ACCEPTED, _NEAR = _aliases()


def suggest_languages(tag: str, limit: int = 3) -> list[str]:
    """The codes whose code or name is closest to ``tag``, best first."""
    return nearest(_key(tag), _NEAR, 0.5, limit)


def parse_languages(value: str) -> list[str]:
    """'ja,en', 'EN, zh_hant', 'all' or 'none' → language codes.

    Raises ValueError naming each unknown tag, with the closest codes if there are any."""
    if _key(value) == 'all':
        return list(LANGUAGES)
    if _key(value) == 'none':
        return []
    tags = unicodedata.normalize('NFKC', value).replace('、', ',').split(',')
    codes, problems, unmatched = [], [], False
    for tag in (tag.strip() for tag in tags if tag.strip()):
        if _key(tag) in _ACCEPTED:
            codes.append(_ACCEPTED[_key(tag)])
            continue
        near = suggest_languages(tag)
        if near:
            problems.append(f'{tag!r} is not a language; did you mean ' + ' or '.join(
                f'{code} ({LANGUAGES[code].english})' for code in near) + '?')
        else:
            problems.append(f'{tag!r} is not a language')
            unmatched = True
    if problems:
        raise ValueError('; '.join(problems) + (
            f' (choose from {", ".join(LANGUAGES)}, all or none)' if unmatched else ''))
    return list(dict.fromkeys(codes))
