"""The outputs to make, each keyed by a hash of every input that shapes it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .languages import LANGUAGES
from .mailing import recipients
from .model import LeafletAttachment, PdfAttachment, SummaryAttachment
from .project import NoticeSet, PrefectureData, Project

# Template and stylesheet of each kind of rendered document.
LAYOUTS = {
    'notice': ('letter.html', 'letter.css'),
    'leaflet': ('leaflet.html', 'leaflet.css'),
    'attachment': ('summary.html', 'summary.css'),
    'label': ('label.html', 'label.css'),
    'proof': ('proof.html', 'proof.css'),
    'cover': ('cover.html', 'cover.css'),
    'labels': ('labels.html', 'labels.css'),
    'card': ('card.html', 'card.css'),
}


@dataclass(frozen=True)
class Job:
    """One file to write."""

    kind: str                 # notice, attachment, labels, leaflet, cover, bundle, packet, proof,
                              # mailing-list
    notice: NoticeSet
    output: str               # relative to the output folder
    inputs: tuple[str, ...]   # files, relative to the project, whose bytes shape the output
    attachment: object = None
    prefecture: PrefectureData | None = None
    parts: tuple[str, ...] = field(default=())  # outputs this one is made from, in order
    fingerprint: str = ''     # data that shapes the output, where a whole file would be too much
    lang: str = 'ja'

    @property
    def language_stylesheet(self) -> str | None:
        """The stylesheet declaring the fonts of a language other than the mailing's own."""
        if self.kind == 'card' or (self.kind == 'leaflet' and self.lang != 'ja'):
            return LANGUAGES[self.lang].stylesheet
        return None

    @property
    def stylesheets(self) -> list[str]:
        if self.layout is None:
            return []
        extra = self.language_stylesheet
        return [self.layout[1], *([extra] if extra else [])]

    @property
    def layout(self) -> tuple[str, str] | None:
        if isinstance(self.attachment, PdfAttachment):
            return LAYOUTS['label']
        return LAYOUTS.get(self.kind)

    @property
    def code(self) -> str | None:
        return self.prefecture.prefecture.code if self.prefecture else None


def template_closure(templates: Path, name: str) -> list[str]:
    """``name`` and the templates it imports or includes, whose text it prints too."""
    import re
    found, pending = [], [name]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.append(current)
        text = (templates / current).read_text(encoding='utf-8')
        pending += re.findall(r"\{%-?\s*(?:extends|import|include|from)\s+['\"]([^'\"]+)['\"]", text)
    return found


def file_stem(prefecture: PrefectureData) -> str:
    return f'{prefecture.prefecture.code}-{prefecture.prefecture.name_romaji.lower()}'


def _recipients_fingerprint(notice_set: NoticeSet, selected: list[PrefectureData]) -> str:
    notice = notice_set.notice
    data = [notice.title_text, notice.date.isoformat()]
    for prefecture in selected:
        data.append([prefecture.prefecture.code, [
            [r.department, r.lines, r.honorific, r.postal_code, r.address]
            for r in recipients(notice, prefecture.prefecture)]])
    return json.dumps(data, ensure_ascii=False)


