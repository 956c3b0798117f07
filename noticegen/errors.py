"""Errors that name a source position, reported as ``path:line:col: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one source file; line and column are 1-based."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f'{self.path}:{self.line}:{self.col}: {self.message}'


class NoticegenError(Exception):
    """A user-facing failure: the CLI prints it without a traceback."""

    exit_code = 1


class ValidationFailed(NoticegenError):
    """One or more sources are invalid; nothing was written."""

    def __init__(self, errors: list[SourceError]):
        self.errors = sorted(errors)
        super().__init__('\n'.join(str(error) for error in self.errors))


class RenderError(NoticegenError):
    """A document failed while rendering (fonts, fetches, page budget)."""


class OutputError(NoticegenError):
    """The output folder cannot be written, is full, or is held by another build."""


class ManifestError(NoticegenError):
    """manifest.json is not a manifest: the wrong shape, or a path that leaves the folder."""
