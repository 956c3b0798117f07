"""Data-quality report on the facts: what a release must not ship unnoticed.

Every fact is judged as the documents judge it (model.facts): what does not print is
reported once, at the field that makes it so, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..errors import SourceError, shorten, warning
from ..layout import PREFECTURES as PREFECTURES_FOLDER
from ..load.project import Project
from ..load.sources import format_loc
from ..model.facts import (ALWAYS_PRINTED, NATIONAL_SERVICES, Judge, Verdict, national_verdicts,
                           printing)

# How far the as-of date may lag behind today before validate says so.
AS_OF_LAG_DAYS = 31

# The words the report uses for each kind of fact.
WHAT = {'センター': 'center', '電話': 'number', '受付時間': 'hours', 'URL': 'url'}


def reference_date(project: Project, as_of: date | None) -> date | None:
    """The day data age is counted from: --as-of, else the data set's own date."""
    from ..model.facts import as_of_date
    return as_of_date(project.national.valid_as_of if project.national else None, as_of)


def as_of_lag(project: Project, as_of: date | None, today: date) -> list[SourceError]:
    """A warning when the as-of date is more than a month before ``today``.

    Facts are judged at the as-of date, never at today: an old as-of date makes old facts
    look fresh. This is the one check that depends on the clock, and it prints nothing.
    """
    judged_at = reference_date(project, as_of)
    if judged_at is None or (today - judged_at).days <= AS_OF_LAG_DAYS:
        return []
    source = project.national_source
    field = '--as-of' if as_of is not None else 'valid_as_of'
    line, col = source.where(('valid_as_of',)) if source else (1, 1)
    path = source.path if source else f'{PREFECTURES_FOLDER}/national.yaml'
    return [warning(path, line, col, (
        f'{field}: facts are judged as of {judged_at.isoformat()}, '
        f'{(today - judged_at).days} days before today ({today.isoformat()}); move '
        f'valid_as_of (or --as-of) to the month the data was last checked'))]


def _why(verdict: Verdict) -> str:
    if verdict.status != 'confirmed':
        return f'{verdict.status}'
    if verdict.undated:
        return 'its source states no date'
    return verdict.reason


def report(project: Project, as_of: date | None = None,
           prefectures: list[str] | None = None,
           missing_files: bool | None = None) -> list[SourceError]:
    """The warnings on ``project``'s facts, one per fact.

    ``prefectures``: judge only these (those a build prints); None judges all.
    ``missing_files`` (default: ``prefectures`` is None) also reports the prefectures that
    have no data file (the national mailing needs all 47) and the national facts that do
    not print. The two national numbers print on every document: when their source is
    stale, every build says so.
    """
    from ..model.jis import PREFECTURES

    warnings: list[SourceError] = []
    if not project.prefectures or project.limits is None:
        return warnings
    judged_at = reference_date(project, as_of)
    if judged_at is None:
        return warnings
    judge = project.judge(judged_at)
    folder = PREFECTURES_FOLDER
    national = missing_files if missing_files is not None else prefectures is None
    if national:
        for code, (name, _) in PREFECTURES.items():
            if code not in project.prefectures:
                warnings.append(warning(f'{folder}/', 1, 1, f'{code} {name}: no data file'))
    warnings += national_warnings(project, judge, everything=national)
    if national:
        warnings += claim_warnings(project, judge)
    selected = {code: data for code, data in project.prefectures.items()
                if prefectures is None or code in prefectures}
    for code, data in selected.items():
        printed = printing(data.prefecture, judge)
        if not printed.has_direct_number:
            warnings.append(warning(data.source.path, 1, 1, f'{code} {data.prefecture.name}: no '
                                    f'printable direct number (the leaflet shows #8891 only)'))
        for key, department in data.prefecture.departments.items():
            for fact in ('name', 'address'):
                verdict = judge(fact, 'confirmed', department.as_of)
                if not verdict.printable:
                    loc = ('departments', key, 'as_of')
                    line, col = data.source.where(loc)
                    why = ('has no dated source' if verdict.undated else f'is {verdict.reason}')
                    warnings.append(warning(data.source.path, line, col, (
                        f'{format_loc(loc)}: the {fact} of {department.name} {why}; the '
                        f'mailing uses the notice\'s generic line')))
                    break
        for item in printed.withheld:
            verdict = item.verdict
            if verdict.status == 'candidate':
                continue   # a possible second center: listed on the proof sheet only
            what = WHAT[item.what]
            if item.because_center:
                loc = item.loc
                message = (f'{what} {item.value} is not printed: its center is not '
                           f'({_why(verdict)})')
            elif verdict.status != 'confirmed':
                loc = item.loc + (('number',) if what == 'number' else ())
                owner = f' ({item.center})' if item.center and what != 'center' else ''
                message = (f'{verdict.status} {what} {item.value}{owner}, never printed: '
                           f'{shorten(item.note)}')
            elif verdict.undated:
                loc = item.date_loc
                message = f'{what} {item.value} has no dated source; not printed'
            else:
                loc = item.date_loc
                message = f'{what} {item.value} is {verdict.reason}; not printed'
            line, col = data.source.where(loc)
            warnings.append(warning(data.source.path, line, col, f'{format_loc(loc)}: {message}'))
    return warnings


