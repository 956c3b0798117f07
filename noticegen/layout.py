"""The project's folders, and where a language's message catalog lives."""

from __future__ import annotations

from pathlib import Path

NOTICES = 'notices'
ATTACHMENTS = 'attachments'
PREFECTURES = 'prefectures'
TEMPLATES = 'templates'
CARDS = 'cards'
LOCALES = 'locales'
# The folders whose files are sources: serve watches them.
SOURCE_FOLDERS = (NOTICES, ATTACHMENTS, PREFECTURES, TEMPLATES, CARDS, LOCALES)
CATALOG_DOMAIN = 'messages'

# The project this code was checked out with: the default --root.
ROOT = Path(__file__).resolve().parent.parent


def catalog_path(locales: Path, lang: str) -> Path:
    """``locales/LANG/LC_MESSAGES/messages.po``."""
    return locales / lang / 'LC_MESSAGES' / f'{CATALOG_DOMAIN}.po'
