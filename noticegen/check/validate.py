"""Glyph check of every planned job, keyed by the same inputs as the input hashes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError, ValidationFailed
from ..load.project import Project
from ..model.wareki import ERAS
from ..output.atomic import write_atomic
from ..plan.job import Job
from ..plan.keys import font_stamp, tool_identity
from .fonts import Font, fonts_for, stack_for
from .glyphs import check_source, check_text

# Text that the code itself prints (era names and date words), checked like templates.
GENERATED_TEXT = ''.join(name for _, name in ERAS) + '元年月日度０１２３４５６７８９'
GENERATED = '(generated text)'
# Inputs read as text and printed (templates, stylesheets' content strings, catalogs).
TEXT_SUFFIXES = ('.html', '.css', '.po')


@dataclass
class Checked:
    """A validated project, its planned jobs, and the fonts each stylesheet declares."""

    project: Project
    jobs: list[Job]
    fonts: dict[str, list[Font]]
    warnings: list[SourceError] = field(default_factory=list)

    def fonts_of(self, job: Job) -> list[Font]:
        """The fonts a job's PDF may embed: those of all its stylesheets."""
        found = []
        for stylesheet in job.stylesheets:
            found += [font for font in self.fonts[stylesheet] if font not in found]
        return found


def stylesheet_fonts(project: Project, jobs: list[Job]) -> dict[str, list[Font]]:
    """The installed fonts of every stylesheet the jobs use (a stack for language sheets)."""
    stacks = {job.language_stylesheet for job in jobs if job.language_stylesheet}
    names = sorted({name for job in jobs for name in job.stylesheets})
    return {name: (stack_for if name in stacks else fonts_for)(project.templates / name)
            for name in names}


def _checks(jobs: list[Job]) -> dict[tuple[str, str], bool]:
    """Each (input, stylesheet) pair to check once, and whether the sheet is a stack."""
    pairs: dict[tuple[str, str], bool] = {}
    for job in jobs:
        sheet = job.glyph_stylesheet
        if sheet is None:
            continue
        for name in (*job.inputs, GENERATED):
            pairs.setdefault((name, sheet), job.language_stylesheet is not None)
    return pairs


def check_glyphs(project: Project, jobs: list[Job], cache_dir: Path) -> Checked:
    """Every character every job prints must be in its fonts; raise ValidationFailed."""
    fonts = stylesheet_fonts(project, jobs)
    pairs = _checks(jobs)
    cache = GlyphCache(project, pairs, fonts, cache_dir)
    if cache.passed():
        return Checked(project, jobs, fonts)
    sources = project.sources_by_path
    errors: list[SourceError] = []
    for (name, sheet), stack in pairs.items():
        if name == GENERATED:
            errors.extend(check_text(GENERATED, GENERATED_TEXT, fonts[sheet], stack))
        elif name in sources:
            errors.extend(check_source(sources[name], fonts[sheet], stack))
        elif name.endswith(TEXT_SUFFIXES):
            errors.extend(check_text(name, (project.root / name).read_text(encoding='utf-8'),
                                     fonts[sheet], stack))
    if errors:
        raise ValidationFailed(errors)   # in plan order: the first job's fonts name a cause
    cache.record()
    return Checked(project, jobs, fonts)


class GlyphCache:
    """Remembers that a given set of inputs, stylesheets and fonts passed the glyph check.

    The check reads each font's character map, which is most of the time of a warm
    no-change build; its result depends only on the bytes hashed here, which are the
    jobs' own inputs: the same declaration as the input hashes.
    """

    KEEP = 20

    def __init__(self, project: Project, pairs: dict[tuple[str, str], bool],
                 fonts: dict[str, list[Font]], cache_dir: Path):
        digest = hashlib.sha256(tool_identity().encode())
        files: dict[str, str] = {}
        for (name, sheet), stack in sorted(pairs.items()):
            if name != GENERATED and name not in files:
                files[name] = hashlib.sha256((project.root / name).read_bytes()).hexdigest()
            digest.update(f'{name}\0{sheet}\0{stack}\0{files.get(name, "")}\0'.encode())
        for name in sorted(fonts):
            for font in fonts[name]:
                digest.update(f'{name}\0'.encode() + font_stamp(font).encode())
        self.digest = digest.hexdigest()
        self.path = cache_dir / 'glyph-check'

    def _known(self) -> list[str]:
        try:
            return self.path.read_text(encoding='ascii').split()
        except OSError:
            return []

    def passed(self) -> bool:
        return self.digest in self._known()

    def record(self) -> None:
        known = [d for d in self._known() if d != self.digest][-(self.KEEP - 1):] + [self.digest]
        try:
            write_atomic(self.path, ('\n'.join(known) + '\n').encode())
        except OSError:
            pass  # a read-only checkout: the check simply runs every time
