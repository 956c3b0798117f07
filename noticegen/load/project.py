"""Gather and validate every source of the project before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..errors import SourceError, ValidationFailed, shorten
from ..model.languages import LANGUAGES
from ..model.schema import (BRANCH_TAGS, SERIES, Attachment, CardText, DataWording,
                            FactsFile, LeafletTranslation, Limits, NationalData, Notice,
                            PostageFile,
                            Prefecture)
from ..model.numbering import attachment_label, label_text
from .references import reference_errors
from .sources import Source, load_yaml
from ..layout import (ATTACHMENTS, CARDS, FACTS, NOTICES, PREFECTURES, ROOT, SOURCE_FOLDERS,
                      TEMPLATES)


@dataclass
class NoticeSet:
    """A notice with its attachments, in 別添 order."""

    notice: Notice
    source: Source
    attachments: list[Attachment] = field(default_factory=list)
    attachment_sources: list[Source] = field(default_factory=list)
    # Translations of attachments: {number: {lang: (translation, source)}}.
    translations: dict[int, dict[str, tuple[LeafletTranslation, Source]]] = field(
        default_factory=dict)

    @property
    def sources(self) -> list[Source]:
        return [self.source, *self.attachment_sources]

    def enclosure(self, attachment) -> int:
        """The attachment's place in the notice's set: 1 for the first (the letter is 0)."""
        return next(index for index, other in enumerate(self.attachments, start=1)
                    if other is attachment)


@dataclass
class PrefectureData:
    prefecture: Prefecture
    source: Source


@dataclass
class Project:
    root: Path
    notices: list[NoticeSet]
    prefectures: dict[str, PrefectureData] = field(default_factory=dict)  # by JIS code
    national: NationalData | None = None
    national_source: Source | None = None
    cards: dict[str, tuple[CardText, Source]] = field(default_factory=dict)  # by language
    # prefectures/wording.LANG.yaml: labels, hours and names of the prefecture data, by language
    wording: dict[str, tuple[DataWording, Source]] = field(default_factory=dict)
    limits: Limits | None = None                  # facts/limits.yaml
    limits_source: Source | None = None
    facts: FactsFile | None = None                # facts/services.yaml
    facts_source: Source | None = None
    # facts/postage.yaml: Japan Post's classes and fees; read by what weighs the mailing only
    # (not in facts_paths: a rate change rebuilds no leaflet)
    postage: PostageFile | None = None
    postage_source: Source | None = None

    def wording_paths(self, lang: str) -> tuple[str, ...]:
        """The file that translates the prefecture data's labels into ``lang``, if any."""
        return (self.wording[lang][1].path,) if lang in self.wording else ()

    def judge(self, as_of: date):
        """A Judge of this project's facts at ``as_of`` (facts/limits.yaml)."""
        from ..model.facts import Judge, as_of_date
        latest = as_of_date(self.national.valid_as_of) if self.national else None
        return Judge(self.limits, as_of, latest)

    @property
    def facts_paths(self) -> tuple[str, ...]:
        """The facts/ files: what judges every printed fact."""
        return tuple(source.path for source in (self.limits_source, self.facts_source)
                     if source is not None)

    def card(self, lang: str) -> tuple[CardText, list[str]]:
        """The card text in ``lang``, with the fields that fell back to English."""
        text, _ = self.cards[lang]
        missing = text.missing
        if not missing:
            return text, []
        english, _ = self.cards['en']
        return text.model_copy(update={name: getattr(english, name) for name in missing}), missing

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES

    @property
    def sources_by_path(self) -> dict[str, Source]:
        """Every loaded source by its path relative to the root."""
        found = [source for notice_set in self.notices for source in notice_set.sources]
        found += [source for notice_set in self.notices
                  for by_lang in notice_set.translations.values()
                  for _, source in by_lang.values()]
        found += [data.source for data in self.prefectures.values()]
        found += [source for _, source in self.cards.values()]
        found += [source for _, source in self.wording.values()]
        found += [source for source in (self.national_source, self.limits_source,
                                         self.facts_source, self.postage_source)
                  if source is not None]
        return {source.path: source for source in found}

    def is_reviewed(self, lang: str) -> bool:
        """A language is reviewed when its card translation has been (ja is the source)."""
        if lang == 'ja':
            return True
        card = self.cards.get(lang)
        return bool(card and card[0].translation and card[0].translation.reviewed)

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + '...'
    return f'{type(value).__name__} {text}'


