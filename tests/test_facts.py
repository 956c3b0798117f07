"""Printed facts that can be trusted: status by age and notes, an honest date, every claim
backed, labels in the reader's language (issue 13). Each rule is shown on real PDFs."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, copy_project, messages, run_cli

NOTICE = '2024-10-08-onestop'


def load(root: Path = ROOT):
    from noticegen.load.project import load_project
    return load_project(root)


PROJECT = load()


def pdf_text(path: Path) -> str:
    """The text of every page, NFKC, without whitespace: the form facts are looked for in."""
    with pdfplumber.open(path) as pdf:
        text = ''.join(page.extract_text() or '' for page in pdf.pages)
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', text))


def squeeze(text: str) -> str:
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', text))


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding='utf-8')
    assert old in text, f'{file} no longer holds {old!r}'
    path.write_text(text.replace(old, new, 1), encoding='utf-8')


def build(root: Path, out: Path, *args: str, env: dict | None = None):
    result = run_cli('build', '--out', str(out), *args, root=root, env=env)
    return result


def leaflet(out: Path, stem: str, lang: str | None = None) -> Path:
    return out / NOTICE / 'leaflets' / (f'{stem}.pdf' if lang is None else f'{stem}.{lang}.pdf')


def card(out: Path, stem: str, lang: str) -> Path:
    return out / NOTICE / 'cards' / f'{stem}.{lang}.pdf'


# --- Rule fixtures ------------------------------------------------------------------------

IBARAKI = 'prefectures/08-ibaraki.yaml'
IBARAKI_PHONE_AS_OF = "    as_of: '2024-07-18'\n  note:"


def test_a_source_older_than_the_limit_does_not_print_until_the_as_of_date_moves(project,
                                                                                    tmp_path):
    edit(project, IBARAKI, IBARAKI_PHONE_AS_OF, "    as_of: '2019-05-01'\n  note:")
    out = tmp_path / 'now'
    result = build(project, out, '-p', '08', '--lang', 'en', '-v')
    assert result.returncode == 0, result.stderr
    assert '029-350-2001' not in pdf_text(leaflet(out, '08-ibaraki'))
    assert '029-350-2001' not in pdf_text(card(out, '08-ibaraki', 'en'))
    assert '#8891' in pdf_text(leaflet(out, '08-ibaraki'))           # the fallback
    found = [m for m in messages(result.stderr, 'warning') if m['path'] == IBARAKI]
    assert any(m['message'] == 'centers[0].phones[0].as_of: number 029-350-2001 is older than 3 '
               'years: as of 2019-05-01, before 2023-11-30 (counted from 2026-11-30); not '
               'printed' for m in found), result.stderr
    assert any('no printable direct number' in m['message'] for m in found)
    # Judged at a date when that source was fresh, the same number prints.
    then = tmp_path / 'then'
    result = build(project, then, '-p', '08', '--lang', 'none', '--as-of', '2021-06-30')
    assert result.returncode == 0, result.stderr
    assert '029-350-2001' in pdf_text(leaflet(then, '08-ibaraki'))


def test_a_source_dated_after_the_data_does_not_print(project, tmp_path):
    """A date no page can state yet (2099 typed for 2019) made the number fresh until 2102."""
    edit(project, IBARAKI, IBARAKI_PHONE_AS_OF, "    as_of: '2099-07-18'\n  note:")
    out = tmp_path / 'dist'
    result = build(project, out, '-p', '08', '--lang', 'none', '-v')
    assert result.returncode == 0, result.stderr
    assert '029-350-2001' not in pdf_text(leaflet(out, '08-ibaraki'))
    assert any(m['path'] == IBARAKI and m['message'] == (
        "centers[0].phones[0].as_of: number 029-350-2001 is dated 2099-07-18, after the data's "
        "date 2026-11-30 (valid_as_of, or --as-of): no source states a day to come; check the "
        "date; not printed") for m in messages(result.stderr, 'warning')), result.stderr
    assert run_cli('validate', '--strict', root=project).returncode == 1
    # An earlier --as-of still judges the data as of then, by age alone.
    then = tmp_path / 'then'
    edit(project, IBARAKI, "    as_of: '2099-07-18'\n  note:", IBARAKI_PHONE_AS_OF)
    assert build(project, then, '-p', '08', '--lang', 'none', '--as-of', '2024-01-31'
                 ).returncode == 0
    assert '029-350-2001' in pdf_text(leaflet(then, '08-ibaraki'))


def test_an_undated_source_confirms_nothing(project, tmp_path):
    # A confirmed number on a page that states no date is refused outright ...
    edit(project, IBARAKI, IBARAKI_PHONE_AS_OF, "    as_of: null\n    retrieved: 2026-11-20\n  note:")
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert re.search(r"prefectures/08-ibaraki\.yaml:\d+:\d+: error: centers\[0\]\.phones\[0\]: "
                     r"number: a confirmed fact needs a dated source", result.stderr), result.stderr
    # ... and as unverified, with the reason, it is reported and never printed.
    edit(project, IBARAKI, '    status: confirmed\n',
         "    status: unverified\n    status_note: 'undated: the page states no date'\n")
    out = tmp_path / 'dist'
    result = build(project, out, '-p', '08', '--lang', 'none', '-v')
    assert result.returncode == 0, result.stderr
    assert '029-350-2001' not in pdf_text(leaflet(out, '08-ibaraki'))
    assert 'centers[0].phones[0].number: unverified number 029-350-2001 (性暴力被害者サポート' \
           'ネットワーク茨城), never printed: undated: the page states no date' in result.stderr


def test_a_prefectures_answer_is_a_dated_source_of_its_own(project, tmp_path):
    edit(project, IBARAKI, """    source: https://www-pref-ibaraki-jp.cache.yimg.jp/seikatsukankyo/seibun/anzen/20190313.html (更新 2024-07-18);
      https://ivac.or.jp/shien.html
    as_of: '2024-07-18'
  note:""", '    source: 都道府県回答 2026-10-01\n  note:')
    out = tmp_path / 'dist'
    result = build(project, out, '-p', '08', '--lang', 'none')
    assert result.returncode == 0, result.stderr
    assert '029-350-2001' in pdf_text(leaflet(out, '08-ibaraki'))    # dated by the answer
    # The answer dates it: an as_of that disagrees is an error.
    edit(project, IBARAKI, '    source: 都道府県回答 2026-10-01\n',
         "    source: 都道府県回答 2026-10-01\n    as_of: '2026-09-01'\n")
    result = run_cli('validate', root=project)
    assert result.returncode == 1 and 'is dated by the answer: as_of must be 2026-10-01' \
        in result.stderr, result.stderr


SEVEN = {'16': '076-471-7879', '21': '058-215-8349', '24': '059-253-4115',
         '25': '090-2599-3105', '28': '078-367-7874', '30': '073-444-0099',
         '46': '099-239-8787'}


def test_the_seven_numbers_to_recheck_are_unverified_with_their_note_quoted():
    from noticegen.check.notes import NOTE_WORDS
    for code, number in SEVEN.items():
        phones = [p for c in PROJECT.prefectures[code].prefecture.centers for p in c.phones
                  if p.number == number]
        assert len(phones) == 1 and phones[0].status == 'unverified', code
        note = phones[0].status_note
        assert '「' in note and any(word in note for word in NOTE_WORDS), (code, note)


def test_a_recheck_note_withholds_the_number_whatever_the_date(tmp_path):
    """Toyama's 076-471-7879: its research says 要再確認; even judged in 2019, when its 2018
    source was fresh, it does not print, and the report and the notes lint quote the note."""
    out = tmp_path / 'dist'
    result = build(ROOT, out, '-p', '16', '--lang', 'en', '--as-of', '2019-06-30', '-v')
    assert result.returncode == 0, result.stderr
    assert '076-471-7879' not in pdf_text(leaflet(out, '16-toyama'))
    assert '076-471-7879' not in pdf_text(card(out, '16-toyama', 'en'))
    assert 'centers[0].phones[0].number: unverified number 076-471-7879' in result.stderr
    assert '要再確認' in result.stderr
    notes = run_cli('notes', '-p', '16')
    assert notes.returncode == 0
    line = next(line for line in notes.stdout.splitlines() if '(要再確認)' in line)
    assert 'for number 076-471-7879, status unverified, applied' in line


def test_a_moved_center_prints_its_new_name_but_not_the_old_number(tmp_path):
    out = tmp_path / 'dist'
    result = build(ROOT, out, '-p', '27', '--lang', 'en', '-v')
    assert result.returncode == 0, result.stderr
    text = pdf_text(leaflet(out, '27-osaka'))
    assert 'ウィズユーおおさか' in text and '072-330-0799' not in text
    assert '072-330-0799' not in pdf_text(card(out, '27-osaka', 'en'))
    with pdfplumber.open(leaflet(out, '27-osaka')) as pdf:
        big = [c for c in pdf.pages[1].chars if c['text'] == '#' and c['size'] >= 39.9]
    assert big, '#8891 is not printed large where it is the only number'
    assert re.search(r'prefectures/27-osaka\.yaml:\d+:\d+: warning: centers\[0\]\.phones\[0\]'
                     r'\.number: unverified number 072-330-0799 \(ウィズユーおおさか\), never '
                     r'printed: the center moved on 2025-10-20', result.stderr), result.stderr


def test_a_disputed_number_never_prints_and_is_reported(tmp_path):
    out = tmp_path / 'dist'
    result = build(ROOT, out, '-p', '13', '--lang', 'en', '-v')
    assert result.returncode == 0, result.stderr
    for path in (out / NOTICE).rglob('*.pdf'):
        assert '03-5577-3899' not in pdf_text(path), path
    assert 'centers[1].phones[1].number: disputed number 03-5577-3899' in result.stderr
    proof = run_cli('proof', '--out', str(out), '-p', '13')
    assert proof.returncode == 0, proof.stderr
    text = pdf_text(out / NOTICE / 'proof' / '13-tokyo.pdf')
    assert '03-5577-3899' in text and 'disputed' in text           # listed as withheld


def test_a_stale_national_number_still_prints_and_every_build_warns(project, tmp_path):
    national = 'prefectures/national.yaml'
    text = (project / national).read_text(encoding='utf-8')
    (project / national).write_text(text.replace('  as_of: 2025-01-06\n', '  as_of: 2022-01-06\n', 1),
                                    encoding='utf-8')
    out = tmp_path / 'dist'
    result = build(project, out, '-p', '08', '--lang', 'en')
    assert result.returncode == 0, result.stderr
    for path in (leaflet(out, '08-ibaraki'), card(out, '08-ibaraki', 'en')):
        assert '#8891' in pdf_text(path) and '0120-8891-77' in pdf_text(path)
    warning = ('short_dial.as_of: #8891 prints on every leaflet and card, but its source is older '
               'than 3 years: as of 2022-01-06')
    assert warning in result.stderr                     # printed in full, not only counted
    strict = build(project, tmp_path / 'strict', '-p', '08', '--lang', 'none', '--strict')
    assert strict.returncode == 1 and warning in strict.stderr


# --- The as-of date, the clock and determinism ---------------------------------------------

def test_an_as_of_date_over_a_month_old_warns_and_fails_strict():
    late = {'NOTICEGEN_TODAY': '2027-02-01'}
    result = run_cli('validate', env=late)
    assert result.returncode == 0
    assert ('prefectures/national.yaml:5:14: warning: valid_as_of: facts are judged as of '
            '2026-11-30, 63 days before today (2027-02-01)') in result.stderr, result.stderr
    assert run_cli('validate', '--strict', env=late).returncode == 1
    soon = run_cli('validate', env={'NOTICEGEN_TODAY': '2026-12-20'})
    assert 'days before today' not in soon.stderr


def test_the_same_sources_and_as_of_give_the_same_bytes_on_any_day(tmp_path):
    outputs = []
    for today in ('2026-11-30', '2031-05-05'):
        out = tmp_path / today
        result = build(ROOT, out, '-p', '14', '-p', '27', '--lang', 'ja,en', '--jobs', '1',
                       env={'NOTICEGEN_TODAY': today})
        assert result.returncode == 0, result.stderr
        outputs.append({path.relative_to(out): path.read_bytes()
                        for path in out.rglob('*') if path.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    assert all(outputs[0][name] == outputs[1][name] for name in outputs[0]), [
        str(name) for name in outputs[0] if outputs[0][name] != outputs[1][name]]


def test_the_as_of_date_is_part_of_the_input_hash(tmp_path):
    import json
    out = tmp_path / 'dist'
    keys = {}
    for as_of in ('2026-11-30', '2025-06-30'):
        result = build(ROOT, out / as_of, '-p', '14', '--lang', 'ja', '--as-of', as_of)
        assert result.returncode == 0, result.stderr
        manifest = json.loads((out / as_of / 'manifest.json').read_text(encoding='utf-8'))
        keys[as_of] = {entry['path']: entry['inputs'] for entry in manifest['outputs']}
    changed = {path for path in keys['2026-11-30'] if keys['2026-11-30'][path] != keys['2025-06-30'][path]}
    assert f'{NOTICE}/leaflets/14-kanagawa.pdf' in changed
    assert f'{NOTICE}/cards/14-kanagawa.ja.pdf' in changed
    assert f'{NOTICE}/notice.pdf' not in changed          # the letter prints no fact


# --- The printed date ---------------------------------------------------------------------

def expected_date(path: Path, code: str, lang: str, texts) -> str:
    """The oldest source date of the contact facts found printed in the PDF at ``path``:
    worked out from the PDF's text and the data, not from the code that made it."""
    from noticegen.model.claims import text_fields, text_of
    from noticegen.model.facts import CONTACT_KINDS
    from noticegen.model.localize import date_text
    from noticegen.model.schema import Claimed, partial_date_start
    printed = pdf_text(path)
    dates = []
    for center in PROJECT.prefectures[code].prefecture.centers:
        if squeeze(center.name) not in printed:
            continue
        dates.append(center.dated)
        if center.hours and not center.phones and squeeze(center.hours) in printed:
            dates.append(center.hours_dated)
        for phone in center.phones:
            if phone.number in printed:
                dates.append(phone.dated)
                if phone.hours and squeeze(phone.hours) in printed:
                    dates.append(phone.hours_dated)
    national = PROJECT.national
    dates += [national.short_dial.as_of, national.hikari_denwa.as_of]
    if 'Curetime' in printed:
        dates.append(national.sns.as_of)
    if squeeze(national.night_holiday_call_center.name) in printed:
        dates.append(national.night_holiday_call_center.as_of)
    for source, translation in texts:
        translated = dict(text_fields(translation)) if translation is not None else {}
        for loc, value in text_fields(source):
            if not isinstance(value, Claimed) or value.claim not in PROJECT.facts.facts:
                continue
            fact = PROJECT.facts.facts[value.claim]
            shown = text_of(translated.get(loc)) or value.text
            if fact.kind in CONTACT_KINDS and '{' not in shown and squeeze(shown) in printed:
                dates.append(fact.dated)
    oldest = min((d for d in dates if d), key=partial_date_start)
    return date_text(oldest, lang)