def national_warnings(project: Project, judge: Judge, everything: bool) -> list[SourceError]:
    """The national numbers always print: a stale one warns in every build. The other
    national services print only while fresh; ``everything`` (validate) reports them too."""
    source = project.national_source
    if project.national is None or source is None:
        return []
    found = []
    for name, verdict in national_verdicts(project.national, judge).items():
        entry = getattr(project.national, name)
        loc = (name, 'as_of')
        line, col = source.where(loc)
        if name in ALWAYS_PRINTED and (verdict.stale or verdict.future):
            found.append(warning(source.path, line, col, (
                f'{format_loc(loc)}: {entry.number} prints on every leaflet and card, but its '
                f'source is {verdict.reason}: re-source it')))
        elif name in NATIONAL_SERVICES and everything and not verdict.printable:
            found.append(warning(source.path, line, col, (
                f'{format_loc(loc)}: {entry.name} is {_why(verdict)}; not printed, nor the '
                f'texts that state it')))
    return found


def claimed_texts(project: Project) -> dict[str, list[str]]:
    """Which texts (file: field) claim each fact."""
    from ..model.claims import claims_of
    from ..model.schema import LeafletAttachment
    found: dict[str, list[str]] = {}
    parts = []
    for notice_set in project.notices:
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            if isinstance(attachment, LeafletAttachment):
                parts += [(source.path, attachment.front, ('front',)),
                          (source.path, attachment.back, ('back',))]
    if 'ja' in project.cards:
        card, source = project.cards['ja']
        parts.append((source.path, card, ()))
    for path, part, at in parts:
        for loc, value in claims_of(part).items():
            found.setdefault(value.claim, []).append(f'{path}: {format_loc(at + loc)}')
    return found


def claim_warnings(project: Project, judge: Judge) -> list[SourceError]:
    """Each fact of facts/ that a text claims but that does not print: those texts are
    left out of every leaflet and card until the fact is confirmed and fresh."""
    if project.facts is None or project.facts_source is None:
        return []
    source = project.facts_source
    claimed = claimed_texts(project)
    found = []
    for claim, fact in project.facts.facts.items():
        if claim not in claimed:
            continue
        verdict = judge(fact.kind, fact.status, fact.dated)
        if verdict.printable:
            continue
        texts = claimed[claim]
        more = f' and {len(texts) - 1} more' if len(texts) > 1 else ''
        why = (f'{verdict.status}: {shorten(fact.status_note or "")}'
               if verdict.status != 'confirmed' else _why(verdict))
        line, col = source.where(('facts', claim))
        found.append(warning(source.path, line, col, (
            f'facts.{claim}: {why}; left out: {texts[0]}{more}')))
    return found


