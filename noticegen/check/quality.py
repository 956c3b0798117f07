"""Data-quality report on the prefecture data: what a release must not ship unnoticed."""

from __future__ import annotations

from datetime import date

from ..errors import SourceError, shorten, warning
from ..layout import PREFECTURES as PREFECTURES_FOLDER
from ..load.project import Project
from ..load.sources import format_loc
from ..model.schema import partial_date_end, partial_date_start

STALE_YEARS = 3


# How far the as-of date may lag behind today before validate says so.
AS_OF_LAG_DAYS = 31


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


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def report(project: Project, as_of: date | None = None,
           prefectures: list[str] | None = None) -> list[SourceError]:
    """The warnings on ``project``'s prefecture data, one per fact.

    ``prefectures``: judge only these (a build's -p); None judges all, and also reports
    the prefectures that have no data file (the national mailing needs all 47).
    """
    from ..model.jis import PREFECTURES

    warnings: list[SourceError] = []
    if not project.prefectures:
        return warnings
    folder = PREFECTURES_FOLDER
    if prefectures is None:
        for code, (name, _) in PREFECTURES.items():
            if code not in project.prefectures:
                warnings.append(warning(f'{folder}/', 1, 1, f'{code} {name}: no data file'))
    selected = {code: data for code, data in project.prefectures.items()
                if prefectures is None or code in prefectures}

    for code, data in selected.items():
        if not data.prefecture.has_direct_number:
            warnings.append(warning(data.source.path, 1, 1, f'{code} {data.prefecture.name}: no '
                                    f'printable direct number (the leaflet shows #8891 only)'))
        for c, center in enumerate(data.prefecture.centers):
            for p, phone in enumerate(center.phones):
                if phone.status in ('unverified', 'disputed'):
                    loc = ('centers', c, 'phones', p, 'number')
                    line, col = data.source.where(loc)
                    warnings.append(warning(
                        data.source.path, line, col,
                        f'{format_loc(loc)}: {phone.status} number {phone.number} '
                        f'({center.name}), never printed: {shorten(phone.status_note or "")}'))

    today = reference_date(project, as_of)
    if today is not None:
        limit = _years_before(today, STALE_YEARS)
        for code, data in selected.items():
            for c, center in enumerate(data.prefecture.centers):
                if center.status != 'confirmed':
                    continue
                facts = [(('centers', c), center.as_of, center.name)]
                facts += [(('centers', c, 'phones', p), phone.as_of, phone.number)
                          for p, phone in enumerate(center.phones) if phone.status == 'confirmed']
                for loc, fact_date, what in facts:
                    line, col = data.source.where(loc + ('as_of',))
                    if fact_date is None:
                        message = f'printed fact {what} has no as_of'
                    elif partial_date_start(fact_date) < limit and partial_date_end(fact_date) < limit:
                        message = (f'printed fact {what} is older than {STALE_YEARS} years: as of '
                                   f'{fact_date}, before {limit.isoformat()} (counted from '
                                   f'{today.isoformat()})')
                    else:
                        continue
                    warnings.append(warning(data.source.path, line, col,
                                            f'{format_loc(loc + ("as_of",))}: {message}'))
    return warnings
