"""When a fact may print: its status, its source's date, and the limit for its kind.

A fact is a number, hours, a name, a URL, an address, or a statement of facts/. It prints
only when its status is ``confirmed``, its source states a date (or is a prefecture's
answer), and that date is within the limit for its kind (facts/limits.yaml), counted back
from the as-of date. ``stale`` is derived here, at build time; the YAML never says it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .schema import (Center, FactsFile, Limits, NationalData, Phone, Prefecture,
                     partial_date_end, partial_date_start)


def as_of_date(valid_as_of: str | None, override: date | None = None) -> date | None:
    """The day facts are judged at: ``--as-of``, else the data set's ``valid_as_of``.

    A month (2026-11) counts as its last day (2026-11-30), a year as 31 December.
    """
    if override is not None:
        return override
    return partial_date_end(valid_as_of) if valid_as_of else None


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Verdict:
    """Whether one fact prints, and if not, why."""

    kind: str
    status: str
    dated: str | None          # the source's date (YYYY, YYYY-MM or YYYY-MM-DD)
    limit: date                # the oldest day a source may be of, for this kind
    years: int
    as_of: date
    latest: date | None = None  # the last day a source can be dated: the data's own date

    @property
    def undated(self) -> bool:
        return self.dated is None

    @property
    def stale(self) -> bool:
        """Older than the limit: every day the date can mean is before it."""
        return self.dated is not None and partial_date_end(self.dated) < self.limit

    @property
    def future(self) -> bool:
        """Dated after the data's own date (valid_as_of, or a later as-of date): no page
        states a day to come (2099 typed for 2019), and such a date would keep the fact
        fresh for years."""
        latest = max(self.as_of, self.latest or self.as_of)
        return self.dated is not None and partial_date_start(self.dated) > latest

    @property
    def printable(self) -> bool:
        return (self.status == 'confirmed' and not self.undated and not self.stale
                and not self.future)

    @property
    def reason(self) -> str:
        """Why the fact does not print ('' when it does)."""
        if self.status != 'confirmed':
            return self.status
        if self.undated:
            return 'undated'
        if self.future:
            latest = max(self.as_of, self.latest or self.as_of)
            return (f'dated {self.dated}, after the data\'s date {latest.isoformat()} '
                    f'(valid_as_of, or --as-of): no source states a day to come; check the '
                    f'date')
        if self.stale:
            return (f'older than {self.years} year{"s" if self.years != 1 else ""}: as of '
                    f'{self.dated}, before '
                    f'{self.limit.isoformat()} (counted from {self.as_of.isoformat()})')
        return ''


# Why a fact does not print, in the words of the proof sheet and the 照会 form.
REASONS_JA = {'undated': '出典に日付がない', 'unverified': '未確認', 'disputed': '出典不一致',
              'candidate': '候補（別センターか未確認）'}


def reason_ja(verdict: Verdict) -> str:
    """Why a fact does not print, in Japanese ('' when it prints)."""
    if verdict.printable:
        return ''
    if verdict.status != 'confirmed':
        return REASONS_JA.get(verdict.status, verdict.status)
    if verdict.undated:
        return REASONS_JA['undated']
    if verdict.future:
        latest = max(verdict.as_of, verdict.latest or verdict.as_of)
        return f'出典の日付がデータの基準日より後（{verdict.dated}、基準日 {latest.isoformat()}）'
    return f'{verdict.years}年より古い（{verdict.dated}、基準日 {verdict.as_of.isoformat()}）'


class Judge:
    """Judges facts at one as-of date with the project's limits."""

    def __init__(self, limits: Limits, as_of: date, latest: date | None = None):
        self.limits = limits
        self.as_of = as_of
        self.latest = latest   # the data's own date (valid_as_of): no source is later

    def __call__(self, kind: str, status: str, dated: str | None) -> Verdict:
        years = self.limits.stale_after_years[kind]
        return Verdict(kind, status, dated, years_before(self.as_of, years), years, self.as_of,
                       self.latest)


