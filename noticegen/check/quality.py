"""Data-quality report on the prefecture data: what a release must not ship unnoticed."""

from __future__ import annotations

from datetime import date

from ..errors import SourceError, shorten, warning
from ..layout import PREFECTURES as PREFECTURES_FOLDER
from ..load.project import Project
from ..load.sources import format_loc
from ..model.schema import partial_date_end, partial_date_start

STALE_YEARS = 3


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


def report(project: Project, as_of: date | None = None,
           prefectures: list[str] | None = None,
           missing_files: bool | None = None) -> list[SourceError]:
    """The warnings on ``project``'s prefecture data, one per fact.

    ``prefectures``: judge only these (those a build prints); None judges all.
    ``missing_files`` (default: ``prefectures`` is None) also reports the prefectures that
    have no data file (the national mailing needs all 47).
    """
    from ..model.jis import PREFECTURES

    warnings: list[SourceError] = []
    if not project.prefectures:
        return warnings
    folder = PREFECTURES_FOLDER
    if missing_files if missing_files is not None else prefectures is None:
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
