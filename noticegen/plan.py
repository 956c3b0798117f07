"""The outputs to make, each keyed by a hash of every input that shapes it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .model import LeafletAttachment, PdfAttachment, SummaryAttachment
from .project import NoticeSet, PrefectureData, Project

# Stylesheet and template of each kind of rendered document.
LAYOUTS = {
    'notice': ('letter.html', 'letter.css'),
    'leaflet': ('leaflet.html', 'leaflet.css'),
    'attachment': ('summary.html', 'summary.css'),
    'label': ('label.html', 'label.css'),
    'proof': ('proof.html', 'proof.css'),
}


@dataclass(frozen=True)
class Job:
    """One PDF to write."""

    kind: str                 # notice, attachment, leaflet, bundle
    notice: NoticeSet
    output: str               # relative to the output folder
    inputs: tuple[str, ...]   # files, relative to the project, whose bytes shape the output
    attachment: object = None
    prefecture: PrefectureData | None = None
    parts: tuple[str, ...] = field(default=())  # for a bundle: the outputs it merges

    @property
    def layout(self) -> tuple[str, str] | None:
        return LAYOUTS.get(self.kind) if not isinstance(self.attachment, PdfAttachment) else (
            LAYOUTS['label'])

    def key(self, root: Path, fonts: tuple[Path, ...] = ()) -> str:
        """Hash every input: sources, templates, stylesheets, fonts and tool version."""
        digest = hashlib.sha256(f'noticegen {__version__}\0{self.kind}\0{self.output}\0'.encode())
        for name in self.inputs:
            digest.update(name.encode() + b'\0' + (root / name).read_bytes() + b'\0')
        for font in fonts:
            digest.update(str(font).encode() + b'\0' + font.read_bytes())
        return digest.hexdigest()


def file_stem(prefecture: PrefectureData) -> str:
    return f'{prefecture.prefecture.code}-{prefecture.prefecture.name_romaji.lower()}'


def plan(project: Project, prefectures: list[str] | None = None,
         proofs: bool = False) -> list[Job]:
    """List the documents a build writes: shared ones first, then each prefecture's.

    With ``proofs``, list only the proof sheets of the selected prefectures' leaflets.
    """
    jobs = []
    templates = project.relative(project.templates)

    def layout_files(kind: str) -> tuple[str, ...]:
        return tuple(f'{templates}/{name}' for name in LAYOUTS[kind])

    selected = [data for code, data in project.prefectures.items()
                if prefectures is None or code in prefectures]
    national = (project.national_source.path,) if project.national_source else ()
    for notice_set in project.notices:
        notice = notice_set.notice
        base = notice.id
        notice_inputs = (*(source.path for source in notice_set.sources), *layout_files('notice'))
        shared = [Job('notice', notice_set, f'{base}/notice.pdf', notice_inputs)]
        leaflet = None
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            inputs = (notice_set.source.path, source.path)
            if isinstance(attachment, LeafletAttachment):
                leaflet = (attachment, inputs)
            elif isinstance(attachment, SummaryAttachment):
                shared.append(Job('attachment', notice_set, f'{base}/betten-{attachment.number}.pdf',
                                  (*inputs, *layout_files('attachment')), attachment))
            elif isinstance(attachment, PdfAttachment):
                included = project.relative(Path(project.root / source.path).parent / attachment.file)
                shared.append(Job('attachment', notice_set, f'{base}/betten-{attachment.number}.pdf',
                                  (*inputs, included, *layout_files('label')), attachment))
        jobs += shared
        for prefecture in selected:
            stem = file_stem(prefecture)
            documents = [job.output for job in shared]
            if leaflet is not None:
                attachment, inputs = leaflet
                job = Job('leaflet', notice_set, f'{base}/leaflets/{stem}.pdf',
                          (*inputs, prefecture.source.path, *national, *layout_files('leaflet')),
                          attachment, prefecture)
                jobs.append(job)
                # The bundle keeps 別添 order: the notice, then 別添1, 2, ...
                documents = [documents[0], *sorted(
                    [*documents[1:], job.output],
                    key=lambda output: _attachment_order(notice_set, output))]
            if proofs:
                if leaflet is not None:
                    attachment, inputs = leaflet
                    jobs.append(Job('proof', notice_set, f'{base}/proof/{stem}.pdf',
                                    (*inputs, prefecture.source.path, *national,
                                     *layout_files('proof')), attachment, prefecture))
                continue
            jobs.append(Job('bundle', notice_set, f'{base}/bundles/{stem}.pdf',
                            tuple(sorted({i for j in jobs if j.output in documents
                                          for i in j.inputs})),
                            prefecture=prefecture, parts=tuple(documents)))
    if proofs:
        return [job for job in jobs if job.kind == 'proof']
    return jobs


def _attachment_order(notice_set: NoticeSet, output: str) -> int:
    for attachment in notice_set.attachments:
        if output.endswith(f'/betten-{attachment.number}.pdf'):
            return attachment.number
        if isinstance(attachment, LeafletAttachment) and '/leaflets/' in output:
            return attachment.number
    return 0
