"""Patient cards and leaflets in every language: glyphs, /Lang, budget, numbers, script."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import LANGUAGE_CODES, ROOT, copy_project, run_cli

NOTICE = '2024-10-08-onestop'
# Two numbers (one a Tuesday-only line); a toll-free number; no number at all.
CODES = LANGUAGE_CODES
STEMS = {'14': '14-kanagawa', '31': '31-tottori', '03': '03-iwate'}


def load():
    from noticegen.load.project import load_project
    return load_project(ROOT)


PROJECT = load()
from noticegen.model.languages import LANGUAGES  # noqa: E402


def printed_numbers(code: str) -> list[str]:
    from noticegen.model.facts import as_of_date, printing
    judge = PROJECT.judge(as_of_date(PROJECT.national.valid_as_of))
    return printing(PROJECT.prefectures[code].prefecture, judge).numbers


def documents(out: Path):
    for code in CODES:
        for lang in LANGUAGES:
            yield code, lang, 'card', out / NOTICE / 'cards' / f'{STEMS[code]}.{lang}.pdf'
        yield code, 'en', 'leaflet', out / NOTICE / 'leaflets' / f'{STEMS[code]}.en.pdf'


def card_text(path: Path) -> str:
    """The text of a card's four faces."""
    return '\n'.join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def script_pattern(lang: str) -> str:
    return f'[{LANGUAGES[lang].script_sample}]'


@pytest.mark.parametrize('code, lang, kind', [
    (code, lang, kind) for code in CODES for lang in LANGUAGES for kind in ('card',)] + [
    (code, 'en', 'leaflet') for code in CODES])
def test_every_language_renders_whole(all_languages, code, lang, kind):
    path = (all_languages / NOTICE / ('cards' if kind == 'card' else 'leaflets')
            / f'{STEMS[code]}.{lang}.pdf')
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == (4 if kind == 'card' else 2)          # page budget (4 faces)
    assert reader.trailer['/Root']['/Lang'] == LANGUAGES[lang].html_lang
    fonts = set()
    for page in reader.pages:
        for font in page['/Resources']['/Font'].values():
            fonts.add(str(font.get_object()['/BaseFont']).split('+', 1)[1])
    # Only the fonts the language's stylesheet declares (no fontconfig substitute).
    from noticegen.check.fonts import declared_stack
    allowed = {family.replace(' ', '-') for family in declared_stack(
        ROOT / 'templates' / LANGUAGES[lang].stylesheet)}
    allowed |= {family.replace(' ', '-') for family in declared_stack(
        ROOT / 'templates' / ('card.css' if kind == 'card' else 'leaflet.css'))}
    assert {re.sub(r'-(Bold|Regular)$', '', name) for name in fonts} <= allowed, fonts
    text = '\n'.join(page.extract_text() for page in reader.pages)
    compact = text.replace(' ', '')
    # The card prints the prefecture's first number; the leaflet every one.
    for number in printed_numbers(code)[:1] if kind == 'card' else printed_numbers(code):
        assert number in compact
    assert '#8891' in compact and '0120-8891-77' in compact
    assert re.search(script_pattern(lang), text), f'no {LANGUAGES[lang].english} text'


def test_international_forms_only_where_a_number_can_be_dialled_from_abroad(all_languages):
    def text(code, lang):
        path = all_languages / NOTICE / 'cards' / f'{STEMS[code]}.{lang}.pdf'
        return card_text(path)
    kanagawa = text('14', 'en')
    assert '+81 45-322-7379' in kanagawa
    assert '045-548-5666' not in kanagawa      # the card prints the prefecture's first number
    tottori = text('31', 'en')
    assert '0120-946-328' not in tottori       # unverified (an unofficial source): not printed
    assert '+81 120' not in tottori            # and toll-free numbers never get a form from abroad
    assert '+81' not in text('14', 'ja')                           # Japanese cards: national form
    assert '+81 120' not in kanagawa                                # 0120-8891-77 has none


def test_dates_and_names_follow_the_language(all_languages):
    def text(lang):
        # ja-easy: the screen edition, whose text layer has no furigana between the kanji.
        edition = '.screen' if lang == 'ja-easy' else ''
        path = all_languages / NOTICE / 'cards' / f'{STEMS["14"]}.{lang}{edition}.pdf'
        return card_text(path).replace('\n', ' ')
    # The oldest source date of what Kanagawa's card prints: its center's page, 2024-01-18.
    assert '連絡先は令和6年1月時点の情報です' in text('ja').replace(' ', '')
    assert 'Contact details are as of January 2024' in text('en')
    assert '2024年1月' in text('ja-easy').replace(' ', '')     # easy Japanese: Western year
    # Thai SARA AM (ำ) and SARA AA (า) share a glyph in the font, so the PDF's text layer
    # cannot tell them apart (a WeasyPrint ToUnicode limit): compare with both folded.
    def fold(value: str) -> str:
        return unicodedata.normalize('NFKC', value).replace('\u0e4d', '').replace('\u0e33', '\u0e32')
    assert fold('มกราคม 2024') in fold(text('th'))
    assert 'Kanagawa (神奈川県)' in text('en')                 # standard romanisation
    assert '神奈川県' in text('ja') and 'Kanagawa' not in text('ja')
    assert '24 hours a day, every day of the year' in text('en')  # 24時間365日: translated
    # The labels come from prefectures/wording.en.yaml (the card prints the first number).
    assert 'women counsellors' in text('en') and 'hours in Japanese' not in text('en')
    assert '女性相談員' not in text('en').replace(' ', '')


