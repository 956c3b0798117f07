"""A job is one file to write; its identity is data (kind, notice, prefecture, language)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import NoticegenError, SourceError, ValidationFailed
from ..layout import LOCALES, catalog_path
from ..load.project import NoticeSet, PrefectureData, Project

DEFAULT_FORMATS = ('screen',)


@dataclass(frozen=True, eq=False)
class Job:
    """One file to write, with every input that shapes it."""

    kind: str                 # a registered kind's name
    notice: NoticeSet
    output: str               # relative to the output folder
    inputs: tuple[str, ...]   # files, relative to the project, whose bytes shape the output
    stylesheets: tuple[str, ...] = ()   # under templates/; the first is the kind's own
    language_stylesheet: str | None = None  # declares a fallback stack: any font may cover
    attachment: Any = None
    prefecture: PrefectureData | None = None
    parts: tuple[str, ...] = field(default=())  # outputs this one is made from, in order
    fingerprint: str = ''     # data that shapes the output, where a whole file would be too much
    lang: str = 'ja'
    title: str = ''           # its bookmark and enclosure title when it is part of another
    enclosure: int | None = None  # its place in the notice's set: 0 the letter, N 別添N
    as_of: date | None = None  # facts are judged at this date (what prints): part of the key
    format: str = 'screen'    # plan/formats.py: screen, print or archive; part of the key

    @property
    def code(self) -> str | None:
        return self.prefecture.prefecture.code if self.prefecture else None

    @property
    def glyph_stylesheet(self) -> str | None:
        """The stylesheet whose fonts the job's characters are checked against."""
        return self.language_stylesheet or (self.stylesheets[0] if self.stylesheets else None)


_IMPORTS = re.compile(r"\{%-?\s*(?:import|include|from|extends)\s+['\"]([^'\"]+)['\"]")


def template_closure(templates: Path, name: str) -> list[str]:
    """``name`` and the templates it extends, imports or includes: their text prints too."""
    found, pending = [], [(name, None)]
    while pending:
        current, parent = pending.pop()
        if current in found:
            continue
        text = _read_template(templates, current, parent)
        found.append(current)
        pending += [(child, (current, text)) for child in _IMPORTS.findall(text)]
    return found


def _read_template(templates: Path, name: str, parent: tuple[str, str] | None) -> str:
    """The text of ``templates/name``; an error at the line of ``parent`` that pulls it in."""
    path = templates / name
    problem = None
    if not path.resolve().is_relative_to(templates.resolve()):
        problem = f'{name!r} is outside {templates.name}/: templates pull in only templates'
    elif not path.is_file():
        problem = f'{name!r}: template not found'
    if problem is None:
        return path.read_text(encoding='utf-8')
    if parent is None:
        raise NoticegenError(f'{templates.name}/{name}: template not found')
    parent_name, text = parent
    offset = text.find(name)
    line = text.count('\n', 0, offset) + 1
    col = offset - (text.rfind('\n', 0, offset) + 1) + 1
    raise ValidationFailed([SourceError(f'{templates.name}/{parent_name}', line, col,
                                        f'template: {problem}')])


def file_stem(prefecture: PrefectureData) -> str:
    return f'{prefecture.prefecture.code}-{prefecture.prefecture.name_romaji.lower()}'


