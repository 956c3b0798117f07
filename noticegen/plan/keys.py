"""Input hashes: one digest per job of everything that shapes it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..output.stamp import tool_identity  # noqa: F401 (the check's cache keys by it too)
from .job import Job


def font_stamp(font) -> str:
    stat = font.path.stat()
    return f'{font.path}\0{stat.st_size}\0{stat.st_mtime_ns}\0'


class Keys:
    """Input hashes of jobs: file digests are read once, composite jobs hash their parts."""

    def __init__(self, root: Path, fonts: dict[str, list]):
        self.root = root
        self.fonts = fonts
        self._files: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self.tool = tool_identity()

    def file(self, name: str) -> str:
        if name not in self._files:
            self._files[name] = hashlib.sha256((self.root / name).read_bytes()).hexdigest()
        return self._files[name]

    def key(self, job: Job) -> str:
        """Hash the tool, the job, its input files, its fonts and its parts' keys."""
        if job.output in self._keys:
            return self._keys[job.output]
        as_of = job.as_of.isoformat() if job.as_of else ''
        digest = hashlib.sha256(
            f'{self.tool}\0{job.kind}\0{job.format}\0{job.output}\0{job.fingerprint}\0{as_of}\0'.encode())
        for name in job.inputs:
            digest.update(f'{name}\0{self.file(name)}\0'.encode())
        for stylesheet in job.stylesheets:
            for font in self.fonts.get(stylesheet, ()):
                digest.update(font_stamp(font).encode())
        for part in job.parts:
            digest.update(f'{part}\0{self._keys.get(part, "")}\0'.encode())
        self._keys[job.output] = digest.hexdigest()
        return self._keys[job.output]
