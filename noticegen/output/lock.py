"""One writer per output folder: an fcntl lock on ``OUT/.noticegen.lock``.

A build holds it exclusively from before it reads the manifest until after its last
save; readers (preview, diff, manifest --check, serve's requests) hold it shared. The
lock belongs to the open file, so it goes when its process dies, however it dies; the
descriptor is not inherited by child processes. The file itself stays, empty: removing
a lock file while another process waits on it would let two writers in.
"""

from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..errors import OutputError

LOCK = '.noticegen.lock'


def cannot_write(path: Path, error: OSError) -> str:
    """One line saying why ``path`` cannot be written."""
    if error.errno == errno.ENOSPC:
        reason = 'no space left on the device'
    elif error.errno == errno.EDQUOT:
        reason = 'the disk quota is exceeded'
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = 'the folder is read-only' if error.errno == errno.EROFS else 'permission denied'
    else:
        reason = error.strerror or type(error).__name__
    return f'cannot write {path}: {reason}'


@contextmanager
def locked(out: Path, exclusive: bool, wait: bool = True,
           waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold ``out``'s lock: exclusive for a writer (creating ``out``), shared for a reader.

    A held lock is waited for, after telling ``waiting``; with ``wait=False`` it raises
    OutputError instead. A reader of a folder in which the lock file can be neither
    opened nor created (a read-only folder that no build has written, or no folder)
    reads without it: nobody can be writing there.
    """
    path = out / LOCK
    if exclusive:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(cannot_write(out, error)) from None
    handle = None
    problem: OSError | None = None
    # A read-only folder (or lock file) can still be locked through a read-only descriptor.
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        try:
            handle = os.open(path, flags | os.O_CLOEXEC, 0o644)
            break
        except OSError as error:
            problem = problem or error
    if handle is None:
        if exclusive:
            raise OutputError(cannot_write(out, problem))
        yield
        return
    try:
        operation = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(handle, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            if not exclusive:
                holder = 'a build is writing'
            elif _held_exclusively(path):
                holder = 'another build is writing'
            else:
                holder = 'another process is reading'
            if not wait:
                raise OutputError(f'{holder} {out} (it holds {path}); not waiting '
                                  f'(--no-wait)') from None
            if waiting:
                waiting(f'waiting: {holder} {out} (it holds {path}) ...')
            fcntl.flock(handle, operation)
        yield
    finally:
        os.close(handle)   # releases the lock


def _held_exclusively(path: Path) -> bool:
    """Whether some process holds ``path`` exclusively (else only readers hold it)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False
