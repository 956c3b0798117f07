"""別添1 leaflets for all 47 prefectures, 別添2–4, bundles and proofs, on the real PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import ROOT, run_cli

NOTICE = '2024-10-08-onestop'
PHONE = re.compile(r'0\d{1,4}-\d{1,4}-\d{2,4}')


def load():
    from noticegen.load.project import load_project
    return load_project(ROOT)


PROJECT = load()
PREFECTURES = PROJECT.prefectures


def printed(code: str, as_of: str | None = None):
    """What the documents of ``code`` print, judged as a build judges it."""
    from datetime import date

    from noticegen.model.facts import as_of_date, printing
    day = as_of_date(PROJECT.national.valid_as_of, date.fromisoformat(as_of) if as_of else None)
    return printing(PREFECTURES[code].prefecture, PROJECT.judge(day))


def leaflet_path(out: Path, code: str) -> Path:
    data = PREFECTURES[code]
    return out / NOTICE / 'leaflets' / f'{code}-{data.prefecture.name_romaji.lower()}.pdf'


def chars_of(page, text: str) -> list[list[dict]]:
    """Every occurrence of ``text`` on ``page``, as lists of chars."""
    chars = [c for c in page.chars if not c['text'].isspace()]
    joined = ''.join(c['text'] for c in chars)
    return [chars[m.start():m.start() + len(text)] for m in re.finditer(re.escape(text), joined)]


def test_there_are_47_prefectures_and_no_invented_count():
    assert sorted(PREFECTURES) == [f'{n:02d}' for n in range(1, 48)]
    shown = [c for code in PREFECTURES for c in printed(code).centers]
    assert len(shown) < 52  # the research could not confirm 52; nothing is padded


@pytest.mark.parametrize('code', sorted(PREFECTURES))
def test_leaflet_pages_numbers_and_sizes(full_build, code):
    prefecture = PREFECTURES[code].prefecture
    printable = set(printed(code).numbers)
    withheld = {p.number for c in prefecture.centers for p in c.phones} - printable
    with pdfplumber.open(leaflet_path(full_build, code)) as pdf:
        assert len(pdf.pages) == 2
        back = pdf.pages[1]
        text = back.extract_text()
        for number in printable:
            occurrences = chars_of(back, number)
            assert occurrences, f'{number} missing'
            assert all(c['size'] >= 18 for c in occurrences[0]), f'{number} under 18 pt'
        front = pdf.pages[0]
        band = [o for o in chars_of(front, '#8891') if all(c['size'] >= 39.9 for c in o)]
        assert len(band) == 1, '#8891 is printed large once in the band of page 1'
        large = [o for o in chars_of(back, '#8891') if all(c['size'] >= 18 for c in o)]
        assert len(large) <= 1, '#8891 is printed large at most once on page 2'
        if not printable:   # page 2 gives the national services in full
            assert large and min(c['size'] for c in large[0]) >= 39.9, '#8891 not prominent'
        allowed = printable | {PROJECT.national.hikari_denwa.number}
        for found in PHONE.findall(text.replace(' ', '')):
            assert found in allowed, f'{found} is printed but not a printable number of {code}'
        for number in withheld:
            assert number not in text.replace(' ', '')
        assert prefecture.name in text
        assert f'連絡先は{printed_date(code)}時点の情報です' in text.replace('\n', '')


def test_unverified_and_disputed_numbers_never_appear_anywhere(full_build):
    doubtful = {p.number for d in PREFECTURES.values() for c in d.prefecture.centers
                for p in c.phones if p.status != 'confirmed'}
    assert {'0570-064-810', '072-330-0799', '03-5577-3899'} <= doubtful
    for pdf_path in full_build.rglob('*.pdf'):
        text = ''.join(page.extract_text() or '' for page in pypdf.PdfReader(pdf_path).pages)
        for number in doubtful:
            assert number not in text.replace(' ', ''), f'{number} in {pdf_path}'


def test_national_number_keeps_its_grouping(full_build):
    with pdfplumber.open(leaflet_path(full_build, '13')) as pdf:
        text = pdf.pages[1].extract_text().replace(' ', '')
    assert '0120-8891-77' in text and '0120-889-177' not in text


def printed_date(code: str, lang: str = 'ja') -> str:
    """The oldest source date of the contact facts the leaflet of ``code`` prints."""
    from noticegen.model.claims import printed_claims
    from noticegen.model.facts import (as_of_date, claim_facts, claim_verdicts, contact_date,
                                       national_printing)
    from noticegen.model.localize import date_text
    judge = PROJECT.judge(as_of_date(PROJECT.national.valid_as_of))
    verdicts = claim_verdicts(PROJECT.national, PROJECT.facts, judge)
    leaflet = PROJECT.notices[0].attachments[0]
    claims = [claim for part in (leaflet.front, leaflet.back)
              for claim in printed_claims(part, lambda c: verdicts[c].printable)]
    first = contact_date(printed(code).facts + national_printing(PROJECT.national, judge)[1],
                         claim_facts(claims, PROJECT.national, PROJECT.facts), PROJECT.facts)
    return date_text(first.dated, lang)


QR_PREFECTURES = [code for code in PREFECTURES if any(c.url for c in printed(code).centers)]


@pytest.mark.parametrize('code', QR_PREFECTURES)
def test_qr_codes_decode_to_the_center_urls(full_build, code):
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(str(leaflet_path(full_build, code)))
    image = document[1].render(scale=3).to_pil()
    decoded = sorted(result.text for result in zxingcpp.read_barcodes(image))
    expected = sorted(c.url for c in printed(code).centers if c.url)
    assert decoded == expected


def label_position(pdf_path: Path, label: str):
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        found = chars_of(page, label)
        assert found, f'{label} not on the first page of {pdf_path.name}'
        return found[0], page.width


@pytest.mark.parametrize('name, label', [
    ('leaflets/01-hokkaido.pdf', '別添1'), ('betten-2.pdf', '別添2'),
    ('betten-3.pdf', '別添3'), ('betten-4.pdf', '別添4')])
def test_attachment_label_top_right_of_first_page(full_build, name, label):
    chars, width = label_position(full_build / NOTICE / name, label)
    assert chars[0]['top'] < 72  # in the top inch of the page
    assert width - chars[-1]['x1'] < 20 * 72 / 25.4 + 2  # within the right margin


@pytest.mark.parametrize('number', [2, 3, 4])
def test_summary_sheets_say_they_are_not_the_original(full_build, number):
    with pdfplumber.open(full_build / NOTICE / f'betten-{number}.pdf') as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text().replace(' ', '')
    assert '概要（原文ではありません）' in text
    assert '出典' in text


def test_letter_materials_list_matches_attachment_titles(full_build):
    text = ''.join(p.extract_text() for p in pypdf.PdfReader(full_build / NOTICE / 'notice.pdf').pages)
    compact = text.replace(' ', '').replace('\n', '')
    for attachment in PROJECT.notices[0].attachments:
        assert f'別添{attachment.number}{attachment.title}'.replace(' ', '') in compact


def test_bundle_has_one_bookmark_per_document(full_build):
    reader = pypdf.PdfReader(full_build / NOTICE / 'bundles' / '36-tokushima.pdf')
    # One top-level bookmark per document; a nested list holds that document's own.
    top = [entry for entry in reader.outline if not isinstance(entry, list)]
    titles = [entry.title for entry in top]
    assert [t.split(' ')[0] for t in titles] == ['事務連絡', '別添1', '別添2', '別添3', '別添4']
    pages = [len(pypdf.PdfReader(full_build / NOTICE / name).pages) for name in
             ('notice.pdf', 'leaflets/36-tokushima.pdf', 'betten-2.pdf', 'betten-3.pdf',
              'betten-4.pdf')]
    assert len(reader.pages) == sum(pages)
    destinations = [reader.get_destination_page_number(entry) for entry in top]
    assert destinations == [sum(pages[:i]) for i in range(5)]
    assert reader.trailer['/Root']['/Lang'] == 'ja'


def test_prefecture_filter_builds_only_that_prefecture(tmp_path):
    result = run_cli('build', '--out', str(tmp_path), '--prefecture', 'tokushima', '-p', '13',
                     '--lang', 'none')
    assert result.returncode == 0, result.stderr
    leaflets = sorted(p.name for p in (tmp_path / NOTICE / 'leaflets').iterdir())
    assert leaflets == ['13-tokyo.pdf', '36-tokushima.pdf']
    assert run_cli('build', '--out', str(tmp_path), '-p', 'atlantis').returncode == 2


def test_proof_sheet_lists_every_printed_number_with_its_source(tmp_path):
    result = run_cli('proof', '--out', str(tmp_path), '--prefecture', '14')
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / NOTICE / 'proof' / '14-kanagawa.pdf') as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        text = page.extract_text().replace(' ', '')
        phones = [shown.phone for c in printed('14').centers for shown in c.phones]
        assert len(phones) == 2
        for phone in phones:
            row = chars_of(page, phone.number)[0][0]
            line = ''.join(c['text'] for c in page.chars if abs(c['top'] - row['top']) < 3)
            assert phone.source.replace(' ', '')[:15] in line, f'{phone.number}: no source'
            assert phone.as_of in line
        national = PROJECT.national
        for number in (national.short_dial.number, national.hikari_denwa.number):
            assert number in text


def test_proof_sheet_lists_withheld_numbers_and_why(tmp_path):
    assert run_cli('proof', '--out', str(tmp_path), '-p', '13').returncode == 0
    with pdfplumber.open(tmp_path / NOTICE / 'proof' / '13-tokyo.pdf') as pdf:
        text = pdf.pages[0].extract_text()
    assert '03-5577-3899' in text and 'disputed' in text
    assert 'candidate' in text


def test_proof_sheet_gives_the_hours_their_own_source_and_the_services_their_operator(tmp_path):
    """hours_source and hours_as_of say where, and when, the hours were stated: the proof
    sheet shows them; judged at a date when those hours were fresh, they print."""
    result = run_cli('proof', '--out', str(tmp_path), '-p', '09', '--as-of', '2024-01-31')
    assert result.returncode == 0, result.stderr
    phone = PREFECTURES['09'].prefecture.centers[0].phones[0]
    assert phone.hours_source and phone.hours_as_of == '2021-03-02'
    with pdfplumber.open(tmp_path / NOTICE / 'proof' / '09-tochigi.pdf') as pdf:
        page = pdf.pages[0]
        text = page.extract_text().replace(' ', '').replace('\n', '')
        row = chars_of(page, '受付時間')[0][0]
        line = ''.join(c['text'] for c in page.chars if abs(c['top'] - row['top']) < 3)
    assert phone.hours_source.split()[0][:20] in line and '2021-03-02' in line
    assert '2024-01-31' in text                                      # the date it was judged at
    national = PROJECT.national
    for service in (national.night_holiday_call_center, national.sns):
        assert f'運営：{service.operator}' in text                   # both fresh in January 2024
    default = run_cli('proof', '--out', str(tmp_path / 'now'), '-p', '09')
    assert default.returncode == 0, default.stderr
    with pdfplumber.open(tmp_path / 'now' / NOTICE / 'proof' / '09-tochigi.pdf') as pdf:
        text = pdf.pages[0].extract_text().replace(' ', '').replace('\n', '')
    assert '3年より古い（2021-03-02' in text                          # withheld, and why