_ADAPTERS: dict[object, TypeAdapter] = {}


def _adapter(model) -> TypeAdapter:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def _data_loc(data: object, loc: tuple) -> tuple:
    """Drop the parts of a pydantic location that name a schema branch, not a key."""
    kept = []
    for part in loc:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(part, str) and ('[' in part or part in _BRANCH_TAGS or (
                isinstance(data, dict) and data.get('kind') == part)):
            continue  # e.g. 'str' in a union, 'function-after[...]', a discriminator tag
        else:
            data = None
        kept.append(part)
    return tuple(kept)


OWNER_KEY = 'notice'  # an attachment's field naming its notice (a key, not a document kind)
_BRANCH_TAGS = {'str', 'int', 'float', 'bool', 'none', 'list', 'dict', 'date', 'literal',
                *BRANCH_TAGS}
_YAML_BOOLEANS = ('on', 'off', 'yes', 'no', 'true', 'false', 'y', 'n')


def pydantic_errors(source: Source, exception: ValidationError,
                    model: object = None) -> list[SourceError]:
    """Turn pydantic's errors into ``path:line:col: field: expected, found`` messages.

    ``model`` (the type validated) lets an unknown key list the keys allowed there.
    """
    errors = []
    for error in exception.errors(include_url=False):
        loc = _data_loc(source.data, error['loc'])
        error_type = error['type']
        message = error['msg'].removeprefix('Value error, ')
        if error_type == 'extra_forbidden':
            errors.append(source.error(loc, _unknown_key(model, source.data, loc), key=True))
            continue
        if error_type == 'missing':
            errors.append(source.error(loc, 'required field is missing'))
            continue
        value = error['input']
        if 'found' not in message and not isinstance(value, (dict, list)):
            message = f'{message}; found {_describe(value)}'
        if error_type == 'string_type' and isinstance(value, bool):
            raw = _raw_text(source, loc)
            message += (f': unquoted, YAML reads {raw or str(value).lower()} (like on, off, yes, '
                        f'no) as a boolean; write it quoted, as \'{raw or value}\'')
        elif error_type == 'string_type' and isinstance(value, (int, float)):
            raw = _raw_text(source, loc)
            if raw and raw != str(value):   # 0352531111 is octal 61518409, 1:30 is 90
                message += (f' (YAML reads the unquoted {shorten(raw, 40)} as '
                            f'{type(value).__name__} {shorten(repr(value), 40)}: quote it, as '
                            f"'{shorten(raw, 40)}')")
            else:
                message += (f"; write it quoted, as '{raw or value}', so that it prints as "
                            f'written')
        errors.append(source.error(loc, message))
    return errors


def _raw_text(source: Source, loc: tuple) -> str:
    """The text of a plain scalar as written in the file ('' if unknown)."""
    if loc in source.spans and loc in source.plain:
        return source.text[slice(*source.spans[loc])].strip()
    return ''


def _unknown_key(model: object, data: object, loc: tuple) -> str:
    """``unknown key 'x'``, with the keys allowed there and the nearest one."""
    from ..model.nearest import nearest
    message = f'unknown key {loc[-1]!r}'
    allowed = allowed_keys(model, data, loc[:-1]) if model is not None else None
    if not allowed:
        return message
    guess = nearest(str(loc[-1]), ((key, key) for key in allowed), cutoff=0.6, limit=1)
    if guess:
        message += f'; did you mean {guess[0]!r}?'
    return f'{message} (allowed: {", ".join(allowed)})'


def _unwrap(annotation, data):
    """The concrete type of ``annotation`` for ``data``: unions pick the branch that fits."""
    import types
    import typing

    from pydantic import BaseModel
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            branches = [_unwrap(arg, data) for arg in typing.get_args(annotation)]
            models = [b for b in branches if isinstance(b, type) and issubclass(b, BaseModel)]
            if isinstance(data, dict) and models:
                kind = data.get('kind')
                for candidate in models:
                    field = candidate.model_fields.get('kind')
                    if field is not None and kind in typing.get_args(field.annotation):
                        return candidate
                return models[0]
            lists = [b for b in branches if typing.get_origin(b) is list]
            if isinstance(data, list) and lists:
                return lists[0]
            return branches[0]
        return annotation


