"""Forgiving input: did-you-mean, romanised spellings, full-width codes, language tags, and
YAML errors reported at the line of the mistake."""

from __future__ import annotations

import re
import unicodedata

import pytest

from conftest import ROOT, SEED_NOTICE, run_cli
from noticegen.load.sources import load_yaml
from noticegen.model.jis import PREFECTURES, fold, parse_prefecture, resolve
from noticegen.model.languages import LANGUAGES, parse_languages

# What a long vowel may be written as, in wāpuro, Hepburn, Nihon-shiki and passports.
LONG = {'o': ('ou', 'oo', 'ō', 'ô', 'Ō', 'oh'), 'u': ('uu', 'ū', 'û'), 'a': ('ā', 'â')}


def long_vowel_variants(romaji: str) -> set[str]:
    """Each vowel of the name lengthened in each way, one at a time and all at once, in
    lower, upper and title case."""
    name = romaji.lower()
    variants = set()
    for vowel, spellings in LONG.items():
        for spelling in spellings:
            variants.add(name.replace(vowel, spelling))
            for index, char in enumerate(name):
                if char == vowel:
                    variants.add(name[:index] + spelling + name[index + 1:])
    variants |= {variant.upper() for variant in variants} | {v.title() for v in variants}
    return variants - {name}


def test_the_47_names_are_their_own_folded_form_and_distinct():
    folded = [fold(romaji) for _, romaji in PREFECTURES.values()]
    assert folded == [romaji.lower() for _, romaji in PREFECTURES.values()]
    assert len(set(folded)) == 47


@pytest.mark.parametrize('code', list(PREFECTURES))
def test_long_vowel_variants_of_every_name_resolve_to_it(code):
    romaji = PREFECTURES[code][1]
    variants = long_vowel_variants(romaji)
    assert variants
    resolved = 0
    for variant in variants:
        got = resolve(variant)
        assert got in (code, None), f'{variant!r} resolves to {got}, not {code} ({romaji})'
        # 'oh' is a long o only before a consonant or at the end (Ohsaka, not Ohita).
        folds_back = not re.search(r'oh[aiueoy]', variant.lower())
        if folds_back:
            assert fold(variant) == romaji.lower(), variant
            assert got == code, f'{variant!r} is not accepted as {romaji}'
            resolved += 1
    assert resolved >= len(variants) // 2


@pytest.mark.parametrize('spelling, code', [
    ('hokkaidou', '01'), ('hokkaidō', '01'), ('Hokkaido', '01'), ('HOKKAIDOU', '01'),
    ('Hokkai-do', '01'), ('oosaka', '27'), ('Ōsaka', '27'), ('Ohsaka', '27'), ('osaka-fu', '27'),
    ('kouchi', '39'), ('Kōchi-ken', '39'), ('kyouto', '26'), ('Kyōto-fu', '26'),
    ('toukyou', '13'), ('Tōkyō', '13'), ('TOHKYOH', '13'), ('Tokyo-to', '13'), ('tokyo to', '13'),
    ('hyougo', '28'), ('Hyôgo', '28'), ('ooita', '44'), ('Ōita', '44'), ('ibaraki-ken', '08'),
    ('Saitama Prefecture', '11'), ('ｔｏｋｙｏ', '13'), ('  tokyo ', '13'),
])
def test_wapuro_hepburn_and_suffixed_spellings(spelling, code):
    assert resolve(spelling) == code


FULL_WIDTH = str.maketrans('0123456789', '０１２３４５６７８９')


def test_codes_in_any_width_with_or_without_the_zero():
    for number in range(1, 48):
        code = f'{number:02d}'
        full_width = code.translate(FULL_WIDTH)  # '０８', '４７'
        assert unicodedata.normalize('NFKC', full_width) == code
        for spelling in (code, str(number), full_width, full_width.lstrip('０') or '０'):
            assert resolve(spelling) == code, spelling
    for not_a_code in ('0', '00', '48', '99', '１００', '-1', '1.0'):
        assert resolve(not_a_code) is None, not_a_code


def test_japanese_names_with_and_without_their_suffix():
    for code, (name, _) in PREFECTURES.items():
        assert resolve(name) == code
        assert resolve(name[:-1]) == code
    for name, code in (('東京', '13'), ('東京都', '13'), ('大阪', '27'), ('大阪府', '27'),
                       ('北海道', '01'), ('京都', '26'), ('京都府', '26')):
        assert resolve(name) == code


@pytest.mark.parametrize('typo, expected', [
    ('tokio', 'tokyo (13 東京都)'), ('toyko', 'tokyo (13 東京都)'),
    ('kanagwa', 'kanagawa (14 神奈川県)'), ('hokaido', 'hokkaido (01 北海道)'),
    ('tiba', 'chiba (12 千葉県)'), ('gumma', 'gunma (10 群馬県)'), ('東凶都', 'tokyo (13 東京都)'),
    ('大坂', 'osaka (27 大阪府)'), ('ｔｏｋｉｏ', 'tokyo (13 東京都)'),
])
def test_a_misspelled_prefecture_gets_a_suggestion(typo, expected):
    with pytest.raises(ValueError) as raised:
        parse_prefecture(typo)
    message = str(raised.value)
    assert message.startswith(f'{typo!r} is not a prefecture; did you mean ')
    assert expected in message


