"""Where an unexpected exception's traceback goes: a log in the user's cache folder.

An exception that is not noticegen's own is a bug. The terminal gets one line naming the
document and this log; the manifest gets a one-line message; the traceback goes here,
never into the output folder.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from .. import __version__
from ..layout import log_dir

KEEP = 50   # logs kept; older ones are removed when a new one is started
_ADDRESS = re.compile(r'\s+at 0x[0-9a-fA-F]+')
_HEX = re.compile(r'\b0x[0-9a-fA-F]{6,}\b')
LONGEST = 400


def one_line(exception: BaseException, name_type: bool = False) -> str:
    """The exception as one deterministic line: no memory address, no line break.

    ``name_type`` prefixes the exception's type (for exceptions that are not ours,
    whose text alone may say little: a KeyError's is just the key).
    """
    text = str(exception)
    if name_type or not text:
        text = f'{type(exception).__name__}: {text}' if text else type(exception).__name__
    text = _HEX.sub('0x…', _ADDRESS.sub('', text))
    text = ' '.join(text.split())
    return text if len(text) <= LONGEST else text[:LONGEST - 1] + '…'


class BugLog:
    """One log file per process, made when the first bug is recorded."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or log_dir()   # the user's cache folder (platformdirs)
        self.path: Path | None = None

    def record(self, title: str, traceback_text: str) -> Path | None:
        """Append ``traceback_text`` under ``title``; the log's path, or None if unwritable."""
        try:
            if self.path is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._prune()
                stamp = time.strftime('%Y%m%d-%H%M%S')
                self.path = self.folder / f'{stamp}-{os.getpid()}.log'
                header = (f'noticegen {__version__}, Python {sys.version.split()[0]}\n'
                          f'command: {" ".join(sys.argv)}\n\n')
                self.path.write_text(header, encoding='utf-8')
            with self.path.open('a', encoding='utf-8') as stream:
                stream.write(f'--- {title}\n{traceback_text.rstrip()}\n\n')
        except OSError:
            return None
        return self.path

    def _prune(self) -> None:
        logs = sorted(self.folder.glob('*.log'), key=lambda path: path.stat().st_mtime)
        for old in logs[:max(0, len(logs) - KEEP + 1)]:
            old.unlink(missing_ok=True)
