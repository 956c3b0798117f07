"""When a fact may print: its status, its source's date, and the limit for its kind.

A fact is a number, hours, a name, a URL, an address or a statement of facts/. It prints
only when its status is ``confirmed``, its source states a date, and that date is within the
limit for its kind (facts/limits.yaml), counted back from the as-of date. ``stale`` is
derived here, at build time; the YAML never says it.
"""

from __future__ import annotations

from datetime import date

from .schema import partial_date_end


def as_of_date(valid_as_of: str | None, override: date | None = None) -> date | None:
    """The day facts are judged at: ``--as-of``, else the data set's ``valid_as_of``.

    A month (2026-11) counts as its last day (2026-11-30), a year as 31 December.
    """
    if override is not None:
        return override
    return partial_date_end(valid_as_of) if valid_as_of else None