@pytest.fixture(scope='module')
def three(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('three')
    result = run_cli('build', '--out', str(out), '-p', '14', '-p', '31', '-p', '27',
                     '--lang', 'ja,en')
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize('code, stem', [('14', '14-kanagawa'), ('31', '31-tottori'),
                                        ('27', '27-osaka')])
def test_the_printed_date_is_the_oldest_source_date_of_the_printed_facts(three, code, stem):
    attachment = PROJECT.notices[0].attachments[0]
    translation = PROJECT.notices[0].translations[attachment.number]['en'][0]
    ja_card, _ = PROJECT.cards['ja']
    en_card, _ = PROJECT.card('en')
    cases = [(leaflet(three, stem), 'ja',
              [(attachment.front, None), (attachment.back, None)], '連絡先は{}時点の情報です'),
             (leaflet(three, stem, 'en'), 'en',
              [(attachment.front, translation.front), (attachment.back, translation.back)],
              'Contact details are as of {}'),
             (card(three, stem, 'ja'), 'ja', [(ja_card, None)], '連絡先は{}時点の情報です'),
             (card(three, stem, 'en'), 'en', [(ja_card, en_card)], 'Contact details are as of {}')]
    for path, lang, texts, sentence in cases:
        expected = expected_date(path, code, lang, texts)
        assert squeeze(sentence.format(expected)) in pdf_text(path), (path.name, expected)
    assert '令和8年11月現在' not in pdf_text(leaflet(three, stem))


def test_a_source_dated_by_its_year_prints_its_year_only(tmp_path):
    # A number whose source is dated '2024' (Tottori's, confirmed here for the test: its
    # real source is not official, so the data keeps it unverified): the sentence gives the
    # year, never a made-up month.
    import re as _re
    root = copy_project(tmp_path / 'project')
    path = root / 'prefectures' / '31-tottori.yaml'
    text = _re.sub(r"status: (candidate|unverified)\n( *)status_note: '[^\n]*'\n",
                   lambda m: f"status: {'confirmed'}\n", path.read_text(encoding='utf-8'))
    path.write_text(text, encoding='utf-8')
    out = tmp_path / 'out'
    result = run_cli('build', '--out', str(out), '-p', '31', '--lang', 'ja,en', root=root)
    assert result.returncode == 0, result.stderr
    assert '連絡先は令和6年時点の情報です' in pdf_text(card(out, '31-tottori', 'ja'))
    assert 'Contactdetailsareasof2024.' in pdf_text(card(out, '31-tottori', 'en'))


# --- Every claim backed ---------------------------------------------------------------------

def documents_texts():
    """Every leaflet and card text set, in every language: (name, lang, source, translation)."""
    attachment = PROJECT.notices[0].attachments[0]
    for part in ('front', 'back'):
        yield (f'leaflet.{part}', 'ja', getattr(attachment, part), None)
        for lang, (translation, _) in PROJECT.notices[0].translations[attachment.number].items():
            yield (f'leaflet.{part}', lang, getattr(attachment, part), getattr(translation, part))
    ja_card, _ = PROJECT.cards['ja']
    for lang in PROJECT.cards:
        card_text, _ = PROJECT.card(lang)     # with the English fallback, as it prints
        yield ('card', lang, ja_card, None if lang == 'ja' else card_text)


def test_every_text_of_every_leaflet_and_card_in_every_language_has_a_claim():
    from noticegen.model.claims import text_fields, text_of
    from noticegen.model.facts import NATIONAL_CLAIMS
    from noticegen.model.schema import NO_CLAIM, Claimed
    known = {NO_CLAIM, *NATIONAL_CLAIMS, *PROJECT.facts.facts}
    seen = 0
    for name, lang, source, translation in documents_texts():
        claims = dict(text_fields(source))
        assert all(isinstance(value, Claimed) for value in claims.values()), name
        fields = text_fields(translation) if translation is not None else claims.items()
        for loc, value in fields:
            claim = claims.get(loc)
            assert isinstance(claim, Claimed), f'{lang} {name} {loc}: no claim'
            assert claim.claim in known, f'{lang} {name} {loc}: {claim.claim}'
            assert claim.claim != NO_CLAIM or claim.reason, f'{lang} {name} {loc}: no reason'
            assert text_of(value)
            seen += 1
    assert seen > 300   # 13 cards of 18 fields, 2 leaflets of about 30


def test_a_text_that_claims_no_fact_holds_no_number_day_or_time_in_any_language():
    from noticegen.model.claims import stated_facts, text_fields, text_of
    from noticegen.model.schema import NO_CLAIM
    for name, lang, source, translation in documents_texts():
        claims = dict(text_fields(source))
        fields = text_fields(translation) if translation is not None else claims.items()
        for loc, value in fields:
            if claims[loc].claim == NO_CLAIM:
                assert stated_facts(text_of(value), lang) is None, (lang, name, loc, value)


@pytest.mark.parametrize('text, lang, found', [
    ('Open daily 17:00–21:00', 'en', 'a time'), ('Call us on Mondays', 'en', 'a day'),
    ('月・水・土に受け付けます', 'ja', 'a day'), ('火曜日は休みです', 'ja', 'a day'),
    ('24時間', 'ja', 'a time'), ('Abierto los lunes', 'es', 'a day'),
    ('ทุกวันจันทร์', 'th', 'a day'), ('전화 3번', 'ko', 'a number'),
    ('毎週星期二', 'zh-Hant', 'a day'), ('सोमबार खुला', 'ne', 'a day'),
    ('Centers in {prefecture}', 'en', None), ('連絡先は{date}時点の情報です。', 'ja', None),
    ('This translation has not yet been reviewed', 'en', None)])
def test_the_claim_none_check_finds_numbers_days_and_times(text, lang, found):
    from noticegen.model.claims import stated_facts
    result = stated_facts(text, lang)
    assert (result is None) if found is None else result.startswith(found), result


def test_a_claim_none_text_with_a_time_fails_and_so_does_a_text_without_a_claim(project):
    edit(project, 'cards/patient-card.yaml', "title: {text: 性暴力の被害にあった方へ,",
         "title: {text: 性暴力の被害にあった方へ（17:00まで）,")
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert re.search(r"cards/patient-card\.yaml:\d+:\d+: error: title\.text: this text claims no "
                     r"fact \(claim: none\) but holds a time \('17:00'\)", result.stderr), result.stderr
    edit(project, 'cards/patient-card.yaml', '（17:00まで）', '')
    edit(project, 'cards/patient-card.en.yaml', 'title: Help for people affected by sexual violence',
         'title: Open Mondays')
    result = run_cli('validate', root=project)
    assert re.search(r"cards/patient-card\.en\.yaml:\d+:\d+: error: title: this text claims no "
                     r"fact \(claim: none\) but holds a day \('Mondays'\)", result.stderr), result.stderr
    edit(project, 'cards/patient-card.yaml',
         "title: {text: 性暴力の被害にあった方へ, claim: none, reason: the card's title}",
         'title: 性暴力の被害にあった方へ')
    result = run_cli('validate', root=project)
    assert re.search(r'cards/patient-card\.yaml:\d+:\d+: error: title: give this text the fact '
                     r'it states', result.stderr), result.stderr


def test_a_translation_carries_no_claim_and_an_unknown_claim_is_refused(project):
    edit(project, 'cards/patient-card.en.yaml', 'ip_phones: ',
         "ip_phones: {text: 'Some IP phones cannot reach #8891.', claim: short-dial.ip-phones}\nx_was: ")
    text = (project / 'cards/patient-card.en.yaml').read_text(encoding='utf-8')
    (project / 'cards/patient-card.en.yaml').write_text(re.sub(r'\nx_was: [^\n]*', '', text),
                                                        encoding='utf-8')
    edit(project, 'cards/patient-card.yaml', 'claim: short-dial.free}', 'claim: short-dial.gratis}')
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert re.search(r"cards/patient-card\.en\.yaml:\d+:\d+: error: ip_phones\.claim: a translation "
                     r"shares its source's claims, by key", result.stderr), result.stderr
    assert re.search(r"cards/patient-card\.yaml:\d+:\d+: error: short_dial_cost\.claim: "
                     r"'short-dial\.gratis' is not a fact", result.stderr), result.stderr


def test_unsupported_promises_are_gone_and_the_caveats_print(three):
    for lang in ('ja', 'en'):
        text = pdf_text(card(three, '27-osaka', lang))
        assert '秘密は守られます' not in text and 'privacy' not in text.lower()
        assert '相談は無料' not in text and 'Consultationisfree' not in text
        assert '日本国内の電話からのみ' not in text and 'onlyfromaphoneinJapan' not in text
    ja = pdf_text(card(three, '27-osaka', 'ja'))
    en = pdf_text(card(three, '27-osaka', 'en'))
    assert squeeze('一部のIP電話などからは #8891 につながりません。') in ja   # #8891 is the only number
    assert squeeze('Some IP phones cannot reach #8891.') in en
    assert squeeze('一部のIP電話などからは #8891 につながりません。') in pdf_text(leaflet(three, '27-osaka'))
    # The languages each service answers in; Cure time is not said to be open in English.
    assert en.count(squeeze('Languages: Japanese (no other language confirmed)')) == 2
    assert en.count('English') == 1     # only the card's language, named on its front


def test_a_text_whose_fact_does_not_print_is_left_out(project, tmp_path):
    # The night and holiday call center's sources are from 2022: its sentence is left out.
    out = tmp_path / 'now'
    assert build(project, out, '-p', '14', '--lang', 'en').returncode == 0
    night = squeeze('内閣府の「性暴力被害者のための夜間休日対応コールセンター」')
    assert night not in pdf_text(leaflet(out, '14-kanagawa'))
    assert 'nightandholiday' not in pdf_text(card(out, '14-kanagawa', 'en'))
    # Judged in mid-2025, when it was fresh, it prints; and validate names the left-out texts.
    then = tmp_path / 'then'
    assert build(project, then, '-p', '14', '--lang', 'en', '--as-of', '2025-06-30').returncode == 0
    assert night in pdf_text(leaflet(then, '14-kanagawa'))
    assert 'nightandholiday' in pdf_text(card(then, '14-kanagawa', 'en'))
    result = run_cli('validate', root=project)
    assert re.search(r'facts/services\.yaml:\d+:\d+: warning: facts\.clinical\.disclosure: '
                     r'unverified: .*; left out: attachments/2024-10-08-onestop/1-leaflet\.yaml: '
                     r'front\.sections\[0\]\.bullets\[0\]', result.stderr), result.stderr


# --- Labels in the reader's language ------------------------------------------------------

def test_a_label_without_translation_prints_in_japanese_with_the_note(project, tmp_path):
    path = project / 'prefectures' / 'wording.en.yaml'
    text = path.read_text(encoding='utf-8')
    # The card prints Kanagawa's first number: its label's translation is taken out.
    text = '\n'.join(line for line in text.splitlines() if not line.startswith('  かならいん'))
    path.write_text(text + '\n', encoding='utf-8')
    out = tmp_path / 'dist'
    assert build(project, out, '-p', '14', '--lang', 'en').returncode == 0
    printed = pdf_text(card(out, '14-kanagawa', 'en'))
    assert squeeze('かならいん（女性相談員、#8891が繋がらない場合・通話料有料）(in Japanese)') in printed
    assert squeeze('24 hours a day, every day of the year') in printed    # still translated
    assert 'reviewed' in printed                                           # the review mark


def test_a_label_translation_that_drops_a_number_is_refused(project):
    edit(project, 'prefectures/wording.en.yaml', "Tuesdays 16:00–20:00", "Tuesday evenings")
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert "the translation drops 16:00, 20:00" in result.stderr, result.stderr


def test_validate_reports_the_coverage():
    result = run_cli('validate')
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith('coverage at'))
    assert line.startswith('coverage at 2026-11-30: 5 of 47 prefectures print a direct number '
                           'from a fresh, dated source: 08 茨城県 (2024-07-18)'), line
    assert re.search(r'facts not printed: \d+ stale, \d+ unverified, 1 disputed, \d+ undated',
                     result.stdout), result.stdout