def test_a_clear_winner_is_suggested_alone_and_nonsense_gets_none():
    with pytest.raises(ValueError, match=r"^'tokio' is not a prefecture; did you mean "
                                         r"tokyo \(13 東京都\)\?$"):
        parse_prefecture('tokio')
    for nonsense in ('48', 'xyzzy', ''):
        with pytest.raises(ValueError, match='use a JIS code 01-47') as raised:
            parse_prefecture(nonsense)
        assert 'did you mean' not in str(raised.value)


def test_language_tags_in_any_case_and_with_underscores():
    for code in LANGUAGES:
        for spelling in (code, code.upper(), code.lower(), code.replace('-', '_'),
                         code.title(), f' {code} '):
            assert parse_languages(spelling) == [code], spelling
    assert parse_languages('EN') == ['en']
    assert parse_languages('zh-hans,ZH_HANT,Ja-Easy') == ['zh-Hans', 'zh-Hant', 'ja-easy']
    assert parse_languages('ja, EN, ja') == ['ja', 'en']
    assert parse_languages('ｊａ，ｅｎ') == ['ja', 'en']
    assert parse_languages('English,thai,日本語') == ['en', 'th', 'ja']
    for spelling in ('all', 'ALL', ' All '):
        assert parse_languages(spelling) == list(LANGUAGES)
    for spelling in ('none', 'NONE', ''):
        assert parse_languages(spelling) == []


@pytest.mark.parametrize('value, unknown, expected', [
    ('englsh', 'englsh', ['en (English)']),
    ('ja,tai', 'tai', ['th (Thai)']),
    ('ja,kr', 'kr', ['ko (Korean)']),
    ('chinese', 'chinese', ['zh-Hans (Chinese (Simplified))', 'zh-Hant (Chinese (Traditional))']),
    ('zh-cn', 'zh-cn', ['zh-Hans (Chinese (Simplified))', 'zh-Hant (Chinese (Traditional))']),
])
def test_a_misspelled_language_gets_a_suggestion(value, unknown, expected):
    with pytest.raises(ValueError) as raised:
        parse_languages(value)
    message = str(raised.value)
    assert f'{unknown!r} is not a language; did you mean ' in message
    suggested = re.findall(r"did you mean (.*)\?", message)[0].split(' or ')
    assert suggested == expected


def test_an_unknown_language_without_a_near_one_lists_the_choices():
    with pytest.raises(ValueError, match=r"'xx' is not a language \(choose from ja, ja-easy, "):
        parse_languages('ja,xx')


def test_cli_suggests_and_exits_2():
    result = run_cli('list', '-p', 'tokio')
    assert result.returncode == 2, result.stderr
    assert 'Traceback' not in result.stderr
    assert 'did you mean tokyo (13 東京都)?' in result.stderr
    result = run_cli('list', '--lang', 'ja,tai')
    assert result.returncode == 2, result.stderr
    assert "'tai' is not a language; did you mean th (Thai)?" in result.stderr


def test_cli_accepts_forgiving_spellings():
    result = run_cli('list', '-p', 'hokkaidou', '-p', '４７', '--lang', 'EN')
    assert result.returncode == 0, result.stderr
    assert 'cards/01-hokkaido.en.pdf' in result.stdout
    assert 'cards/47-okinawa.en.pdf' in result.stdout
    assert 'cards/13-tokyo' not in result.stdout


# A key line without its ':'. PyYAML notices only on the next line (or later, after a block);
# the error is reported at the line of the mistake and names the other one too.
MISSING_COLON = [
    ('ki: 記\n', 'ki 記\n'),                     # a top-level key, before `items:`
    ('    honorific: 御中\n    department: health\n',
     '    honorific 御中\n    department: health\n'),  # inside a list item's mapping
    ('title: |\n', 'title |\n'),                # a key whose block scalar follows
]


@pytest.mark.parametrize('old, new', MISSING_COLON, ids=['top-level', 'nested', 'block'])
def test_a_missing_colon_is_reported_at_its_line(tmp_path, old, new):
    text = (ROOT / SEED_NOTICE).read_text(encoding='utf-8')
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / 'notice.yaml'
    path.write_text(text, encoding='utf-8')
    line = text[:text.index(new)].count('\n') + 1
    _, errors = load_yaml(path, SEED_NOTICE)
    assert len(errors) == 1
    error = str(errors[0])
    assert error.startswith(f'{SEED_NOTICE}:{line}:'), error
    # PyYAML's own words, both of its lines named.
    assert "while scanning a simple key: could not find expected ':' (line " in error
    later = int(re.search(r'\(line (\d+), column \d+\)', error).group(1))
    assert later > line
    assert "is a key missing its ':'?" in error


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path):
    path = tmp_path / 'x.yaml'
    path.write_text('id: x\nlabel: "事務連絡\ndate: 2024-10-08\n', encoding='utf-8')
    [error] = load_yaml(path, 'x.yaml')[1]
    assert str(error).startswith('x.yaml:2:8: error: malformed YAML: while scanning a quoted scalar: '
                                 'found unexpected end of stream (line 4, column 1)'), error


def test_cli_reports_the_missing_colon_at_its_line(project):
    path = project / SEED_NOTICE
    text = path.read_text(encoding='utf-8').replace('ki: 記\n', 'ki 記\n', 1)
    path.write_text(text, encoding='utf-8')
    line = text[:text.index('ki 記\n')].count('\n') + 1
    result = run_cli('validate', root=project)
    assert result.returncode == 1, result.stderr
    assert re.search(rf'^{re.escape(SEED_NOTICE)}:{line}:1: .*malformed YAML: while scanning a '
                     rf"simple key: could not find expected ':' \(line {line + 1}, column 1\)",
                     result.stderr, re.M), result.stderr
