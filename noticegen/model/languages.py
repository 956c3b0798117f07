"""The languages documents are built in: tags, fonts, and how dates and names are written."""

from __future__ import annotations

from dataclasses import dataclass


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
    Language('zh-Hans', 'zh-Hans', 'zh_Hans', '简体中文', 'Chinese (Simplified)', '们这说'),
    Language('zh-Hant', 'zh-Hant', 'zh_Hant', '繁體中文', 'Chinese (Traditional)', '們這說'),
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


def parse_languages(value: str) -> list[str]:
    """'ja,en', 'all' or 'none' → language codes; raises ValueError naming an unknown one."""
    if value.strip() == 'all':
        return list(LANGUAGES)
    if value.strip() == 'none':
        return []
    codes = [code.strip() for code in value.split(',') if code.strip()]
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        raise ValueError(f'unknown language {", ".join(unknown)}; choose from '
                         f'{", ".join(LANGUAGES)} or all')
    return list(dict.fromkeys(codes))