def test_unreviewed_cards_carry_the_mark(all_languages):
    for lang in ('en', 'th', 'ja-easy'):
        card, _ = PROJECT.cards[lang]
        assert not card.translation.reviewed
        edition = '.screen' if lang == 'ja-easy' else ''
        path = all_languages / NOTICE / 'cards' / f'{STEMS["14"]}.{lang}{edition}.pdf'
        # Thai SARA AM prints as SARA AA in the text layer (see below): compare folded.
        mark = card.unreviewed.replace(' ', '')[:6].replace('\u0e33', '\u0e32')
        assert mark in card_text(path).replace(' ', '').replace('\n', '')
    assert 'まだ確認されていません' not in card_text(
        all_languages / NOTICE / 'cards' / f'{STEMS["14"]}.ja.pdf')


def test_default_build_leaves_out_unreviewed_languages_until_reviewed(tmp_path):
    root = copy_project(tmp_path / 'project')
    listing = run_cli('list', '-p', '14', root=root).stdout
    assert f'{NOTICE}/cards/14-kanagawa.en.pdf' in listing
    assert f'{NOTICE}/cards/14-kanagawa.ja-easy.pdf' in listing
    assert f'{NOTICE}/cards/14-kanagawa.th.pdf' not in listing
    card = root / 'cards' / 'patient-card.th.yaml'
    card.write_text(card.read_text(encoding='utf-8').replace(
        '  reviewed: false\n  reviewer: null', '  reviewed: true\n  reviewer: テスト用の確認者'),
        encoding='utf-8')
    listing = run_cli('list', '-p', '14', root=root).stdout
    assert f'{NOTICE}/cards/14-kanagawa.th.pdf' in listing
    out = tmp_path / 'dist'
    assert run_cli('build', '--out', str(out), '-p', '14', '--lang', 'th',
                   root=root).returncode == 0
    text = card_text(out / NOTICE / 'cards' / '14-kanagawa.th.pdf')
    # The card's text is reviewed, but the labels it prints (wording.th.yaml) are not: marked.
    assert 'ยังไม่ได้รับการตรวจสอบ' in text
    wording = root / 'prefectures' / 'wording.th.yaml'
    wording.write_text(wording.read_text(encoding='utf-8').replace(
        '  reviewed: false\n  reviewer: null', '  reviewed: true\n  reviewer: テスト用の確認者'),
        encoding='utf-8')
    assert run_cli('build', '--out', str(out), '-p', '14', '--lang', 'th',
                   root=root).returncode == 0
    text = card_text(out / NOTICE / 'cards' / '14-kanagawa.th.pdf')
    assert 'ยังไม่ได้รับการตรวจสอบ' not in text and 'ภาษา' in text   # reviewed: no mark


def test_catalogs_compile():
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from noticegen.check.i18n import template_messages
    from noticegen.layout import catalog_path
    messages = template_messages(ROOT / 'locales')
    assert len(messages) >= 6
    for lang in LANGUAGES:
        if lang == 'en':
            continue
        with catalog_path(ROOT / 'locales', lang).open('rb') as stream:
            catalog = read_po(stream, locale=LANGUAGES[lang].babel)
        errors = list(catalog.check())
        assert not errors, (lang, errors)
        import io
        write_mo(io.BytesIO(), catalog)
        assert all(catalog[m] is not None and catalog[m].string for m in messages), lang


def test_missing_strings_fall_back_to_english_and_are_reported(tmp_path):
    root = copy_project(tmp_path / 'project')
    po = root / 'locales' / 'ko' / 'LC_MESSAGES' / 'messages.po'
    po.write_text(po.read_text(encoding='utf-8').replace('msgstr "연중무휴 24시간"', 'msgstr ""'),
                  encoding='utf-8')
    card = root / 'cards' / 'patient-card.ko.yaml'
    text = card.read_text(encoding='utf-8')
    card.write_text(re.sub(r'\nsns_lead: [^\n]*', '', text), encoding='utf-8')
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), '-p', '14', '--lang', 'ko', root=root)
    assert result.returncode == 0, result.stderr
    assert 'warning: ko: card text falls back to English for: sns_lead' in result.stderr
    assert "warning: ko: 1 template string falls back to English: '24 hours a day, every day" \
        in result.stderr
    printed = card_text(out / NOTICE / 'cards' / '14-kanagawa.ko.pdf')
    assert 'Chat consultation by the Cabinet Office' in printed    # the English text
    assert '24 hours a day, every day of the year' in printed    # the English template string
    report = run_cli('i18n', root=root).stdout
    assert re.search(r'ko\s+templates\s+5/6\s+83%.*missing: 24 hours a day, every day', report)
    assert re.search(r'ko\s+card\s+17/18\s+94%\s+unreviewed.*missing: sns_lead', report)


def test_a_language_without_a_font_for_its_script_is_refused(tmp_path):
    root = copy_project(tmp_path / 'project')
    sheet = root / 'templates' / 'fonts-th.css'
    sheet.write_text('html { font-family: "Noto Sans", "BIZ UDGothic"; }\n', encoding='utf-8')
    result = run_cli('build', '--out', str(tmp_path / 'dist'), '-p', '13', '--lang', 'th',
                     root=root)
    assert result.returncode == 1
    assert re.search(r"cards/patient-card\.th\.yaml:\d+:\d+: error: title: character 1 of the value: "
                     r"U\+0E04 'ค' \(THAI CHARACTER KHO KHWAI\) is in none of the fonts "
                     r"'Noto Sans', 'BIZ UDGothic'", result.stderr), result.stderr
