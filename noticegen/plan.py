"""The outputs to make, each keyed by a hash of every input that shapes it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .project import NoticeSet, Project



@dataclass(frozen=True)
class Job:
    """One PDF to write."""

    kind: str
    notice: NoticeSet
    output: str              # relative to the output folder
    template: str
    stylesheet: str
    inputs: tuple[str, ...]  # source and template paths, relative to the project

    def key(self, root: Path, fonts: tuple[Path, ...] = ()) -> str:
        """Hash every input: sources, template, stylesheet, fonts and tool version."""
        digest = hashlib.sha256(f'noticegen {__version__}\0{self.kind}\0'.encode())
        for name in self.inputs:
            digest.update(name.encode() + b'\0' + (root / name).read_bytes() + b'\0')
        for font in fonts:
            digest.update(str(font).encode() + b'\0' + font.read_bytes())
        return digest.hexdigest()


def plan(project: Project) -> list[Job]:
    """List the documents a build writes, in a stable order."""
    jobs = []
    templates = project.relative(project.templates)
    for notice_set in project.notices:
        notice = notice_set.notice
        jobs.append(Job(
            kind='notice', notice=notice_set, output=f'{notice.id}/notice.pdf',
            template='letter.html', stylesheet='letter.css',
            inputs=(*(source.path for source in notice_set.sources),
                    f'{templates}/letter.html', f'{templates}/letter.css')))
    return jobs
