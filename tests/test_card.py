"""The patient card: a folded A6 card (105 × 74 mm, four faces) in every language, its
imposed A4 sheet, line breaking (BudouX phrases, Korean words) and furigana."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest

from conftest import LANGUAGE_CODES, ROOT, copy_project, run_cli

NOTICE = '2024-10-08-onestop'
CODES = ('14', '03')     # two numbers and a QR code; no printable center at all
assert set(CODES) <= set(LANGUAGE_CODES)
STEMS = {'14': '14-kanagawa', '03': '03-iwate'}
MM = 72 / 25.4
FACE = (105 * MM, 74 * MM)
KANJI = re.compile(r'[\u4e00-\u9fff\u3005]')
NO_LINE_START = '、。」）'
JAPANESE_DIRECTIONS = ('上記', '下記', '下の', '上の', '左', '右', '次のページ')
DIRECTION_WORDS = {'ja': JAPANESE_DIRECTIONS, 'ja-easy': JAPANESE_DIRECTIONS,
                   'en': ('above', 'below', 'left', 'right', 'overleaf')}


def load():
    from noticegen.load.project import load_project
    return load_project(ROOT)


PROJECT = load()
from noticegen.model.languages import LANGUAGES  # noqa: E402


@pytest.fixture(scope='module')
def built(all_languages) -> Path:
    """The cards of CODES in every language (conftest's build of LANGUAGE_CODES)."""
    return all_languages


def card_path(out: Path, code: str, lang: str, edition: str = '') -> Path:
    return out / NOTICE / 'cards' / f'{STEMS[code]}.{lang}{edition}.pdf'


def values(code: str, lang: str) -> dict:
    from noticegen.documents.card import card_values
    from noticegen.model.facts import as_of_date
    from noticegen.render.catalogs import load_catalog
    gettext = load_catalog(ROOT / 'locales', lang).gettext
    return card_values(PROJECT, PROJECT.prefectures[code].prefecture, lang,
                       as_of_date(PROJECT.national.valid_as_of), gettext)


def rows(page, minimum: float = 0, gap: float = 12) -> list[list[dict]]:
    """The page's text lines as characters (of at least ``minimum`` pt: furigana left out),
    top to bottom: a character joins the line whose last character ends just before it
    (``gap`` pt at most: furigana wider than their kanji space the kanji out), at the same
    height (marks above and below Thai letters, a Japanese name in Latin text)."""
    chars = [c for c in page.chars if c['size'] >= minimum and c['text'].strip()]
    found: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: c['x0']):
        middle = (char['top'] + char['bottom']) / 2
        row = next((row for row in found
                    if -0.6 * char['size'] < char['x0'] - row[-1]['x1'] < gap
                    and abs((row[-1]['top'] + row[-1]['bottom']) / 2 - middle)
                    < 0.5 * max(char['size'], row[-1]['size'])), None)
        if row is None:
            found.append([char])
        else:
            row.append(char)
    return sorted(found, key=lambda row: (round(min(c['top'] for c in row)),
                                          min(c['x0'] for c in row)))


def lines(page, minimum: float = 0, gap: float = 12) -> list[str]:
    return [''.join(c['text'] for c in row) for row in rows(page, minimum, gap)]


def boxes(page, minimum: float = 0, gap: float = 12) -> list[tuple]:
    """The box of each text line (of characters of at least ``minimum`` pt) and image."""
    found = [(min(c['x0'] for c in row), min(c['top'] for c in row),
              max(c['x1'] for c in row), max(c['bottom'] for c in row),
              ''.join(c['text'] for c in row)) for row in rows(page, minimum, gap)]
    return found + [(i['x0'], i['top'], i['x1'], i['bottom'], 'an image') for i in page.images]