def test_an_office_address_prints_only_from_a_fresh_dated_source():
    from noticegen.model.addressing import recipients
    from noticegen.model.facts import as_of_date
    from noticegen.model.schema import Prefecture
    tokyo = PROJECT.prefectures['13'].prefecture
    judge = PROJECT.judge(as_of_date(PROJECT.national.valid_as_of))
    notice = PROJECT.notices[0].notice

    def health(as_of):
        data = tokyo.model_dump(mode='python', exclude_defaults=True)
        data['departments'] = {'health': {
            'name': '東京都保健医療局医療政策部', 'postal_code': '163-8001',
            'address': '東京都新宿区西新宿二丁目8番1号', 'source': 'テスト用の架空のデータ',
            **({'as_of': as_of} if as_of else {})}}
        found = recipients(notice, Prefecture.model_validate(data), judge)
        return next(r for r in found if r.department == 'health')

    fresh = health('2026-04-01')
    assert fresh.name == '東京都保健医療局医療政策部' and fresh.postal_code == '163-8001'
    for stale in (None, '2022-06-01'):     # undated; older than the 3 years of a name
        generic = health(stale)
        assert generic.name == '東京都衛生主管部（局）' and generic.postal_code is None


@pytest.mark.parametrize('text, message', [
    ('prefectures: [\n', 'malformed YAML'),
    ('- 1\n', 'not a research file'),
])
def test_a_research_file_that_cannot_be_read_is_an_error(tmp_path, text, message):
    """Before, `notes --research FILE` read a broken file as one without notes, exit 0."""
    research = tmp_path / 'research.yaml'
    research.write_text(text, encoding='utf-8')
    result = run_cli('notes', '-p', '16', '--research', str(research))
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert re.search(rf'^{re.escape(str(research))}:\d+:\d+: error: .*{message}',
                     result.stderr, re.MULTILINE), result.stderr