@dataclass
class PlanContext:
    """What a kind plans from: one notice, the selection, and the jobs planned before it."""

    project: Project
    notice_set: NoticeSet
    prefectures: list[PrefectureData]   # selected, in code order
    national: bool                      # no prefecture filter: the national mailing
    langs: list[str]                    # languages of per-language documents
    extra: dict[str, Any]               # values of kinds' own command-line options
    jobs: list[Job] = field(default_factory=list)   # planned so far for this notice
    as_of: date | None = None           # --as-of, else the data set's valid_as_of

    @property
    def base(self) -> str:
        return self.notice_set.notice.id

    def relative(self, path: Path) -> str:
        return self.project.relative(path)

    def layout_files(self, template: str | None, stylesheets: list[str]) -> tuple[str, ...]:
        """The template, what it pulls in, and the stylesheets: all shape the output."""
        templates = self.project.templates
        names = template_closure(templates, template) if template else []
        for name in stylesheets:
            if not (templates / name).is_file():
                raise NoticegenError(f'{templates.name}/{name}: template not found')
        return tuple(self.relative(templates / name) for name in (*names, *stylesheets))

    def catalog_files(self, lang: str) -> tuple[str, ...]:
        """The message catalog of ``lang``, if it has one."""
        path = catalog_path(self.project.root / LOCALES, lang)
        return (self.relative(path),) if path.is_file() else ()

    def declares(self, kind) -> bool:
        """Whether the notice lists ``kind`` in its `outputs` (what it makes)."""
        return kind.name in self.notice_set.notice.outputs

    def stem(self, prefecture: PrefectureData) -> str:
        return file_stem(prefecture)

    def data_inputs(self, prefecture: PrefectureData) -> tuple[str, ...]:
        """A prefecture's file, the national data printed beside it, and facts/ (which
        judges what prints)."""
        national = self.project.national_source
        return (prefecture.source.path, *((national.path,) if national else ()),
                *self.project.facts_paths)

    def make(self, kind, output: str, inputs: tuple[str, ...] = (), *, lang: str = 'ja',
             **fields) -> Job:
        """A job of ``kind``: its layout files and catalog are added to ``inputs``."""
        job = Job(kind.name, self.notice_set, output, (), lang=lang, **fields)
        stylesheets = kind.stylesheets(job)
        language = kind.language_stylesheet(job)
        layout = self.layout_files(kind.template, stylesheets) if kind.template else ()
        catalogs = self.catalog_files(lang) if kind.localized else ()
        all_inputs = tuple(dict.fromkeys((*inputs, *layout, *catalogs)))
        return Job(kind.name, self.notice_set, output, all_inputs, tuple(stylesheets), language,
                   lang=lang, **fields)

    def enclosures(self, prefecture: PrefectureData | None) -> list[Job]:
        """The notice's set for ``prefecture``: the letter, then 別添1, 2 ... in order."""
        found = [job for job in self.jobs if job.enclosure is not None and job.lang == 'ja'
                 and job.prefecture in (None, prefecture)]
        return sorted(found, key=lambda job: job.enclosure)


def plan(project: Project, prefectures: list[str] | None = None, langs: list[str] | None = None,
         command: str | None = None, extra: dict[str, Any] | None = None,
         as_of: date | None = None, formats: list[str] | None = None) -> list[Job]:
    """The files a command writes, kind by kind in the registry's order, notice by notice.

    ``prefectures`` None is the national mailing. ``command`` None is ``build``; a kind
    that belongs to another command is planned only by it. ``as_of`` (--as-of) overrides
    the data set's own date; kinds that print facts give it to their jobs. ``formats``
    (default: screen) are made of each kind that lists them (``DocumentKind.formats``).
    """
    from ..model.facts import as_of_date
    from .registry import kinds
    judged_at = as_of_date(project.national.valid_as_of if project.national else None, as_of)
    selected = [data for code, data in project.prefectures.items()
                if prefectures is None or code in prefectures]
    jobs: list[Job] = []
    for notice_set in project.notices:
        context = PlanContext(project, notice_set, selected, prefectures is None,
                              list(langs or []), dict(extra or {}), as_of=judged_at)
        for kind in kinds():
            if kind.command == command:
                context.jobs += kind.jobs(context)
        jobs += in_formats(context, list(formats or DEFAULT_FORMATS))
    return jobs


def in_formats(context: PlanContext, formats: list[str]) -> list[Job]:
    """The planned (screen) jobs in each of ``formats`` their kind is made in.

    A job in another format writes NAME.FORMAT.pdf, lays out with the format's
    stylesheet over its own, and is made from its parts in the same format; a kind made
    in a format must be made from parts that are too.
    """
    from .formats import get as get_format
    from .registry import get
    found: list[Job] = []
    by_output = {job.output: job for job in context.jobs}
    for name in formats:
        fmt = get_format(name)
        for job in context.jobs:
            kind = get(job.kind)
            if not kind.made_in(job, name):
                continue
            if not fmt.suffix:
                found.append(job)
                continue
            missing = [part for part in job.parts if name not in get(by_output[part].kind).formats]
            if missing:
                raise NoticegenError(f'kind {job.kind!r} is made in {name} but its part '
                                     f'{missing[0]} is not: add {name!r} to the formats of '
                                     f'kind {by_output[missing[0]].kind!r}')
            stylesheets = job.stylesheets
            inputs = job.inputs
            if fmt.stylesheet and kind.template:
                stylesheets = (*stylesheets, fmt.stylesheet)
                inputs = (*inputs, *context.layout_files(None, [fmt.stylesheet]))
            found.append(dataclasses.replace(
                job, output=fmt.output(job.output), format=name, inputs=inputs,
                stylesheets=stylesheets, parts=tuple(fmt.output(part) for part in job.parts)))
    return found