def overlapping(found) -> tuple | None:
    """Two boxes (lines of text, images) that overlap by more than a fifth of the smaller."""
    for index, (x0, y0, x1, y1, a) in enumerate(found):
        for u0, v0, u1, v1, b in found[index + 1:]:
            w, h = min(x1, u1) - max(x0, u0), min(y1, v1) - max(y0, v0)
            smaller = min((x1 - x0) * (y1 - y0), (u1 - u0) * (v1 - v0))
            if w > 0 and h > 0 and smaller and w * h > smaller / 5:
                return a, b
    return None


@pytest.mark.parametrize('code, lang', [(code, lang) for code in CODES for lang in LANGUAGES])
def test_page_rules_of_the_card(built, code, lang):
    path = card_path(built, code, lang)
    view = values(code, lang)
    furigana = lang == 'ja-easy'
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 4                                       # four faces
        text = ''
        for page in pdf.pages:
            # The trim size, exactly.
            assert abs(float(page.width) - FACE[0]) < 0.01
            assert abs(float(page.height) - FACE[1]) < 0.01
            sizes = [c['size'] for c in page.chars if c['text'].strip()]
            assert min(sizes) >= 6.99, min(sizes)                          # nothing under 7 pt
            base = lines(page, 7.5, 30) if furigana else lines(page)
            for line in base[1:] if furigana else base:
                assert line[0] not in NO_LINE_START, line
            # No box overlaps another (furigana may touch their neighbours: base text only).
            found = boxes(page, 7.5, 30) if furigana else boxes(page)
            assert overlapping(found) is None, overlapping(found)
            text += '\n'.join(base) + '\n'
        flat = text.replace(' ', '')
        # Names and numbers unbroken: each on one line.
        for number in ('#8891', '0120-8891-77'):
            assert number in flat
        if view['first']:
            assert view['first']['phone']['number'] in flat
        for word in DIRECTION_WORDS.get(lang, ()):
            printed = text if lang == 'en' else flat
            assert not re.search(rf'\b{word}\b' if lang == 'en' else word, printed, re.I), word
        # The language's own name, in its own script.
        assert LANGUAGES[lang].name.replace(' ', '') in flat


def test_korean_words_are_never_broken(built):
    view = values('14', 'ko')
    with pdfplumber.open(card_path(built, '14', 'ko')) as pdf:
        printed = [line for page in pdf.pages for line in lines(page)]
    words = {word for key in ('short_dial_lead', 'ip_phones', 'short_dial_languages',
                              'sns_languages', 'short_dial_cost') if view['card'][key]
             for word in view['card'][key].split() if re.search('[가-힣]', word)}
    assert len(words) > 15
    for word in words:
        assert any(word in line.replace(' ', ' ') for line in printed), word
    # And a break happened somewhere: a text longer than a line spans two lines, at a space.
    lead = view['card']['short_dial_lead']
    assert not any(lead in line for line in printed)


def test_latin_inside_a_language_uses_its_own_fonts(built):
    with pdfplumber.open(card_path(built, '14', 'en')) as pdf:
        chars = [c for c in pdf.pages[3].chars]
    text = ''.join(c['text'] for c in chars)
    start = text.index('Cure')
    cure = chars[start:start + 9]
    assert ''.join(c['text'] for c in cure) == 'Curetime' or 'Cure' in text
    assert all('BIZ' not in c['fontname'] for c in chars[start:start + 4]), \
        {c['fontname'] for c in chars[start:start + 4]}
    kana = [c for c in chars if c['text'] == 'キ']
    assert kana and all('BIZ' in c['fontname'] for c in kana)


def test_qr_codes_decode_to_the_centers_page(built):
    import pypdfium2
    import zxingcpp
    url = values('14', 'en')['qr_url']
    assert url
    for lang in ('ja', 'en', 'ko'):
        image = pypdfium2.PdfDocument(card_path(built, '14', lang))[2].render(scale=6).to_pil()
        decoded = [result.text for result in zxingcpp.read_barcodes(image)]
        assert decoded == [url], (lang, decoded)
    assert values('03', 'en')['qr_url'] is None   # Iwate: no center page prints, no QR code