def plan(project: Project, prefectures: list[str] | None = None,
         proofs: bool = False, langs: list[str] | None = None) -> list[Job]:
    """List the files a build writes: shared ones first, then each prefecture's.

    The national mailing (no prefecture filter) adds the address labels and the mailing
    list. With ``proofs``, list only the proof sheets of the selected prefectures. ``langs``
    adds each prefecture's patient card, and the leaflet's translations, in those languages
    (the mailing itself is always Japanese).
    """
    langs = langs or []
    jobs = []
    templates = project.relative(project.templates)

    def layout_files(kind: str) -> tuple[str, ...]:
        """The template, what it imports, and the stylesheet: all shape the output."""
        template, stylesheet = LAYOUTS[kind]
        return tuple(f'{templates}/{name}' for name in
                     (*template_closure(project.templates, template), stylesheet))

    national_mailing = prefectures is None
    selected = [data for code, data in project.prefectures.items()
                if prefectures is None or code in prefectures]
    national = (project.national_source.path,) if project.national_source else ()
    for notice_set in project.notices:
        notice = notice_set.notice
        base = notice.id
        shared = [Job('notice', notice_set, f'{base}/notice.pdf',
                      (*(source.path for source in notice_set.sources), *layout_files('notice')))]
        leaflet = None
        documents: list[tuple[int, str | None]] = []   # (別添 number, shared output or None)
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            inputs = (notice_set.source.path, source.path)
            output = f'{base}/betten-{attachment.number}.pdf'
            if isinstance(attachment, LeafletAttachment):
                leaflet = (attachment, inputs)
                documents.append((attachment.number, None))
                continue
            if isinstance(attachment, SummaryAttachment):
                shared.append(Job('attachment', notice_set, output,
                                  (*inputs, *layout_files('attachment')), attachment))
            elif isinstance(attachment, PdfAttachment):
                included = project.relative(Path(project.root / source.path).parent / attachment.file)
                shared.append(Job('attachment', notice_set, output,
                                  (*inputs, included, *layout_files('label')), attachment))
            documents.append((attachment.number, output))
        if national_mailing and selected and notice.cover is not None:
            shared.append(Job('labels', notice_set, f'{base}/labels.pdf', layout_files('labels'),
                              fingerprint=_recipients_fingerprint(notice_set, selected)))
        if not proofs:
            jobs += shared
        packets = []
        for prefecture in selected:
            stem = file_stem(prefecture)
            leaflet_output = f'{base}/leaflets/{stem}.pdf'
            data_inputs = (prefecture.source.path, *national)
            if proofs:
                if leaflet is not None:
                    attachment, inputs = leaflet
                    jobs.append(Job('proof', notice_set, f'{base}/proof/{stem}.pdf',
                                    (*inputs, *data_inputs, *layout_files('proof')),
                                    attachment, prefecture))
                continue
            if leaflet is not None:
                attachment, inputs = leaflet
                jobs.append(Job('leaflet', notice_set, leaflet_output,
                                (*inputs, *data_inputs, *layout_files('leaflet'),
                                 *catalog_files(project, 'ja')), attachment, prefecture))
                for lang, (_, source) in sorted(
                        notice_set.translations.get(attachment.number, {}).items()):
                    if lang in langs:
                        jobs.append(Job(
                            'leaflet', notice_set, f'{base}/leaflets/{stem}.{lang}.pdf',
                            (*inputs, source.path, *data_inputs, *layout_files('leaflet'),
                             f'{templates}/{LANGUAGES[lang].stylesheet}',
                             *catalog_files(project, lang)), attachment, prefecture, lang=lang))
            for lang in langs:
                if lang in project.cards:
                    card_sources = tuple(project.cards[code][1].path
                                         for code in dict.fromkeys((lang, 'en')))
                    jobs.append(Job('card', notice_set, f'{base}/cards/{stem}.{lang}.pdf',
                                    (*card_sources, *data_inputs, *layout_files('card'),
                                     f'{templates}/{LANGUAGES[lang].stylesheet}',
                                     *catalog_files(project, lang)),
                                    prefecture=prefecture, lang=lang))
            # The notice, then 別添1, 2, ... in number order.
            parts = (f'{base}/notice.pdf',
                     *(output or leaflet_output for _, output in sorted(documents)))
            jobs.append(Job('bundle', notice_set, f'{base}/bundles/{stem}.pdf', (),
                            prefecture=prefecture, parts=parts))
            if notice.cover is not None:
                cover = f'{base}/covers/{stem}.pdf'
                jobs.append(Job('cover', notice_set, cover,
                                (notice_set.source.path, prefecture.source.path,
                                 *layout_files('cover')), prefecture=prefecture, parts=parts))
                packet = f'{base}/packets/{stem}.pdf'
                jobs.append(Job('packet', notice_set, packet, (), prefecture=prefecture,
                                parts=(cover, *parts)))
                packets.append(packet)
        if national_mailing and packets:
            jobs.append(Job('mailing-list', notice_set, f'{base}/mailing-list.csv', (),
                            parts=tuple(packets),
                            fingerprint=_recipients_fingerprint(notice_set, selected)))
    return jobs


def tool_identity() -> str:
    """The version and a digest of the code itself, so that a code change rebuilds."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob('*.py')):
        digest.update(path.name.encode() + b'\0' + path.read_bytes())
    return digest.hexdigest()


def catalog_files(project: Project, lang: str) -> tuple[str, ...]:
    """The message catalog of ``lang``, if it has one, as a job input."""
    from .i18n import catalog_path
    path = catalog_path(project.root / 'locales', lang)
    return (project.relative(path),) if path.is_file() else ()


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
        """Hash the tool version, the job, its input files, fonts and parts."""
        if job.output in self._keys:
            return self._keys[job.output]
        digest = hashlib.sha256(
            f'{self.tool}\0{job.kind}\0{job.output}\0{job.fingerprint}\0'.encode())
        for name in job.inputs:
            digest.update(f'{name}\0{self.file(name)}\0'.encode())
        for stylesheet in job.stylesheets:
            for font in self.fonts.get(stylesheet, ()):
                stat = font.path.stat()
                digest.update(f'{font.path}\0{stat.st_size}\0{stat.st_mtime_ns}\0'.encode())
        for part in job.parts:
            digest.update(f'{part}\0{self._keys.get(part, "")}\0'.encode())
        self._keys[job.output] = digest.hexdigest()
        return self._keys[job.output]
