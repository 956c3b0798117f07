"""Atomic files: written under a temporary name in their folder, synced, then renamed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# The usual permissions of a new file: mkstemp's 0600 would keep a print service or a
# shared folder from reading the output.
FILE_MODE = 0o666 & ~_umask()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name never ends in .pdf, so nothing mistakes it for output.
    handle, temporary = tempfile.mkstemp(prefix=f'.{path.name}.', suffix='.part',
                                         dir=path.parent)
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, 'wb') as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def clean_temporary_files(out: Path) -> None:
    """Remove what an interrupted build left: temporary files never end in .pdf."""
    if out.is_dir():
        for leftover in out.rglob('.*.part'):
            leftover.unlink(missing_ok=True)