@dataclass(frozen=True)
class PrintedFact:
    """A fact a document prints, with the date of its source: the printed date's material."""

    what: str         # 電話, 受付時間, センター名, URL, a claim id ...
    value: str
    dated: str
    source: str


@dataclass(frozen=True)
class Withheld:
    """A fact in the data that does not print, and why."""

    loc: tuple         # where it is in its prefecture file
    what: str          # センター, 電話, 受付時間, URL (the proof sheet's words)
    value: str
    verdict: Verdict
    note: str = ''     # the status_note, where there is one
    date_loc: tuple = ()   # the field that dates it (as_of, hours_as_of)
    center: str = ''   # the center it belongs to
    because_center: bool = False   # fine itself, but its center does not print


@dataclass
class PrintedPhone:
    phone: Phone
    hours: str | None          # None: no hours, or hours that do not print


@dataclass
class PrintedCenter:
    center: Center
    phones: list[PrintedPhone]
    hours: str | None
    url: str | None
    url_display: str | None


@dataclass
class Printing:
    """What a prefecture's documents print of its centers, and what they withhold."""

    centers: list[PrintedCenter] = field(default_factory=list)
    facts: list[PrintedFact] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)

    @property
    def has_direct_number(self) -> bool:
        return any(center.phones for center in self.centers)

    @property
    def numbers(self) -> list[str]:
        return [phone.phone.number for center in self.centers for phone in center.phones]


def printing(prefecture: Prefecture, judge: Judge) -> Printing:
    """The centers, numbers, hours and URLs of ``prefecture`` that print, judged by ``judge``.

    A center prints when its name does; its numbers, hours and URL only with it. A note
    about hours withholds the hours, not the number: each fact is judged on its own.
    """
    result = Printing()
    for c, center in enumerate(prefecture.centers):
        at = ('centers', c)
        name = judge('name', center.status, center.dated)
        if not name.printable:
            result.withheld.append(Withheld(at, 'センター', center.name, name,
                                            center.status_note or '', at + ('as_of',),
                                            center.name))
            for p, phone in enumerate(center.phones):
                verdict = judge('number', phone.status, phone.dated)
                result.withheld.append(Withheld(
                    at + ('phones', p), '電話', phone.number,
                    name if verdict.printable else verdict, phone.status_note or '',
                    at + ('phones', p, 'as_of'), center.name, verdict.printable))
            continue
        result.facts.append(PrintedFact('センター名', center.name, center.dated, center.source))
        phones = []
        for p, phone in enumerate(center.phones):
            verdict = judge('number', phone.status, phone.dated)
            loc = at + ('phones', p)
            if not verdict.printable:
                result.withheld.append(Withheld(loc, '電話', phone.number, verdict,
                                                phone.status_note or '', loc + ('as_of',),
                                                center.name))
                continue
            result.facts.append(PrintedFact('電話', phone.number, phone.dated, phone.source))
            hours = _hours(result, judge, loc, phone, f'（{phone.number}）', center.name)
            phones.append(PrintedPhone(phone, hours))
        hours = None
        if not phones:  # a center's own hours print only where it has no number
            hours = _hours(result, judge, at, center, '', center.name)
        url = display = None
        if center.url:
            verdict = judge('url', center.status, center.dated)
            if verdict.printable:
                url, display = center.url, center.url_display
                result.facts.append(PrintedFact('URL', center.url_display or center.url,
                                                center.dated, center.source))
            else:
                result.withheld.append(Withheld(at + ('url',), 'URL', center.url, verdict,
                                                date_loc=at + ('as_of',), center=center.name))
        result.centers.append(PrintedCenter(center, phones, hours, url, display))
    return result


