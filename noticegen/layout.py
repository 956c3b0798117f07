"""The project's folders, and where a language's message catalog lives."""

from __future__ import annotations

import hashlib
from pathlib import Path

NOTICES = 'notices'
ATTACHMENTS = 'attachments'
PREFECTURES = 'prefectures'
TEMPLATES = 'templates'
CARDS = 'cards'
LOCALES = 'locales'
FACTS = 'facts'            # limits.yaml (how old a fact may be) and services.yaml (claims)
# The folders whose files are sources: serve watches them.
SOURCE_FOLDERS = (NOTICES, ATTACHMENTS, PREFECTURES, TEMPLATES, CARDS, LOCALES, FACTS)
CATALOG_DOMAIN = 'messages'

# The project this code was checked out with (the tests' and benchmarks' project).
ROOT = Path(__file__).resolve().parent.parent
# A project's root holds this file, or a pyproject.toml with a [tool.noticegen] table.
MARKER = 'noticegen.toml'


def catalog_path(locales: Path, lang: str) -> Path:
    """``locales/LANG/LC_MESSAGES/messages.po``."""
    return locales / lang / 'LC_MESSAGES' / f'{CATALOG_DOMAIN}.po'


def is_root(folder: Path) -> bool:
    """Whether ``folder`` is marked as a project root."""
    if (folder / MARKER).is_file():
        return True
    pyproject = folder / 'pyproject.toml'
    if pyproject.is_file():
        import tomllib
        try:
            data = tomllib.loads(pyproject.read_text(encoding='utf-8'))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return False
        return 'noticegen' in data.get('tool', {})
    return False


def find_root(start: Path) -> Path | None:
    """The nearest marked project root at or above ``start``, or None."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if is_root(folder):
            return folder
    return None


def cache_dir(root: Path, override: Path | None = None) -> Path:
    """The cache folder of the project at ``root``: never inside the project.

    In the user's cache folder (platformdirs) or ``override`` (--cache-dir), one
    subfolder per project, named by the root's real path, so checkouts never share.
    """
    if override is None:
        import platformdirs
        override = Path(platformdirs.user_cache_dir('noticegen'))
    real = str(root.resolve())
    return override / hashlib.sha256(real.encode()).hexdigest()[:16]


def log_dir(override: Path | None = None) -> Path:
    """Where crash logs go (the user's cache folder, never an output folder)."""
    if override is None:
        import platformdirs
        override = Path(platformdirs.user_cache_dir('noticegen'))
    return override / 'logs'
