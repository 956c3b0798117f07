"""Messages that name a source position, in one format: ``path:line:col: severity: message``.

Editors' problem matchers read that format; ``message`` starts with the field
(``centers[0].phones[1]: ...``) where there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One line of output; tests and editors parse it with this pattern.
MESSAGE_LINE = re.compile(
    r'^(?P<path>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): '
    r'(?P<message>.*)$')
QUOTE_LIMIT = 80


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """At most ``limit`` characters of ``text``, marked when cut."""
    return text if len(text) <= limit else text[:limit - 1] + '…'


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one file; line and column are 1-based."""

    path: str
    line: int
    col: int
    message: str
    severity: str = 'error'   # or 'warning'

    def __str__(self) -> str:
        return f'{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}'


def warning(path: str, line: int, col: int, message: str) -> SourceError:
    return SourceError(path, line, col, message, 'warning')


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``1 prefecture``, ``3 centers``."""
    return f'{count} {singular if count == 1 else (plural_form or singular + "s")}'


def one_per_cause(errors: list[SourceError]) -> list[SourceError]:
    """One message per position: a character missing from several fonts is one cause.

    The first message given for a position is kept (the glyph check gives the letter's
    fonts first), then the messages are sorted by position.
    """
    found: dict[tuple[str, int, int, str], SourceError] = {}
    for error in errors:
        found.setdefault((error.path, error.line, error.col, error.severity), error)
    return sorted(found.values())


class NoticegenError(Exception):
    """A user-facing failure: the CLI prints it without a traceback."""

    exit_code = 1


class UsageError(NoticegenError):
    """Wrong command-line use (a missing project, an unknown value)."""

    exit_code = 2


class ValidationFailed(NoticegenError):
    """One or more sources are invalid; nothing was written."""

    def __init__(self, errors: list[SourceError], scopes: dict[str, str] | None = None):
        self.errors = one_per_cause(errors)
        # The notice each source belongs to, by path: an invalid notice or attachment
        # marks only that notice's files failed (see build.mark_invalid).
        self.scopes = dict(scopes or {})
        super().__init__('\n'.join(str(error) for error in self.errors))


class RenderError(NoticegenError):
    """A document failed while rendering (fonts, fetches, page budget)."""


class OutputError(NoticegenError):
    """The output folder cannot be written, is full, or is held by another build."""


class ManifestError(NoticegenError):
    """manifest.json is not a manifest: the wrong shape, or a path that leaves the folder."""
