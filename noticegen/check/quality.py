"""Data-quality report on the prefecture data: what a release must not ship unnoticed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..model.schema import partial_date_end, partial_date_start
from ..load.project import Project

STALE_YEARS = 3


@dataclass(frozen=True)
class Warning_:
    """One finding: a headline and the places it concerns (``path:line:col: detail``)."""

    headline: str
    details: tuple[str, ...]

    def __str__(self) -> str:
        return '\n'.join([f'warning: {self.headline}', *(f'  {d}' for d in self.details)])


def reference_date(project: Project, as_of: date | None) -> date | None:
    """The day data age is counted from: --as-of, else the data set's own date."""
    if as_of is not None:
        return as_of
    if project.national is None:
        return None
    return partial_date_end(project.national.valid_as_of)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def report(project: Project, as_of: date | None = None) -> list[Warning_]:
    """Return the warnings for ``project``'s prefecture data."""
    from ..model.jis import PREFECTURES

    warnings = []
    prefectures = project.prefectures
    if not prefectures:
        return warnings
    missing = [f'{code} {name}' for code, (name, _) in PREFECTURES.items() if code not in prefectures]
    if missing:
        warnings.append(Warning_(f'{len(missing)} prefectures have no data file', tuple(missing)))

    no_number = [f'{code} {data.prefecture.name}: {data.source.path}'
                 for code, data in prefectures.items() if not data.prefecture.has_direct_number]
    if no_number:
        warnings.append(Warning_(
            f'{len(no_number)} prefectures have no printable direct number '
            f'(their leaflets show #8891 only)', tuple(no_number)))

    for status in ('unverified', 'disputed'):
        found = []
        for code, data in prefectures.items():
            for c, center in enumerate(data.prefecture.centers):
                for p, phone in enumerate(center.phones):
                    if phone.status == status:
                        loc = ('centers', c, 'phones', p, 'number')
                        line, col = data.source.where(loc)
                        found.append(f'{data.source.path}:{line}:{col}: {code} {data.prefecture.name} '
                                     f'{phone.number} ({center.name}): {phone.status_note}')
        if found:
            warnings.append(Warning_(f'{len(found)} {status} numbers (never printed)', tuple(found)))

    today = reference_date(project, as_of)
    if today is not None:
        limit = _years_before(today, STALE_YEARS)
        stale, undated = [], []
        for code, data in prefectures.items():
            for c, center in enumerate(data.prefecture.centers):
                if center.status != 'confirmed':
                    continue
                facts = [(('centers', c), center.as_of, center.name)]
                facts += [(('centers', c, 'phones', p), phone.as_of, phone.number)
                          for p, phone in enumerate(center.phones) if phone.status == 'confirmed']
                for loc, fact_date, what in facts:
                    line, col = data.source.where(loc + ('as_of',))
                    where = f'{data.source.path}:{line}:{col}: {code} {data.prefecture.name} {what}'
                    if fact_date is None:
                        undated.append(f'{where}: no as_of')
                    elif partial_date_start(fact_date) < limit and partial_date_end(fact_date) < limit:
                        stale.append(f'{where}: as of {fact_date}')
        if stale:
            warnings.append(Warning_(
                f'{len(stale)} printed facts are older than {STALE_YEARS} years '
                f'(before {limit.isoformat()}, counted from {today.isoformat()})', tuple(stale)))
        if undated:
            warnings.append(Warning_(f'{len(undated)} printed facts have no date', tuple(undated)))
    return warnings