def test_imposed_sheet_has_crop_marks_at_every_trim_corner(built):
    from noticegen.documents.card_sheet import FACE as SHEET_FACE, trim_corners
    path = built / NOTICE / 'cards' / 'sheets' / f'{STEMS["14"]}.ja.pdf'
    corners = trim_corners()
    assert len(corners) == 8 and SHEET_FACE == pytest.approx(FACE)
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert (float(page.width), float(page.height)) == pytest.approx((297 * MM, 210 * MM),
                                                                          abs=0.01)
            segments = [(line['x0'], float(page.height) - line['top'], line['x1'],
                         float(page.height) - line['bottom']) for line in page.lines]
            for x, y in corners:
                horizontal = [s for s in segments if abs(s[1] - y) < 0.1 and abs(s[3] - y) < 0.1
                              and min(abs(s[0] - x), abs(s[2] - x)) == pytest.approx(2 * MM,
                                                                                      abs=0.1)]
                vertical = [s for s in segments if abs(s[0] - x) < 0.1 and abs(s[2] - x) < 0.1
                            and min(abs(s[1] - y), abs(s[3] - y)) == pytest.approx(2 * MM,
                                                                                    abs=0.1)]
                assert horizontal and vertical, (x, y)
            # The faces of the card are placed at the trim: its text is on the sheet.
        assert '#8891' in pdf.pages[0].extract_text().replace(' ', '')
        inside = pdf.pages[1].extract_text().replace(' ', '')
        assert '045-322-7379' in inside


def phrase_edges() -> tuple[set, set]:
    """Where the BudouX phrases of every ja-easy text start and end (3 characters)."""
    from noticegen.documents.card import printed_texts
    from noticegen.model.breaking import phrases
    starts, ends = set(), set()
    for code in CODES:
        for text in printed_texts(values(code, 'ja-easy')):
            pieces = [piece.text for piece in phrases(text)]
            joined = ''.join(pieces)
            position = 0
            for piece in pieces:
                starts.add(joined[position:position + 3])
                position += len(piece)
                ends.add(joined[max(0, position - 3):position])
    return starts, ends


@pytest.mark.parametrize('edition', ['', '.screen'])
def test_easy_japanese_breaks_only_between_phrases(built, edition):
    starts, ends = phrase_edges()
    broken = 0
    for code in CODES:
        with pdfplumber.open(card_path(built, code, 'ja-easy', edition)) as pdf:
            for page in pdf.pages:
                found = lines(page, 7.5, 30)
                # Lines that continue a text (not the first of a block): start at a phrase.
                for before, line in zip(found, found[1:]):
                    before, line = before.replace(' ', ''), line.replace(' ', '')
                    if before[-3:] in ends and line[:3] in starts:
                        broken += 1
                        continue
                    assert any(line.startswith(start) for start in starts) or \
                        any(before.endswith(end) for end in ends), (before, line)
    assert broken > 5


def ruby_over(chars: list[dict]) -> list[tuple[dict, bool]]:
    """Each kanji of the base text, and whether a 7 pt reading sits just above it."""
    small = [c for c in chars if c['size'] < 7.5 and c['text'].strip()]
    found = []
    for char in chars:
        if char['size'] >= 7.5 and KANJI.match(char['text']):
            middle = (char['x0'] + char['x1']) / 2
            above = any(s['bottom'] <= char['top'] + 2 and s['top'] >= char['top'] - 12
                        and s['x0'] - 6 <= middle <= s['x1'] + 6 for s in small)
            found.append((char, above))
    return found


def test_furigana_over_every_kanji_and_none_on_screen(built):
    for code in CODES:
        with pdfplumber.open(card_path(built, code, 'ja-easy')) as pdf:
            over = [item for page in pdf.pages for item in ruby_over(page.chars)]
        assert len(over) > 20
        missing = [char['text'] for char, above in over if not above]
        assert not missing, missing
        with pdfplumber.open(card_path(built, code, 'ja-easy', '.screen')) as pdf:
            over = [item for page in pdf.pages for item in ruby_over(page.chars)]
            text = ''.join(page.extract_text() for page in pdf.pages)
        assert over and not any(above for _, above in over)
        assert 'ひがい' not in text and '被害に あった' in text    # spaces between phrases