@dataclass
class FactCoverage:
    """What validate says of the data as a whole: who prints a fresh direct number, and how
    many facts do not print, by reason."""

    as_of: date
    fresh: list[tuple[str, str, str]]       # (code, name, date of the oldest printed number)
    without: list[str]                      # codes that print #8891 only
    counts: dict[str, int]                  # stale, unverified, disputed, undated

    def lines(self) -> list[str]:
        total = len(self.fresh) + len(self.without)
        numbers = ', '.join(f'{code} {name} ({dated})' for code, name, dated in self.fresh)
        counts = ', '.join(f'{count} {reason}' for reason, count in self.counts.items())
        return [f'coverage at {self.as_of.isoformat()}: {len(self.fresh)} of {total} '
                f'prefectures print a direct number from a fresh, dated source'
                + (f': {numbers}' if numbers else ''),
                f'facts not printed: {counts} (validate lists each)']


def coverage(project: Project, as_of: date | None = None) -> FactCoverage | None:
    """Prefectures with a fresh direct number, and the facts that do not print, by reason
    (prefecture data, the national data and facts/ together)."""
    judged_at = reference_date(project, as_of)
    if judged_at is None or project.limits is None:
        return None
    judge = project.judge(judged_at)
    fresh, without = [], []
    counts = {'stale': 0, 'unverified': 0, 'disputed': 0, 'undated': 0}

    def count(verdict: Verdict) -> None:
        if verdict.status in ('unverified', 'disputed'):
            counts[verdict.status] += 1
        elif verdict.status == 'confirmed' and verdict.undated:
            counts['undated'] += 1
        elif verdict.status == 'confirmed' and verdict.stale:
            counts['stale'] += 1
        elif verdict.status == 'confirmed' and verdict.future:
            future = 'dated after valid_as_of'   # counted only when there are such facts
            counts[future] = counts.get(future, 0) + 1

    for code, data in project.prefectures.items():
        printed = printing(data.prefecture, judge)
        numbers = [fact.dated for fact in printed.facts if fact.what == '電話']
        if numbers:
            oldest_number = min(numbers, key=lambda dated: dated)
            fresh.append((code, data.prefecture.name, oldest_number))
        else:
            without.append(code)
        for item in printed.withheld:
            if not item.because_center:
                count(item.verdict)
    if project.national is not None:
        for verdict in national_verdicts(project.national, judge).values():
            count(verdict)
    for fact in (project.facts.facts.values() if project.facts else ()):
        count(judge(fact.kind, fact.status, fact.dated))
    return FactCoverage(judged_at, fresh, without, counts)


def postage_warnings(project: Project, as_of: date | None) -> list[SourceError]:
    """A rate table (facts/postage.yaml) that is stale or not confirmed, for a build that
    weighs its mailing: older than the limit for postage, or followed by a rate change on
    record. A stale table still gives fees; an unconfirmed one gives none."""
    from ..model.postage import later_change
    postage, source = project.postage, project.postage_source
    judged_at = reference_date(project, as_of)
    if postage is None or source is None or judged_at is None or project.limits is None:
        return []
    verdict = Judge(project.limits, judged_at)('postage', postage.status, postage.dated)
    found = []
    if postage.status != 'confirmed':
        line, col = source.where(('status',))
        found.append(warning(source.path, line, col, (
            f'postage: the rate table is {postage.status}: the mailing list gives no fee '
            f'(unknown) until it is confirmed from a dated source')))
    elif verdict.stale:
        line, col = source.where(('sources',))
        found.append(warning(source.path, line, col, (
            f'postage: the rate table is stale: {verdict.reason}; its fees are used as '
            f'given: check them against Japan Post\'s 料金表 and date the source')))
    change = later_change(postage, judged_at)
    if change is not None:
        line, col = source.where(('changes',))
        found.append(warning(source.path, line, col, (
            f'postage: the rate table is stale: a rate change on {change.isoformat()} is on '
            f'record after its effective date {postage.effective.isoformat()}; update the '
            f'classes and fees, and effective')))
    return found
