"""The two steps of a 照会 round: export the forms and proofs; import the answers."""

from __future__ import annotations

import dataclasses
import difflib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from ..errors import NoticegenError, UsageError, plural
from ..load.project import Project, load_project
from ..load.sources import load_yaml
from ..model.facts import as_of_date
from ..model.jis import PREFECTURES as NAMES
from ..model.schema import NationalData, Prefecture, partial_date_start
from ..options import Options
from ..plan import registry
from ..output.atomic import FILE_MODE, write_atomic
from .answers import Answered, Checker, FormError
from .apply import apply
from .edit import EditError, Edits
from .form import FIRST_ROW, write_form
from .rows import Row, rows



class FormsRejected(NoticegenError):
    """One or more forms are wrong; nothing was changed."""

    def __init__(self, errors: list[FormError]):
        self.errors = sorted(errors)
        super().__init__('\n'.join(str(error) for error in self.errors))


def _notices(project: Project):
    return [notice_set.notice for notice_set in project.notices]


def _judged(project: Project) -> date:
    return as_of_date(project.national.valid_as_of)


def form_name(project: Project, code: str) -> str:
    """NN-name, the stem every per-prefecture file shares."""
    return Path(project.prefectures[code].source.path).stem


def current_rows(project: Project, day: date | None = None) -> dict[str, list[Row]]:
    judge = project.judge(day or _judged(project))
    return {code: rows(data.prefecture, _notices(project), judge)
            for code, data in project.prefectures.items()}


# --- export ---------------------------------------------------------------------------------

def _answered_cells(path: Path) -> bool:
    """Whether the file at ``path`` holds answers, or is not a form (then it is kept)."""
    from .form import COLUMNS, FormUnreadable, form_cells
    try:
        cells = form_cells(path)
    except FormUnreadable:   # not a form export wrote: someone's file, never overwritten
        return True
    columns = [index for index, (_, _, _, key) in enumerate(COLUMNS)
               if key in ('answer', 'correction', 'person', 'date')]
    return any(row[index] not in (None, '') for number, row in cells.items()
               if number >= FIRST_ROW for index in columns)


def export(options: Options, out: Path, force: bool = False,
           progress: Callable | None = None,
           notify: Callable[[str], None] | None = None) -> list[Path]:
    """Write OUT/NN-name.xlsx and OUT/proof/NN-name.pdf for each prefecture; return them.

    The proof sheets are built as the ``proof`` command builds them, in a temporary folder,
    then moved into OUT/proof/. A form that holds answers is not overwritten unless
    ``force``.
    """
    from ..api import build, check
    project = load_project(options.root)
    if project.national is None or not project.prefectures:
        raise UsageError('no prefecture data in prefectures/: nothing to ask about')
    codes = options.prefectures or list(project.prefectures)
    unknown = [code for code in codes if code not in project.prefectures]
    if unknown:
        raise NoticegenError(f'no data for prefecture {", ".join(unknown)} in prefectures/')
    forms = {code: out / f'{form_name(project, code)}.xlsx' for code in codes}
    kept = [path for path in forms.values() if path.is_file() and _answered_cells(path)]
    if kept and not force:
        others = f' (and {plural(len(kept) - 1, "other form")})' if len(kept) > 1 else ''
        raise NoticegenError(
            f'{kept[0]} holds answers, or is not a form{others}: exporting again would '
            f'overwrite it; import the answers first, export into another folder, or use '
            f'--force')
    day = _judged(project)
    sent = [kind for kind in registry.kinds() if kind.sent_for_confirmation]
    if len({kind.command for kind in sent}) != 1:
        raise NoticegenError('no one command makes the sheets sent with the forms (a kind with '
                             'sent_for_confirmation and a command)')
    with tempfile.TemporaryDirectory(prefix='noticegen-confirm-') as temporary:
        built = dataclasses.replace(options, out=Path(temporary), command=sent[0].command,
                                    as_of=None, prefectures=codes)
        checked = check(built)
        result = build(built, progress=progress, checked=checked, notify=notify)
        if result.failed:
            raise NoticegenError('; '.join(outcome.message for outcome in result.failed))
        proofs = [Path(job.output) for job in checked.jobs]
        several = len({name.name for name in proofs}) < len(proofs)
        written = []
        for name in proofs:
            # OUT/proof/NN-name.pdf: the folder the kind writes into; with several notices,
            # each notice's sheets get a folder of their own.
            target = out / name.parent.name / (name.parts[0] if several else '') / name.name
            write_atomic(target, (Path(temporary) / name).read_bytes())
            written.append(target)
    judge = project.judge(day)
    for code, path in forms.items():
        prefecture = project.prefectures[code].prefecture
        found = rows(prefecture, _notices(project), judge)
        write_atomic(path, write_form(code, prefecture.name, project.national.valid_as_of,
                                      day, found))
        written.append(path)
    return written


# --- import ---------------------------------------------------------------------------------

