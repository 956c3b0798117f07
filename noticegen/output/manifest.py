"""dist/manifest.json: what was written, from which inputs, with which checksum.

It is validated whenever it is read. A reader (check, preview, diff) refuses a manifest
of the wrong shape, or one with a path that leaves the output folder; a build sets it
aside as ``manifest.json.bad`` and makes a new one. A build saves it merged with what
is on disk: entries it did not touch are taken from the file, never from a stale view.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Callable, get_type_hints

from .. import __version__
from ..errors import ManifestError
from .atomic import write_atomic
from .lock import LOCK

MANIFEST = 'manifest.json'
BAD = 'manifest.json.bad'        # a damaged manifest, set aside by the build that found it
# Folders that preview and diff own: not outputs, never listed.
PREVIEW = 'preview'
DIFF = 'diff'
NOT_OUTPUTS = (LOCK, MANIFEST, BAD, PREVIEW, DIFF)
STATUSES = ('ok', 'failed')


@dataclass
class Entry:
    path: str                 # relative to the output folder
    kind: str
    notice: str
    prefecture: str | None
    lang: str
    pages: int
    bytes: int
    sha256: str
    inputs: str               # hash of everything that shaped the file
    status: str               # 'ok' or 'failed'
    message: str = ''
    format: str = 'screen'    # plan/formats.py


_TYPES = get_type_hints(Entry)   # each field's type: str, int, or str | None
_REQUIRED = [f.name for f in fields(Entry) if f.name not in ('message', 'format')]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inside(path: str) -> bool:
    """Whether ``path`` is a plain relative path that stays in the output folder."""
    if not path or '\\' in path or '\0' in path:
        return False
    pure = PurePosixPath(path)
    return (not pure.is_absolute() and '..' not in pure.parts and '.' not in pure.parts
            and str(pure) == path)


def _json_type(value) -> str:
    names = {list: 'a list', str: 'a string', dict: 'an object', bool: 'a boolean',
             int: 'a number', float: 'a number', type(None): 'null'}
    return names.get(type(value), type(value).__name__)


def parse(text: str) -> dict[str, Entry]:
    """The entries of a manifest's text; ValueError with a one-line reason if it is not one."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ValueError(f'not JSON ({error})') from None
    if not isinstance(data, dict) or not isinstance(data.get('outputs'), list):
        found = _json_type(data) if not isinstance(data, dict) else (
            f'an object whose "outputs" is {_json_type(data.get("outputs"))}')
        raise ValueError(f'{found}, not an object with a list "outputs"')
    entries: dict[str, Entry] = {}
    for index, item in enumerate(data['outputs']):
        where = f'outputs[{index}]'
        if not isinstance(item, dict):
            raise ValueError(f'{where} is {_json_type(item)}, not an object')
        if isinstance(item.get('path'), str):
            where += f' ({item["path"]!r})'
        unknown = sorted(set(item) - set(_TYPES))
        if unknown:
            raise ValueError(f'{where}: unknown field {unknown[0]!r}')
        for name in _REQUIRED:
            if name not in item:
                raise ValueError(f'{where}: no {name!r}')
        for name, value in item.items():
            expected = _TYPES[name]
            if isinstance(value, bool) or not isinstance(value, expected):
                raise ValueError(f'{where}: {name} is {_json_type(value)}')
        entry = Entry(**item)
        if not inside(entry.path):
            raise ValueError(f'{where}: the path leaves the output folder')
        if entry.status not in STATUSES:
            raise ValueError(f'{where}: status is {entry.status!r}, not ok or failed')
        if entry.pages < 0 or entry.bytes < 0:
            raise ValueError(f'{where}: a negative count')
        if entry.path in entries:
            raise ValueError(f'{where}: listed twice')
        entries[entry.path] = entry
    return entries


def _read(out: Path) -> dict[str, Entry] | None:
    """The entries on disk; None if there is no manifest; ValueError if it is damaged."""
    path = out / MANIFEST
    try:
        text = path.read_bytes().decode('utf-8')
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ValueError('a directory, not a file') from None
    except UnicodeDecodeError:
        raise ValueError('not UTF-8 text') from None
    except OSError as error:
        raise ManifestError(f'cannot read {path}: {error.strerror}') from None
    return parse(text)