def allowed_keys(model, data, loc: tuple) -> list[str] | None:
    """The keys the model allows at ``loc`` of ``data`` (a mapping there), or None."""
    import typing

    from pydantic import BaseModel
    annotation = model
    for part in (*loc, None):
        annotation = _unwrap(annotation, data)
        if part is None:
            break
        origin = typing.get_origin(annotation)
        if isinstance(part, int) and origin is list and isinstance(data, list) \
                and part < len(data):
            annotation, data = typing.get_args(annotation)[0], data[part]
        elif isinstance(part, str) and origin is dict and isinstance(data, dict):
            annotation, data = typing.get_args(annotation)[1], data.get(part)
        elif isinstance(part, str) and isinstance(annotation, type) \
                and issubclass(annotation, BaseModel) and isinstance(data, dict):
            fields = {field.alias or name: field for name, field
                      in annotation.model_fields.items()}
            if part not in fields:
                return None
            annotation, data = fields[part].annotation, data.get(part)
        else:
            return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return None


def _validate(source: Source, model, errors: list[SourceError]):
    if not isinstance(source.data, dict):
        errors.append(source.error((), f'expected a mapping of fields, found '
                                       f'{_describe(source.data)}'))
        return None
    try:
        return _adapter(model).validate_python(source.data)
    except ValidationError as exception:
        errors.extend(pydantic_errors(source, exception, model))
        return None


def yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob('*')
                  if path.suffix in {'.yaml', '.yml'} and path.is_file())


def escaping_links(root: Path) -> list[SourceError]:
    """Files in the source folders that are symlinks resolving outside the project.

    They are reported by path only: nothing is read from them, so no error can quote
    what they point at.
    """
    found = []
    for name in SOURCE_FOLDERS:
        folder = root / name
        if not folder.exists():
            continue
        if not folder.resolve().is_relative_to(root):
            found.append(SourceError(name, 1, 1, f'{name}/ is a link that leads outside the '
                                                 f'project; sources stay inside it'))
            continue
        for path in sorted(folder.rglob('*')):
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                found.append(SourceError(str(path.relative_to(root)), 1, 1,
                                         'a symlink that leads outside the project; sources '
                                         'stay inside it'))
    return found


