"""One options object: what the CLI parses and what the API, tests and benchmarks pass."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .layout import ROOT


@dataclass
class Options:
    root: Path = ROOT
    out: Path = Path('dist')
    prefectures: list[str] | None = None    # JIS codes; None: all, the national mailing
    langs: list[str] | None = None          # None: reviewed languages, plus ja, ja-easy, en
    formats: list[str] | None = None        # None: screen only (plan/formats.py)
    jobs: int | None = None                 # worker processes; None: one per CPU
    force: bool = False
    wait: bool = True                       # wait for another build of ``out`` to finish
    strict: bool = False
    as_of: date | None = None               # judge facts at this date; None: valid_as_of
    today: date | None = None               # None: current_date() reads the clock
    command: str | None = None              # None: build; else a kind's own command (proof)
    kinds: tuple[str, ...] = ()             # preview and diff: the groups to look at
    dpi: int = 100
    extra: dict[str, Any] = field(default_factory=dict)   # kinds' own options
    cache_dir: Path | None = None           # None: the user's cache folder (platformdirs)
    verbosity: int = 0                      # -1 quiet, 0 normal, 1 verbose

    @property
    def cache(self) -> Path:
        """This project's cache folder."""
        from .layout import cache_dir
        return cache_dir(self.root, self.cache_dir)


TODAY_VARIABLE = 'NOTICEGEN_TODAY'


def current_date(options: Options | None = None) -> date:
    """Today: the one place the clock is read, for one warning only (an old as-of date).

    ``Options.today`` or the environment variable NOTICEGEN_TODAY (YYYY-MM-DD) stand in
    for the clock, so that tests can fake it. No output depends on it.
    """
    if options is not None and options.today is not None:
        return options.today
    given = os.environ.get(TODAY_VARIABLE)
    if given:
        try:
            return date.fromisoformat(given)
        except ValueError:
            from .errors import UsageError
            raise UsageError(f'{TODAY_VARIABLE}={given!r}: expected YYYY-MM-DD') from None
    return date.today()