def _hours(result: Printing, judge: Judge, loc: tuple, fact: Phone | Center, suffix: str,
           center: str) -> str | None:
    """The hours of ``fact`` if they print: judged by their own source's date."""
    if not fact.hours:
        return None
    verdict = judge('hours', 'confirmed', fact.hours_dated)
    if not verdict.printable:
        date_loc = loc + (('hours_as_of',) if fact.hours_source else ('as_of',))
        result.withheld.append(Withheld(loc + ('hours',), '受付時間', fact.hours + suffix,
                                        verdict, date_loc=date_loc, center=center))
        return None
    result.facts.append(PrintedFact('受付時間', fact.hours + suffix, fact.hours_dated,
                                    fact.hours_source or fact.source))
    return fact.hours


# The national services every leaflet and card prints, whatever their age (a stale one is a
# warning in every build), and those printed only while confirmed and fresh.
ALWAYS_PRINTED = ('short_dial', 'hikari_denwa')
NATIONAL_SERVICES = ('night_holiday_call_center', 'sns')
# Claim ids of the national data's entries, for texts that state them.
NATIONAL_CLAIMS = {'short-dial': 'short_dial', 'hikari-denwa': 'hikari_denwa',
                   'night-holiday': 'night_holiday_call_center', 'sns': 'sns'}


def national_printing(national: NationalData, judge: Judge) -> tuple[dict[str, bool],
                                                                      list[PrintedFact]]:
    """Which national entries print, and their facts: the two numbers always (a stale one
    is a warning, never a gap on the page), the services only while confirmed and fresh."""
    shown, facts = {}, []
    for name, verdict in national_verdicts(national, judge).items():
        entry = getattr(national, name)
        shown[name] = name in ALWAYS_PRINTED or verdict.printable
        if shown[name]:
            value = getattr(entry, 'number', None) or getattr(entry, 'name', '')
            facts.append(PrintedFact(name, value, entry.as_of, entry.source))
    return shown, facts


def national_verdicts(national: NationalData, judge: Judge) -> dict[str, Verdict]:
    """Each national entry's verdict (numbers for the two dials, service for the others)."""
    verdicts = {}
    for name in ALWAYS_PRINTED:
        entry = getattr(national, name)
        verdicts[name] = judge('number', 'confirmed', entry.as_of)
    for name in NATIONAL_SERVICES:
        entry = getattr(national, name)
        verdicts[name] = judge('service', entry.status, entry.as_of)
    return verdicts


def claim_verdicts(national: NationalData, facts: FactsFile | None,
                   judge: Judge) -> dict[str, Verdict]:
    """The verdict of every claim id a text may carry: facts/ and the national entries."""
    entries = national_verdicts(national, judge)
    verdicts = {claim: entries[name] for claim, name in NATIONAL_CLAIMS.items()}
    for claim, fact in (facts.facts.items() if facts else ()):
        verdicts[claim] = judge(fact.kind, fact.status, fact.dated)
    return verdicts


def oldest(facts: list[PrintedFact]) -> PrintedFact | None:
    """The printed fact with the oldest source date (the earliest day its date can mean)."""
    dated = [fact for fact in facts if fact.dated]
    return min(dated, key=lambda fact: (partial_date_start(fact.dated), fact.dated),
               default=None)


# The kinds of fact that are contact details: what 「連絡先は…時点の情報です」 speaks of. Policy
# and clinical statements are not contact details; they have their own sources and limits.
CONTACT_KINDS = ('number', 'hours', 'name', 'url', 'address', 'service')


def claim_facts(claims: list[str], national: NationalData, facts: FactsFile | None
                ) -> list[PrintedFact]:
    """The facts that printed claims state (the national ones are counted already)."""
    found = []
    for claim in claims:
        fact = facts.facts.get(claim) if facts else None
        if fact is not None and fact.dated:
            found.append(PrintedFact(claim, fact.statement, fact.dated,
                                     '; '.join(source.title for source in fact.sources)))
    return found


def contact_date(printed: list[PrintedFact], claims: list[PrintedFact],
                 facts: FactsFile | None) -> PrintedFact | None:
    """The oldest source date among the contact facts a document prints."""
    kinds = {claim: fact.kind for claim, fact in (facts.facts.items() if facts else ())}
    contact = [fact for fact in claims if kinds.get(fact.what) in CONTACT_KINDS]
    return oldest(printed + contact)