def test_a_card_that_does_not_fit_fails_naming_its_first_item(tmp_path):
    root = copy_project(tmp_path / 'project')
    out = tmp_path / 'dist'
    assert run_cli('build', '--out', str(out), '-p', '14', '--lang', 'ko',
                   root=root).returncode == 0
    path = out / NOTICE / 'cards' / '14-kanagawa.ko.pdf'
    before = path.read_bytes()
    card = root / 'cards' / 'patient-card.ko.yaml'
    text = card.read_text(encoding='utf-8')
    line = next(number for number, row in enumerate(text.splitlines(), 1)
                if row.startswith('ip_phones:'))
    caveat = PROJECT.cards['ko'][0].ip_phones
    card.write_text(re.sub(r'\nip_phones: [^\n]*', lambda m: '\nip_phones: ' + json.dumps(
        ' '.join([caveat] * 30), ensure_ascii=False), text), encoding='utf-8')
    result = run_cli('build', '--out', str(out), '-p', '14', '--lang', 'ko', root=root)
    assert result.returncode == 1
    assert re.search(rf'cards/patient-card\.ko\.yaml:{line}:\d+: error: ip_phones: ko: the '
                     r'IP-phone caveat does not fit face 3 of the patient card \(ko\) for 14 '
                     r'神奈川県', result.stderr), result.stderr
    assert 'failed' in (out / 'manifest.json').read_text(encoding='utf-8')
    assert path.read_bytes() == before                      # the previous card is kept
    # A Korean word longer than the line is an overflow error, naming the word.
    card.write_text(text.replace("ip_phones: '", "ip_phones: '" + '가' * 60 + ' ', 1),
                    encoding='utf-8')
    result = run_cli('build', '--out', str(out), '-p', '14', '--lang', 'ko', root=root)
    assert result.returncode == 1
    assert re.search('가{20}.*runs [0-9.]+ pt past the edge of its box', result.stderr), \
        result.stderr


def test_readings_are_reviewable_and_the_build_needs_no_analyser(tmp_path):
    root = copy_project(tmp_path / 'project')
    # The file is current: the maintainer's command finds nothing to add or remove.
    check = run_cli('card-readings', '--check', root=root)
    assert check.returncode == 0, check.stdout + check.stderr
    card = root / 'cards' / 'patient-card.ja-easy.yaml'
    text = card.read_text(encoding='utf-8')
    assert '"被害": "ひがい"' in text
    card.write_text(text.replace('  "被害": "ひがい"\n', ''), encoding='utf-8')
    # A word without a reading prints without furigana, with a warning that says what to do
    # (a data change must not stop a build); --strict makes it an error.
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), '-p', '14', '--lang', 'ja-easy', root=root)
    assert result.returncode == 0, result.stderr
    assert re.search(r"cards/patient-card\.ja-easy\.yaml:\d+:\d+: warning: readings: no reading "
                     r"for '被害': printed without furigana; run "
                     r"`noticegen card-readings`", result.stderr), result.stderr
    with pdfplumber.open(card_path(out, '14', 'ja-easy')) as pdf:
        over = [(char['text'], above) for page in pdf.pages
                for char, above in ruby_over(page.chars)]
    assert ('被', False) in over and ('暴', False) not in over   # 被害者 keeps its reading
    strict = run_cli('build', '--out', str(tmp_path / 'strict'), '-p', '14', '--lang', 'ja-easy',
                     '--strict', root=root)
    assert strict.returncode == 1
    assert run_cli('card-readings', '--check', root=root).returncode == 1
    added = run_cli('card-readings', root=root)
    assert 'added: 被害: ひがい' in added.stdout
    assert card.read_text(encoding='utf-8') == text                  # back as it was
