"""Turn one prefecture's checked answers into edits of its source file.

Rows that share a source are applied together (one answer date, the latest of theirs):

- 正 confirms: ``status: confirmed`` (its ``status_note`` and ``retrieved`` go), and the
  source becomes 「都道府県回答 YYYY-MM-DD（回答者）」 with ``as_of`` that date.
- 訂正 writes the correction, then confirms as 正 does.
- 誤 (wrong, nothing to put in its place): a center or number becomes ``disputed`` with a
  ``status_note`` quoting the answer; hours, a URL, a postal code or an address is removed;
  a department named wrongly is removed (covers and labels use the generic line).

Hours that rested on their center's or number's source keep it (as ``hours_source``) when
that source changes and the hours were not answered: an answer about a number says
nothing about its hours.
"""

from __future__ import annotations

from ..load.sources import Source
from ..model.schema import Prefecture
from .answers import Answer, Answered
from .edit import Edits


def answer_source(day: str, persons: list[str]) -> str:
    """The source of an answered fact: 都道府県回答 2026-12-10（保健医療局 山田）."""
    who = '、'.join(dict.fromkeys(person for person in persons if person))
    return f'都道府県回答 {day}（{who}）' if who else f'都道府県回答 {day}'


def apply(answered: Answered, prefecture: Prefecture, source: Source) -> Edits:
    edits = Edits(source)
    groups: dict[tuple, list[Answer]] = {}
    for answer in answered.answers:
        groups.setdefault(answer.row.group, []).append(answer)
    ids = {answer.row.id for answer in answered.answers}
    for group, answers in groups.items():
        day = max(answer.day for answer in answers).isoformat()
        text = answer_source(day, [answer.person for answer in answers])
        if group[0] == 'departments':
            _department(edits, group, prefecture, answers, text, day)
        elif group[-1] == 'hours':
            _hours(edits, group[:-1], answers[0], text, day)
        else:
            fact = prefecture.centers[group[1]]
            if len(group) > 2:
                fact = fact.phones[group[3]]
            _fact(edits, group, fact, answers, text, day, ids)
    return edits


def _keep_hours_source(edits: Edits, loc: tuple, fact, ids: set[str]) -> None:
    """Hours dated by ``fact``'s source keep that source when it is replaced."""
    from .rows import fact_id
    if fact.hours and not fact.hours_source and fact_id(loc + ('hours',)) not in ids:
        edits.set(loc + ('hours_source',), fact.source, after='hours')
        if fact.as_of:
            edits.set(loc + ('hours_as_of',), fact.as_of, after='hours_source')


def _status(edits: Edits, loc: tuple, wrong: str | None) -> None:
    if wrong:
        edits.set(loc + ('status',), 'disputed')
        edits.set(loc + ('status_note',), wrong, after='status')
    else:
        edits.set(loc + ('status',), 'confirmed')
        edits.delete(loc + ('status_note',))
    edits.delete(loc + ('retrieved',))      # an answer has no page to retrieve


def _dated(edits: Edits, loc: tuple, text: str, day: str) -> None:
    edits.set(loc + ('source',), text)
    edits.set(loc + ('as_of',), day, after='source')


def _fact(edits: Edits, loc: tuple, fact, answers: list[Answer], text: str, day: str,
          ids: set[str]) -> None:
    """A center (name and URLs) or a number: one source, one status."""
    _keep_hours_source(edits, loc, fact, ids)
    wrong = None
    for answer in answers:
        name = answer.row.field
        if answer.verdict == '訂正':
            edits.set(loc + (name,), answer.value)
        elif answer.verdict == '誤' and name in ('name', 'number'):
            wrong = f'{text}：{answer.row.what}に誤りとの回答（訂正なし）'
        elif answer.verdict == '誤':
            edits.delete(loc + ('url_display',))     # the short form goes with its URL
            if name == 'url':
                edits.delete(loc + ('url',))
    _status(edits, loc, wrong)
    _dated(edits, loc, text, day)


def _hours(edits: Edits, loc: tuple, answer: Answer, text: str, day: str) -> None:
    if answer.verdict == '誤':
        for name in ('hours_as_of', 'hours_source', 'hours'):
            edits.delete(loc + (name,))
        return
    if answer.verdict == '訂正':
        edits.set(loc + ('hours',), answer.value)
    edits.set(loc + ('hours_source',), text, after='hours')
    edits.set(loc + ('hours_as_of',), day, after='hours_source')


FIELDS = ('name', 'postal_code', 'address')


def _department(edits: Edits, loc: tuple, prefecture: Prefecture, answers: list[Answer],
                text: str, day: str) -> None:
    key = loc[1]
    if any(a.verdict == '誤' and a.row.field == 'name' for a in answers):
        # Wrongly named: the data no longer names it, and the generic line prints.
        if key in prefecture.departments:
            only = len(edits.data.get('departments') or {}) == 1
            edits.delete(('departments',) if only else loc)
        return
    given = {a.row.field: a for a in answers}
    if key not in prefecture.departments:
        entry = {name: given[name].value for name in FIELDS
                 if name in given and given[name].verdict == '訂正'}
        entry.update(source=text, as_of=day)
        if 'departments' in edits.data and edits.data['departments']:
            edits.insert(('departments',), key, entry)
        else:
            edits.delete(('departments',))    # an empty `departments: {}`, if written
            edits.append_top('departments', {key: entry})
        return
    previous = 'name'
    for name in FIELDS:
        answer = given.get(name)
        if answer is not None and answer.verdict == '訂正':
            edits.set(loc + (name,), answer.value, after=previous)
        elif answer is not None and answer.verdict == '誤':
            edits.delete(loc + (name,))
        if edits.exists(loc + (name,)):
            previous = name
    _dated(edits, loc, text, day)