@dataclass
class Imported:
    """What an import changed, and what the round still lacks."""

    as_of: date
    diff: str
    changed: list[str]                            # the source files rewritten
    answers: int
    answered: list[str]                           # prefecture codes
    not_answered: list[str]
    unconfirmed: dict[str, list[Row]] = field(default_factory=dict)   # code → rows

    def report(self, verbose: bool = False) -> list[str]:
        if self.answers:
            lines = [f'{plural(len(self.answered), "prefecture")} answered '
                     f'({plural(self.answers, "answer")}); {plural(len(self.changed), "file")} '
                     f'changed; the data is now valid as of {self.as_of.isoformat()}.']
        else:
            lines = ['no answers in the forms: nothing was changed.']
        if self.not_answered:
            names = ', '.join(f'{code} {NAMES[code][0]}' for code in self.not_answered)
            lines.append(f'not answered ({len(self.not_answered)}): {names}')
        total = sum(len(found) for found in self.unconfirmed.values())
        lines.append(f'still unconfirmed (not printed for a reason of their own, or unknown): '
                     f'{plural(total, "fact")} in {plural(len(self.unconfirmed), "prefecture")}'
                     f'{"" if verbose or not total else " (-v lists each)"}')
        for code, found in self.unconfirmed.items():
            counts: dict[str, int] = {}
            for row in found:
                counts[row.what] = counts.get(row.what, 0) + 1
            lines.append(f'  {code} {NAMES[code][0]}: '
                         + ', '.join(f'{what} {count}' for what, count in counts.items()))
            if verbose:
                lines += [f'    {row.id}: {row.value or "(none)"}: {row.reason}' for row in found]
        if self.answers:
            lines.append(f'validate judges the rest at {self.as_of.isoformat()} too (the national '
                         f'numbers and services, the texts\' facts); proof shows each prefecture.')
        return lines


def _stage(path: Path, text: str) -> Path:
    """``text`` in a temporary file beside ``path`` (renamed over it when all are good)."""
    handle, temporary = tempfile.mkstemp(prefix=f'.{path.name}.{os.getpid()}.', suffix='.part',
                                         dir=path.parent)
    os.fchmod(handle, FILE_MODE)
    with os.fdopen(handle, 'w', encoding='utf-8', newline='') as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    return Path(temporary)


def _reloaded(staged: Path, display: str, edits: Edits, model):
    """The staged file, loaded and validated: it must read back as the edits intended."""
    from pydantic import ValidationError
    source, errors = load_yaml(staged, display)
    if errors or source.data != edits.data:
        raise EditError(f'{display}: the edited text does not read back as intended'
                        f'{": " + str(errors[0]) if errors else ""}')
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        first = error.errors()[0]
        where = '.'.join(str(part) for part in first['loc'])
        raise EditError(f'{display}: the answers would make it invalid: {where}: '
                        f'{first["msg"]}') from None


def import_answers(root: Path, as_of: date, files: list[Path], dry_run: bool = False,
                   display: Callable[[Path], str] = str) -> Imported:
    """Check every form, then apply them all, or change nothing; FormsRejected lists why."""
    project = load_project(root)
    if project.national is None:
        raise UsageError('prefectures/national.yaml is missing: no data to apply answers to')
    valid = project.national.valid_as_of
    if as_of < partial_date_start(valid):
        raise UsageError(f'--as-of {as_of.isoformat()} is before the data\'s valid_as_of '
                         f'{valid}: answers make the data newer, never older')
    checker = Checker(current_rows(project),
                      {code: data.prefecture.name for code, data in project.prefectures.items()},
                      {code: data.source.path for code, data in project.prefectures.items()},
                      valid, as_of)
    found: list[Answered] = []
    for path in files:
        answered = checker.read(path, display(path))
        if answered is not None:
            found.append(answered)
    if checker.errors:
        raise FormsRejected(checker.errors)

    found = [answered for answered in found if answered.answers]   # a blank form: no answer
    edited: list[tuple[Path, Edits, type]] = []
    for answered in found:
        data = project.prefectures[answered.code]
        edits = apply(answered, data.prefecture, data.source)
        if edits.changed():
            edited.append((project.root / data.source.path, edits, Prefecture))
    national = Edits(project.national_source)
    if found:      # with no answer at all, the data is no newer than it was
        national.set(('valid_as_of',), as_of.isoformat())
    if national.changed():
        edited.append((project.root / project.national_source.path, national, NationalData))

    staged: list[tuple[Path, Path]] = []
    after = {code: data.prefecture for code, data in project.prefectures.items()}
    diff = []
    try:
        for path, edits, model in edited:
            text = edits.result()
            temporary = _stage(path, text)
            staged.append((temporary, path))
            loaded = _reloaded(temporary, edits.source.path, edits, model)
            if isinstance(loaded, Prefecture):
                after[loaded.code] = loaded
            diff += difflib.unified_diff(
                edits.text.splitlines(keepends=True), text.splitlines(keepends=True),
                f'a/{edits.source.path}', f'b/{edits.source.path}')
        if not dry_run:
            for temporary, path in staged:
                os.replace(temporary, path)
            staged = []
    except EditError as error:
        raise NoticegenError(f'{error} (a bug in noticegen: nothing was changed)') from None
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)

    judge = project.judge(as_of if found else as_of_date(valid))   # the data's valid_as_of
    unconfirmed = {}
    for code, prefecture in after.items():
        left = [row for row in rows(prefecture, _notices(project), judge) if row.unconfirmed]
        if left:
            unconfirmed[code] = left
    answered_codes = [answered.code for answered in found]
    return Imported(as_of, ''.join(diff), [edits.source.path for _, edits, _ in edited],
                    sum(len(answered.answers) for answered in found), answered_codes,
                    [code for code in project.prefectures if code not in answered_codes],
                    unconfirmed)
