"""Atomic files: written under a temporary name in their folder, synced, then renamed.

A temporary name carries the writer's process id (``.NAME.PID.RANDOM.part``), so that a
leftover is removed only once its owner is gone.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

# .notice.pdf.12345.k2j3h4.part: the name, the owner's pid, tempfile's random part.
_TEMPORARY = re.compile(r'\..+\.(\d+)\.[^.]+\.part')


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# The usual permissions of a new file: mkstemp's 0600 would keep a print service or a
# shared folder from reading the output.
FILE_MODE = 0o666 & ~_umask()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    An OSError names ``path`` (a failed write() names no file, a failed mkstemp its
    temporary name), so that whoever reports it says which file could not be written.
    """
    try:
        _write_atomic(path, data)
    except OSError as error:
        if error.errno is None or error.filename == str(path):
            raise
        raise OSError(error.errno, error.strerror, str(path)) from error


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name never ends in .pdf, so nothing mistakes it for output.
    handle, temporary = tempfile.mkstemp(prefix=f'.{path.name}.{os.getpid()}.', suffix='.part',
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


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True   # someone else's process
    return True


def owner(name: str) -> int | None:
    """The pid in a temporary file's name, or None (a name from an older version)."""
    match = _TEMPORARY.fullmatch(name)
    return int(match.group(1)) if match else None


def clean_temporary_files(out: Path) -> list[Path]:
    """Remove what interrupted builds left: temporary files whose owner is gone.

    Call it holding the output folder's exclusive lock. A temporary file of a process
    still alive is left alone; one without a pid in its name (an older version's) is
    removed, since the lock says no build is writing.
    """
    removed = []
    if out.is_dir():
        for leftover in out.rglob('.*.part'):
            pid = owner(leftover.name)
            if pid is not None and _alive(pid):
                continue
            try:
                leftover.unlink()
                removed.append(leftover)
            except OSError:
                pass   # gone already, or a read-only folder: writing there will say so
    return removed