def _stamp(out: Path) -> tuple | None:
    """What tells one version of the manifest file from another, without reading it."""
    try:
        stat = (out / MANIFEST).stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class Manifest:
    """The entries of one output folder, rewritten atomically after every change."""

    def __init__(self, out: Path):
        self.out = out
        self.entries: dict[str, Entry] = {}
        self.touched: set[str] = set()   # the paths this process has recorded
        self._seen: tuple | None = None     # the file as this process last read or wrote it

    @classmethod
    def read(cls, out: Path) -> Manifest:
        """For readers: the manifest, or an empty one if there is none.

        Raises ManifestError, in one line, if it is damaged.
        """
        manifest = cls(out)
        try:
            manifest.entries = _read(out) or {}
        except ValueError as error:
            raise ManifestError(f'{out / MANIFEST} is damaged: {error}; run build to set it '
                                f'aside and rebuild it') from None
        return manifest

    @classmethod
    def load(cls, out: Path, report: Callable[[str], None] | None = None) -> Manifest:
        """For a build, under the exclusive lock: a damaged manifest is set aside.

        It is renamed ``manifest.json.bad`` (replacing an older one), ``report`` is told
        in one line, and the build starts from an empty manifest: every file is checked
        against its inputs again, and re-listed.
        """
        manifest = cls(out)
        try:
            manifest._seen = _stamp(out)
            manifest.entries = _read(out) or {}
        except ValueError as error:
            manifest._seen = None
            set_aside(out)
            if report:
                report(f'{out / MANIFEST} was damaged ({error}): set aside as {out / BAD}; '
                       f'rebuilding it')
        return manifest

    def to_json(self) -> bytes:
        """One output per line: readable, diffable, and fast to write after every file."""
        lines = [json.dumps(asdict(self.entries[path]), ensure_ascii=False, sort_keys=True)
                 for path in sorted(self.entries)]
        body = ',\n  '.join(lines)
        tool = json.dumps(f'noticegen {__version__}')
        return f'{{\n "tool": {tool},\n "outputs": [\n  {body}\n ]\n}}\n'.encode()

    def put(self, entry: Entry) -> None:
        self.entries[entry.path] = entry
        self.touched.add(entry.path)

    def save(self) -> None:
        """Write the manifest: this process's entries over those on disk.

        Entries this process did not record are taken from the file as it is now, so a
        save never drops or rolls back what another writer listed.
        """
        if self._seen is None or _stamp(self.out) != self._seen:   # someone else wrote it
            try:
                on_disk = _read(self.out) or {}
            except (ValueError, ManifestError):
                on_disk = {}
            for path, entry in on_disk.items():
                if path not in self.touched:
                    self.entries[path] = entry
        write_atomic(self.out / MANIFEST, self.to_json())
        self._seen = _stamp(self.out)

    def contains(self, path: str) -> bool:
        """Whether ``path`` is inside the output folder, symbolic links resolved."""
        if not inside(path):
            return False
        return (self.out / path).resolve().is_relative_to(self.out.resolve())

    def target(self, path: str) -> Path:
        """The file of an entry; ManifestError if it leaves the output folder."""
        if not self.contains(path):
            raise ManifestError(f'{self.out / MANIFEST}: {path} resolves outside {self.out}; '
                                f'refusing to read it')
        return self.out / path

    def is_current(self, path: str, inputs: str) -> bool:
        """True when ``path`` was made from ``inputs`` and is on disk unchanged."""
        entry = self.entries.get(path)
        if entry is None or entry.status != 'ok' or entry.inputs != inputs:
            return False
        if not self.contains(path):
            return False
        target = self.out / path
        try:
            return target.stat().st_size == entry.bytes and sha256(target.read_bytes()) == entry.sha256
        except OSError:
            return False

    def mark_failed(self, path: str, message: str, **fields) -> None:
        """Record a failure; the previous file stays on disk but is no longer 'ok'."""
        entry = self.entries.get(path)
        if entry is None:
            fields.setdefault('lang', 'ja')
            entry = Entry(path=path, pages=0, bytes=0, sha256='', inputs='', status='failed',
                          **fields)
            target = self.out / path
            try:
                if self.contains(path) and target.is_file():
                    data = target.read_bytes()
                    entry.bytes, entry.sha256 = len(data), sha256(data)
            except OSError:
                pass   # unreadable: listed failed, with no checksum
        entry.status = 'failed'
        entry.message = message
        self.put(entry)

    def check(self) -> list[str]:
        """Problems: files missing or changed since the manifest, failed outputs, strays."""
        problems = []
        for path, entry in sorted(self.entries.items()):
            target = self.out / path
            if entry.status != 'ok':
                problems.append(f'{path}: marked failed: {entry.message}')
            if not self.contains(path):
                problems.append(f'{path}: resolves outside the output folder; not read')
                continue
            if not target.is_file():
                problems.append(f'{path}: missing')
                continue
            data = target.read_bytes()
            if len(data) != entry.bytes or sha256(data) != entry.sha256:
                problems.append(f'{path}: does not match the manifest (sha256 {sha256(data)[:12]}, '
                                f'manifest {entry.sha256[:12]})')
        for relative in unlisted_files(self.out):
            if relative not in self.entries:
                problems.append(f'{relative}: not in the manifest')
        return problems


def unlisted_files(out: Path) -> list[str]:
    """Every file under ``out`` (links and other non-folders too), relative, sorted.

    Leaves out the lock, the manifest and a set-aside manifest, and the folders that
    preview and diff own.
    """
    found = []
    for folder, folders, files in os.walk(out):
        base = Path(folder).relative_to(out)
        if base == Path('.'):
            folders[:] = [name for name in folders if name not in NOT_OUTPUTS]
            files = [name for name in files if name not in NOT_OUTPUTS]
        found += [str(base / name) if base != Path('.') else name for name in files]
        # A link to a folder is not followed, but it is not an output either.
        found += [str(base / name) if base != Path('.') else name for name in folders
                  if (Path(folder) / name).is_symlink()]
    return sorted(found)


def set_aside(out: Path) -> None:
    """Rename a damaged ``manifest.json`` (a file or a folder) to ``manifest.json.bad``."""
    bad = out / BAD
    if bad.is_dir() and not bad.is_symlink():
        shutil.rmtree(bad)
    elif bad.exists() or bad.is_symlink():
        bad.unlink()
    os.replace(out / MANIFEST, bad)