def load_project(root: Path = ROOT) -> Project:
    """Load and validate every source; raise ValidationFailed listing all errors."""
    root = root.resolve()
    outside = escaping_links(root)
    if outside:
        raise ValidationFailed(outside)   # before anything is read
    errors: list[SourceError] = []
    project = Project(root, [])
    by_id: dict[str, NoticeSet] = {}

    invalid_ids: set[str] = set()  # notices that failed: their attachments stay quiet
    scopes: dict[str, str] = {}    # each notice's and attachment's file → the notice's id
    for path in yaml_files(root / NOTICES):
        source, load_errors = load_yaml(path, project.relative(path))
        scopes[source.path] = _raw_id(source.data, 'id', path.stem)
        errors.extend(load_errors)
        notice = None if load_errors else _validate(source, Notice, errors)
        if notice is not None:
            problems = [source.error(loc, message) for loc, message in notice.problems()]
            errors.extend(problems)
            notice = None if problems else notice
        if notice is None:
            if isinstance(source.data, dict) and isinstance(source.data.get('id'), str):
                invalid_ids.add(source.data['id'])
            else:
                invalid_ids.add(path.stem)
            continue
        if notice.id in by_id:
            errors.append(source.error(('id',), f'notice id {notice.id!r} is also used by '
                                                f'{by_id[notice.id].source.path}'))
            continue
        by_id[notice.id] = NoticeSet(notice, source)

    attachments: list[tuple[Attachment, Source]] = []
    attachment_failed = False  # then a gap in the numbers is that failure, not another
    translations: list[tuple[Path, Source]] = []
    for path in yaml_files(root / ATTACHMENTS):
        folder = path.relative_to(root / ATTACHMENTS).parts[0]
        scopes[project.relative(path)] = folder
        if _language_of(path):
            translations.append((path, None))
            continue
        source, load_errors = load_yaml(path, project.relative(path))
        scopes[source.path] = _raw_id(source.data, OWNER_KEY, folder)
        errors.extend(load_errors)
        if load_errors:
            attachment_failed = True
            continue
        attachment = _validate(source, Attachment, errors)
        included = getattr(attachment, 'file', None)  # an attachment that includes a PDF
        if included is not None:
            problem = _included_pdf_problem(path.parent / included, root / ATTACHMENTS)
            if problem:
                errors.append(source.error(('file',), problem))
                attachment = None
        if attachment is not None:
            attachments.append((attachment, source))
        else:
            attachment_failed = True

    for attachment, source in sorted(attachments, key=lambda pair: (
            SERIES.index(pair[0].series), pair[0].number)):
        owner = by_id.get(attachment.notice)
        if owner is None:
            if attachment.notice in invalid_ids:
                continue
            errors.append(source.error((OWNER_KEY,),
                                       f'no notice has the id {attachment.notice!r}'))
            continue
        taken = {(a.series, a.number): s for a, s in zip(owner.attachments,
                                                         owner.attachment_sources)}
        if (attachment.series, attachment.number) in taken:
            errors.append(source.error(('number',), (
                f'{attachment_label(owner.notice, attachment)} is also defined in '
                f'{taken[attachment.series, attachment.number].path}')))
            continue
        problems = getattr(attachment, 'problems', None)
        found = [source.error(loc, message) for loc, message
                 in (problems(owner.notice.style) if problems else ())]
        if found:
            errors.extend(found)
            attachment_failed = True
            continue
        owner.attachments.append(attachment)
        owner.attachment_sources.append(source)

    for path, _ in translations:
        _load_translation(project, path, by_id, errors)

    for notice_set in by_id.values():
        if not attachment_failed:
            errors.extend(_numbering_errors(notice_set))
            errors.extend(reference_errors(notice_set))

    _load_prefectures(project, errors)
    _load_facts(project, errors)
    _load_cards(project, errors)
    _check_claims(project, list(by_id.values()), errors)
    if errors:
        raise ValidationFailed(errors, scopes)
    project.notices = sorted(by_id.values(), key=lambda n: n.notice.id)
    return project


