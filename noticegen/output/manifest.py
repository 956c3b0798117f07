"""dist/manifest.json: what was written, from which inputs, with which checksum."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import __version__
from .atomic import write_atomic

MANIFEST = 'manifest.json'


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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Manifest:
    """The entries of one output folder, rewritten atomically after every change."""

    def __init__(self, out: Path):
        self.out = out
        self.entries: dict[str, Entry] = {}

    @classmethod
    def load(cls, out: Path) -> Manifest:
        manifest = cls(out)
        path = out / MANIFEST
        try:
            data = json.loads(path.read_text(encoding='utf-8'))
            for item in data.get('outputs', []):
                entry = Entry(**item)
                manifest.entries[entry.path] = entry
        except (OSError, ValueError, TypeError):
            pass  # no manifest, or a damaged one: every output is checked against its inputs
        return manifest

    def to_json(self) -> bytes:
        """One output per line: readable, diffable, and fast to write after every file."""
        lines = [json.dumps(asdict(self.entries[path]), ensure_ascii=False, sort_keys=True)
                 for path in sorted(self.entries)]
        body = ',\n  '.join(lines)
        tool = json.dumps(f'noticegen {__version__}')
        return f'{{\n "tool": {tool},\n "outputs": [\n  {body}\n ]\n}}\n'.encode()

    def save(self) -> None:
        write_atomic(self.out / MANIFEST, self.to_json())

    def is_current(self, path: str, inputs: str) -> bool:
        """True when ``path`` was made from ``inputs`` and is on disk unchanged."""
        entry = self.entries.get(path)
        if entry is None or entry.status != 'ok' or entry.inputs != inputs:
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
            if target.is_file():
                data = target.read_bytes()
                entry.bytes, entry.sha256 = len(data), sha256(data)
        entry.status = 'failed'
        entry.message = message
        self.entries[path] = entry

    def check(self) -> list[str]:
        """Problems: files missing or changed since the manifest, failed outputs, strays."""
        problems = []
        for path, entry in sorted(self.entries.items()):
            target = self.out / path
            if entry.status != 'ok':
                problems.append(f'{path}: marked failed: {entry.message}')
            if not target.is_file():
                problems.append(f'{path}: missing')
                continue
            data = target.read_bytes()
            if len(data) != entry.bytes or sha256(data) != entry.sha256:
                problems.append(f'{path}: does not match the manifest (sha256 {sha256(data)[:12]}, '
                                f'manifest {entry.sha256[:12]})')
        for target in sorted(self.out.rglob('*')):
            relative = str(target.relative_to(self.out))
            if target.is_file() and target.suffix in {'.pdf', '.csv'} and relative not in self.entries:
                problems.append(f'{relative}: not in the manifest')
        return problems