def _raw_id(data: object, key: str, default: str) -> str:
    """The notice id a source names (even an invalid one), for failure marking."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else default


def notice_scopes(project: Project) -> dict[str, str]:
    """Each loaded source of a notice (its file, attachments, translations) → its id."""
    scopes = {}
    for notice_set in project.notices:
        for source in notice_set.sources:
            scopes[source.path] = notice_set.notice.id
        for by_lang in notice_set.translations.values():
            for _, source in by_lang.values():
                scopes[source.path] = notice_set.notice.id
    return scopes


def _numbering_errors(notice_set: NoticeSet) -> list[SourceError]:
    """Each series is numbered 1, 2, 3 ... without gaps; a label without {n} labels one."""
    errors = []
    notice = notice_set.notice
    for series in SERIES:
        members = [a for a in notice_set.attachments if a.series == series]
        numbers = [a.number for a in members]
        template = notice.style.label_template(series)
        if numbers != list(range(1, len(numbers) + 1)):
            missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
            errors.append(notice_set.source.error(
                ('id',), f'attachments must be numbered 1, 2, 3 ... without gaps; missing '
                         f'{", ".join(label_text(template, n, "half") for n in missing)}'))
        elif len(numbers) > 1 and '{n}' not in template:
            errors.append(notice_set.source.error(
                ('style', f'{series}_label' if series != 'betten' else 'attachment_label'),
                f'{template!r} has no {{n}}, but the notice has {len(numbers)} of them: '
                f'add {{n}} to number them'))
    labels: dict[str, Source] = {}
    for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
        label = attachment_label(notice, attachment)
        if label in labels:
            errors.append(source.error(('label',) if attachment.label else ('number',),
                                       f'the label {label} is also used by '
                                       f'{labels[label].path}'))
        labels.setdefault(label, source)
    return errors


def _included_pdf_problem(path: Path, folder: Path) -> str | None:
    """Why the PDF an attachment names cannot be included, or None."""
    real = path.resolve()
    if not real.is_relative_to(folder.resolve()):
        return f'{path.name} resolves to {real}, outside attachments/'
    if not real.is_file():
        return f'no such file: {path}'
    with real.open('rb') as stream:
        if stream.read(5) != b'%PDF-':
            return f'{path.name} is not a PDF file'
    return _pdf_content_problem(real, path.name)


# Page sizes an attachment may have, in points: from A7 (74 × 105 mm) to A3 (297 × 420 mm),
# either way round. Nothing is scaled to fit.
_A7 = (209.76, 297.64)
_A3 = (841.89, 1190.55)


def _pdf_content_problem(path: Path, name: str) -> str | None:
    """Why the PDF itself cannot be included (opened here, so that build never meets it)."""
    import pikepdf
    try:
        document = pikepdf.Pdf.open(path)
    except pikepdf.PasswordError:
        return (f'{name} needs a password to open: include a copy without a password')
    except pikepdf.PdfError as exception:
        return f'{name} is not a readable PDF ({shorten(str(exception), 80)})'
    with document:
        if document.is_encrypted and not document.allow.modify_other:
            return (f'{name} is encrypted and does not allow changes (the 別添 label is '
                    f'stamped on it): ask its publisher for an unrestricted copy, or, where you '
                    f'are entitled to, save one with `qpdf --decrypt {name} OUT.pdf`')
        if not document.pages:
            return f'{name} has no pages'
        for number, page in enumerate(document.pages, start=1):
            box = page.mediabox
            width, height = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
            short, long = sorted((width, height))
            size = f'{width / 72 * 25.4:.0f} × {height / 72 * 25.4:.0f} mm'
            if short > _A3[0] + 1 or long > _A3[1] + 1:
                return f'{name}: page {number} is {size}, larger than A3'
            if short < _A7[0] - 1 or long < _A7[1] - 1:
                return f'{name}: page {number} is {size}, smaller than A7'
    return None


_PREFECTURE_FILE = re.compile(r'(\d{2})-([a-z]+)')
WORDING = 'wording'   # prefectures/wording.LANG.yaml


def _load_prefectures(project: Project, errors: list[SourceError]) -> None:
    """Load prefectures/national.yaml and one NN-romaji.yaml per prefecture."""
    folder = project.root / PREFECTURES
    for path in yaml_files(folder):
        source, load_errors = load_yaml(path, project.relative(path))
        errors.extend(load_errors)
        if load_errors:
            continue
        if path.stem == 'national':
            project.national = _validate(source, NationalData, errors)
            project.national_source = source
            continue
        if path.stem.startswith(WORDING + '.'):
            lang = _language_of(path)
            if lang is None or path.stem != f'{WORDING}.{lang}':
                errors.append(source.error((), f'wording.LANG.yaml: {path.stem.split(".", 1)[1]!r} '
                                               f'is not a language code'))
                continue
            loaded = _validate(source, DataWording, errors)
            if loaded is not None and loaded.lang != lang:
                errors.append(source.error(('lang',), f'the file name says {lang!r}, the file '
                                                      f'says {loaded.lang!r}'))
            elif loaded is not None:
                project.wording[lang] = (loaded, source)
            continue
        match = _PREFECTURE_FILE.fullmatch(path.stem)
        if not match:
            errors.append(source.error((), 'a prefecture file is named NN-romaji.yaml '
                                           '(13-tokyo.yaml), or national.yaml, or '
                                           'wording.LANG.yaml'))
            continue
        if ('code',) in source.plain:
            raw = source.text[slice(*source.spans[('code',)])]
            errors.append(source.error(('code',), (
                f"write the code quoted, as '{match.group(1)}': unquoted, YAML reads 08 as "
                f"text but 8 and 010 as numbers; found {raw}")))
            continue
        prefecture = _validate(source, Prefecture, errors)
        if prefecture is None:
            continue
        expected = f'{prefecture.code}-{prefecture.name_romaji.lower()}'
        if path.stem != expected:
            errors.append(source.error(('code',), f'code {prefecture.code} belongs in '
                                                  f'{expected}.yaml, not {path.name}'))
        elif prefecture.code in project.prefectures:
            errors.append(source.error(('code',), f'prefecture {prefecture.code} is defined twice'))
        else:
            project.prefectures[prefecture.code] = PrefectureData(prefecture, source)
    if project.prefectures and project.national is None and not any(
            e.path.endswith('national.yaml') for e in errors):
        errors.append(SourceError(project.relative(folder / 'national.yaml'), 1, 1,
                                  'missing: the data set date and national numbers'))
    project.prefectures = dict(sorted(project.prefectures.items()))


FACT_FILES = {'limits': Limits, 'services': FactsFile, 'postage': PostageFile}


def _load_facts(project: Project, errors: list[SourceError]) -> None:
    """facts/limits.yaml and facts/services.yaml: needed wherever prefectures print."""
    folder = project.root / FACTS
    for path in yaml_files(folder):
        model = FACT_FILES.get(path.stem)
        source, load_errors = load_yaml(path, project.relative(path))
        errors.extend(load_errors)
        if load_errors:
            continue
        if model is None:
            errors.append(source.error((), f'facts/ holds {", ".join(f"{name}.yaml" for name in FACT_FILES)}; '
                                           f'found {path.name}'))
            continue
        value = _validate(source, model, errors)
        if path.stem == 'limits':
            project.limits, project.limits_source = value, source
        elif path.stem == 'postage':
            project.postage, project.postage_source = value, source
        else:
            project.facts, project.facts_source = value, source
    if project.prefectures and project.limits_source is None:
        errors.append(SourceError(project.relative(folder / 'limits.yaml'), 1, 1,
                                  'missing: how old each kind of fact may be before it stops '
                                  'printing (stale_after_years)'))


def _check_claims(project: Project, notice_sets: list[NoticeSet],
                  errors: list[SourceError]) -> None:
    """Every text of a leaflet's or card's source carries a known claim; translations carry
    the text only, and have no field their source lacks."""
    from ..model.claims import numbers_changed, stated_facts, text_fields, text_of
    from ..model.facts import NATIONAL_CLAIMS
    from ..model.schema import NO_CLAIM, Claimed, LeafletAttachment
    known = {NO_CLAIM, *NATIONAL_CLAIMS, *(project.facts.facts if project.facts else ())}
    services = project.root / FACTS / 'services.yaml'
    # No facts to check the claims against: the file's own errors (or one line saying it is
    # missing) are the cause, not each claim.
    facts_failed = project.facts is None and (project.facts_source is not None
                                              or services.exists())
    unknown: list[str] = []

    def no_fact(source: Source, loc: tuple, text: str, lang: str) -> None:
        stated = stated_facts(text, lang)
        if stated:
            errors.append(source.error(loc, (
                f'this text claims no fact (claim: none) but holds {stated}: give it the '
                f'claim of the fact it states, or say it without the fact')))

    def check_source(source: Source, fields, lang: str = 'ja') -> dict[tuple, tuple]:
        places = {}   # each text's place: (its claim, its text)
        for loc, value in fields:
            places[loc] = (value.claim if isinstance(value, Claimed) else None,
                           text_of(value))
            if isinstance(value, Claimed) and value.claim == NO_CLAIM:
                no_fact(source, loc + ('text',), value.text, lang)
            if not isinstance(value, Claimed):
                errors.append(source.error(loc, (
                    'give this text the fact it states: {text: ..., claim: ID} with an id of '
                    'facts/services.yaml or of the national data, or claim: none with a '
                    'reason')))
            elif value.claim not in known and project.facts is None:
                unknown.append(value.claim)
            elif value.claim not in known:
                errors.append(source.error(loc + ('claim',), (
                    f'{value.claim!r} is not a fact of facts/services.yaml or of the national '
                    f'data')))
        return places

    def check_translation(source: Source, fields, places: dict[tuple, str], lang: str,
                          every: bool) -> None:
        seen = set()
        for loc, value in fields:
            seen.add(loc)
            if isinstance(value, Claimed):
                errors.append(source.error(loc + ('claim',), (
                    'a translation shares its source\'s claims, by key: write the text only')))
            elif loc not in places:
                errors.append(source.error(loc, 'the source has no such text to translate'))
            elif places[loc][0] == NO_CLAIM:
                no_fact(source, loc, value, lang)
            if not isinstance(value, Claimed) and loc in places:
                changed = numbers_changed(places[loc][1] or '', value)
                if changed:
                    errors.append(source.error(loc, (
                        f'the translation {changed}: a translation keeps every number and '
                        f'time of its source text (72, 16:00, #8891) and adds none')))
        if every:
            for loc in sorted(set(places) - seen, key=str):
                errors.append(source.error(loc[:-1], (
                    f'translations share the source\'s fields: missing the text of '
                    f'{".".join(map(str, loc))}')))

    for notice_set in notice_sets:
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            if not isinstance(attachment, LeafletAttachment):
                continue
            places = check_source(source, [*text_fields(attachment.front, ('front',)),
                                           *text_fields(attachment.back, ('back',))])
            for lang, (translation, translated) in notice_set.translations.get(
                    attachment.number, {}).items():
                check_translation(translated, [*text_fields(translation.front, ('front',)),
                                               *text_fields(translation.back, ('back',))],
                                  places, lang, every=True)
    if 'ja' in project.cards:
        card, source = project.cards['ja']
        places = check_source(source, text_fields(card))
        for lang, (translation, translated) in project.cards.items():
            if lang != 'ja':
                check_translation(translated, text_fields(translation), places, lang,
                                  every=False)
    if unknown and not facts_failed:
        errors.append(SourceError(project.relative(services), 1, 1, (
            f'missing: the service facts the texts of the leaflet and the card claim '
            f'({", ".join(sorted(set(unknown))[:3])} …); see "Facts and claims" in '
            f'docs/reference.md')))


def _language_of(path: Path) -> str | None:
    """'en' for 1-leaflet.en.yaml: a translation beside its Japanese source."""
    parts = path.stem.rsplit('.', 1)
    return parts[1] if len(parts) == 2 and parts[1] in LANGUAGES else None


def _load_in_language(project: Project, path: Path, model, lang: str,
                      errors: list[SourceError]):
    """Load and validate ``path``, whose `lang` must match its file name; None on error."""
    source, load_errors = load_yaml(path, project.relative(path))
    errors.extend(load_errors)
    if load_errors:
        return None
    value = _validate(source, model, errors)
    if value is None:
        return None
    if value.lang != lang:
        errors.append(source.error(('lang',), f'the file name says {lang!r}, the file says '
                                              f'{value.lang!r}'))
        return None
    return value, source


def _load_translation(project: Project, path: Path, notices: dict[str, NoticeSet],
                      errors: list[SourceError]) -> None:
    lang = _language_of(path)
    loaded = _load_in_language(project, path, LeafletTranslation, lang, errors)
    if loaded is None:
        return
    translation, source = loaded
    original = path.with_name(path.stem.rsplit('.', 1)[0] + path.suffix)
    for notice_set in notices.values():
        for attachment, attachment_source in zip(notice_set.attachments,
                                                 notice_set.attachment_sources):
            if attachment_source.path == project.relative(original):
                if not attachment.translatable:
                    errors.append(source.error((), f'only the leaflet is translated; '
                                                   f'{original.name} is a {attachment.kind}'))
                    return
                notice_set.translations.setdefault(attachment.number, {})[lang] = (
                    translation, source)
                return
    if not original.is_file():  # else the original is invalid, and reported already
        errors.append(source.error((), f'{original.name}: no such attachment to translate'))


def _load_cards(project: Project, errors: list[SourceError]) -> None:
    """cards/patient-card.yaml (the Japanese source) and patient-card.<lang>.yaml."""
    folder = project.root / CARDS
    for path in yaml_files(folder):
        lang = _language_of(path) or 'ja'
        loaded = _load_in_language(project, path, CardText, lang, errors)
        if loaded is None:
            continue
        card, source = loaded
        if lang in ('ja', 'en') and card.missing:
            errors.append(source.error((), f'the {LANGUAGES[lang].english} card is what others '
                                           f'fall back to: it needs every field; missing '
                                           f'{", ".join(card.missing)}'))
            continue
        if lang == 'ja' and card.translation is not None:
            errors.append(source.error(('translation',), 'the Japanese card is the source, not a '
                                                         'translation'))
            continue
        if lang != 'ja' and card.translation is None:
            errors.append(source.error((), 'a translation says where it came from: add '
                                           'translation: {source: ..., reviewed: false}'))
            continue
        project.cards[lang] = (card, source)
    if project.cards and not {'ja', 'en'} <= set(project.cards):
        errors.append(SourceError(project.relative(folder), 1, 1,
                                  'cards/ needs patient-card.yaml (ja) and patient-card.en.yaml'))
