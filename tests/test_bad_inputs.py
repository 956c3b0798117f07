"""A corpus of bad sources: each gives file:line:col, exit 1, and writes nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import SEED_NOTICE, SEED_PDF, messages, run_cli

PREVIOUS = b'%PDF-1.7 previous good output, must survive\n'
ATTACHMENT_1 = 'attachments/2024-10-08-onestop/1-leaflet.yaml'
ATTACHMENT_3 = 'attachments/2024-10-08-onestop/3-honebuto-2024.yaml'
IBARAKI = 'prefectures/08-ibaraki.yaml'
TOKYO = 'prefectures/13-tokyo.yaml'

# (name, file, old text, new text, expected message after 'path:line:col: ', line marker)
# The line marker is a text on the line the error must name (None: line 1).
CASES = [
    ('malformed-yaml', SEED_NOTICE, 'issuers:\n', 'issuers: [\n',
     r'malformed YAML: ', None),
    ('wrong-type-date', SEED_NOTICE, 'date: 2024-10-08', 'date: 20241008',
     r"date: expected an ISO date YYYY-MM-DD, found int 20241008", 'date: 20241008'),
    ('wrong-type-list', SEED_NOTICE, "extensions: ['37551']", 'extensions: [37551]',
     r"contact\.offices\[1\]\.extensions\[0\]: Input should be a valid string; found int 37551",
     'extensions: [37551]'),
    ('wrong-type-mapping', SEED_NOTICE, 'style:\n  digits: half', 'style:\n  digits: 2',
     r"style\.digits: Input should be 'half' or 'full'; found int 2", 'digits: 2'),
    ('missing-field', SEED_NOTICE, 'issuers:\n  - 厚生労働省医政局総務課\n'
     '  - 内閣府男女共同参画局男女間暴力対策課\n', '',
     r'issuers: required field is missing', 'id: 2024-10-08-onestop'),
    ('unknown-key', SEED_NOTICE, 'ki: 記', 'ki: 記\nsubtitle: 副題', r"subtitle: unknown key 'subtitle'",
     'subtitle: 副題'),
    ('duplicate-key', SEED_NOTICE, 'ki: 記', 'ki: 記\ndate: 2024-10-09',
     r"date: duplicate key 'date' \(first defined at line \d+\)", 'date: 2024-10-09'),
    ('impossible-date', SEED_NOTICE, 'date: 2024-10-08', 'date: 2024-02-30',
     r"date: '2024-02-30' is not a real date", 'date: 2024-02-30'),
    ('missing-glyph', SEED_NOTICE, 'つきましては、', 'つきましては😀、',
     r"body\[1\]: character 7 of the value: U\+1F600 '😀' \(GRINNING FACE\) is not in the font "
     r"'BIZ UDMincho'", 'つきましては😀'),
    ('attachment-date', ATTACHMENT_3, 'date: 2024-06-11', 'date: 2024-13-11',
     r"source\.date: '2024-13-11' is not a real date", 'date: 2024-13-11'),
    ('attachment-orphan', ATTACHMENT_3, 'notice: 2024-10-08-onestop', 'notice: 2099-01-01-none',
     r"notice: no notice has the id '2099-01-01-none'", 'notice: 2099'),
    ('code-unquoted-08', IBARAKI, "code: '08'", 'code: 08',
     r"code: write the code quoted, as '08'.*found 08", 'code: 08'),
    ('code-unquoted-8', IBARAKI, "code: '08'", 'code: 8',
     r"code: write the code quoted, as '08'.*found 8", 'code: 8'),
    ('unknown-prefecture', IBARAKI, "code: '08'", "code: '48'",
     r"code: '48' is not a JIS X 0401 prefecture code", "code: '48'"),
    ('bad-phone', IBARAKI, 'number: 029-350-2001', 'number: 029-350-200',
     r"centers\[0\]\.phones\[0\]\.number: '029-350-200' is not a Japanese phone number",
     'number: 029-350-200'),
    ('premium-rate-phone', IBARAKI, 'number: 029-350-2001', 'number: 0990-50-2001',
     r"centers\[0\]\.phones\[0\]\.number: '0990-50-2001' is a premium-rate \(0990\) number: "
     r"never printed as a number to call", 'number: 0990-50-2001'),
    ('file-url', TOKYO, 'url: https://sarc-tokyo.org/', 'url: file:///etc/passwd',
     r"centers\[1\]\.url: expected an http:// or https:// address, found 'file:///etc/passwd'",
     'url: file:///etc/passwd'),
    ('html-in-url', TOKYO, 'url: https://sarc-tokyo.org/', """url: 'https://x.jp/"><script>'""",
     r"centers\[1\]\.url: expected an http:// or https:// address", "url: 'https://x.jp/"),
    ('loopback-url', TOKYO, 'url: https://sarc-tokyo.org/', "url: 'http://127.0.0.1:8080/'",
     r"centers\[1\]\.url: expected the address of a public web page, named by its domain",
     "url: 'http://127.0.0.1"),
    ('localhost-url', TOKYO, 'url: https://sarc-tokyo.org/', 'url: https://localhost/onestop',
     r"centers\[1\]\.url: expected the address of a public web page", 'url: https://localhost'),
    ('display-url-elsewhere', TOKYO, 'url: https://sarc-tokyo.org/\n',
     'url: https://sarc-tokyo.org/\n  url_display: https://sarc-tokyo.example.com/\n',
     r"centers\[1\]: url_display is the short form of url, on the same site: "
     r"sarc-tokyo\.example\.com is not sarc-tokyo\.org", None),
    ('translation-changes-a-number', 'attachments/2024-10-08-onestop/1-leaflet.en.yaml',
     'is effective within 72 hours of the assault.',
     'is effective within 120 hours of the assault.',
     r"back\.guide\.steps\[0\]\.text: the translation drops 72; adds 120: a translation "
     r"keeps every number", 'within 120 hours of the assault'),
    ('translation-adds-a-number', 'cards/patient-card.en.yaml',
     "short_dial_lead: 'Call #8891, the nationwide short number,",
     "short_dial_lead: 'Call #8891 or 03-1234-5678, the nationwide short number,",
     r"short_dial_lead: the translation adds 03, 1234, 5678", 'short_dial_lead:'),
    ('wording-adds-a-number', 'prefectures/wording.en.yaml',
     '相談専用電話: Consultation line', '相談専用電話: Consultation line, or 03-1234-5678',
     r"\(document\): phone_labels\['相談専用電話'\]: the translation adds 03, 1234, 5678",
     None),
    ('bad-status', IBARAKI, '    status: confirmed', '    status: maybe',
     r"centers\[0\]\.phones\[0\]\.status: Input should be 'confirmed', 'unverified' or 'disputed'",
     'status: maybe'),
    ('doubt-without-reason', IBARAKI, '    status: confirmed', '    status: unverified',
     r"centers\[0\]\.phones\[0\]: an unverified number needs a status_note", '  - number: 029'),
    ('partial-date', IBARAKI, "as_of: '2024-07-18'\n  phones", "as_of: 2024-13\n  phones",
     r"centers\[0\]\.as_of: '2024-13' is not a real date", 'as_of: 2024-13'),
    ('comment-cut', ATTACHMENT_1, "    text: '電話での相談は、全国共通の短縮番号 #8891 へ。'",
     '    text: 電話での相談は、全国共通の短縮番号 #8891 へ。',
     r"back\.no_number\.text: the text from '#8891 へ。' on is read as a YAML comment",
     'text: 電話での相談は'),
    ('stylesheet-glyph', 'templates/leaflet.css', 'content: "●"', 'content: "☺"',
     r"U\+263A '☺' \(WHITE SMILING FACE\) is not in the font 'BIZ UDGothic'", 'content: "☺"'),
    ('python-tag', SEED_NOTICE, 'ki: 記', "ki: !!python/object/apply:os.system ['true']",
     r"ki: the tag .* is not allowed", 'ki: !!python'),
    # The forms of 公用文: what a notice may say, and what it may not.
    ('unknown-key-nearest', SEED_NOTICE, 'closing: null', 'closing: null\nclosnig: 以上',
     r"closnig: unknown key 'closnig'; did you mean 'closing'\? \(allowed: id, numbers, "
     r"label, date, .*closing.*\)", 'closnig: 以上'),
    ('yaml-boolean', SEED_NOTICE, 'ki: 記', 'ki: yes',
     r"ki: Input should be a valid string; found bool True: unquoted, YAML reads yes .* as a "
     r"boolean; write it quoted, as 'yes'", 'ki: yes'),
    ('number-as-text', SEED_NOTICE, 'ki: 記', 'ki: 10',
     r"ki: Input should be a valid string; found int 10; write it quoted, as '10'", 'ki: 10'),
    ('marker-grammar', SEED_NOTICE, "markers: ['{n}.',", "markers: ['{n:>2}.',",
     r"style\.markers\[0\]: not a marker: write an optional 第, （, \( or 〔; then one of "
     r"\{n\}, \{kana\}, \{iroha\} or \{alpha\}", 'markers:'),
    ('marker-unpaired', SEED_NOTICE, "'（{n}）', '{kana}'", "'（{n})', '{kana}'",
     r"style\.markers\[1\]: not a marker: after '（' the closing is '）'", 'markers:'),
    ('item-too-deep', SEED_NOTICE, "markers: ['{n}.', '（{n}）', '{kana}', '（{kana}）']",
     "markers: ['{n}.']",
     r"items\[2\]\.items\[0\]: item at level 2, but style\.markers defines 1 level:",
     '      - heading: 衛生主管部局における対応'),
    ('reference-missing', SEED_NOTICE, '（別添4参照）', '（別紙4参照）',
     r"items\[3\]\.paragraphs\[0\]: refers to 別紙4, but the notice has 別添1, 別添2, "
     r"別添3, 別添4", '（別紙4参照）'),
    ('table-cells', SEED_NOTICE, 'ki: 記', "  - table:\n      header: [区分, 内容]\n"
     "      rows:\n        - [ア, イ]\n        - [ウ]\nki: 記",
     r"body\[2\]\.table\.rows\[1\]: row 2 has 1 cells, but the header has 2 columns",
     '        - [ウ]'),
    ('item-heading-and-text', SEED_NOTICE, '  - heading: 衛生主管部局とセンター所管部局との連携について\n',
     '  - heading: 衛生主管部局とセンター所管部局との連携について\n    text: 本文\n',
     r"items\[2\]: an item has a heading .* or a text .*, not both",
     '  - heading: 衛生主管部局とセンター所管部局との連携について'),
    ('unknown-output', SEED_NOTICE, 'outputs: [card,', 'outputs: [cards,',
     r"outputs\[0\]: 'cards' is not something a notice can make; did you mean 'card'\?",
     'outputs: [cards,'),
]


def break_source(project: Path, file: str, old: str, new: str) -> str:
    path = project / file
    text = path.read_text(encoding='utf-8')
    assert old in text, f'the fixture no longer contains {old!r}'
    text = text.replace(old, new, 1)
    path.write_text(text, encoding='utf-8')
    return text


@pytest.mark.parametrize('name, file, old, new, message, marker', CASES,
                         ids=[case[0] for case in CASES])
def test_bad_source_is_reported_and_nothing_is_written(project, name, file, old, new,
                                                       message, marker):
    text = break_source(project, file, old, new)
    line = 1 if marker is None else next(
        number for number, content in enumerate(text.splitlines(), 1) if marker in content)
    out = project / 'dist'
    previous = out / SEED_PDF
    previous.parent.mkdir(parents=True)
    previous.write_bytes(PREVIOUS)

    for command in (['validate'], ['build', '--out', str(out)]):
        result = run_cli(*command, root=project)
        assert result.returncode == 1, result.stderr
        assert 'Traceback' not in result.stderr
        expected = re.escape(file) + (
            r':\d+:\d+: error: ' if marker is None else rf':{line}:\d+: error: ') + message
        assert re.search(expected, result.stderr), result.stderr
        # Every error line is in the one format, and there is one per cause.
        errors = messages(result.stderr, 'error')
        assert any(e['path'] == file for e in errors), result.stderr
        assert len(errors) == len({(e['path'], e['line'], e['col']) for e in errors})
    assert previous.read_bytes() == PREVIOUS
    assert [p.name for p in out.rglob('*') if p.is_file()] == ['notice.pdf']


def test_all_errors_are_reported_at_once(project):
    break_source(project, SEED_NOTICE, 'date: 2024-10-08', 'date: 2024-02-30\nextra: 1')
    break_source(project, ATTACHMENT_3, 'number: 3', 'number: three')
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    errors = messages(result.stderr, 'error')
    assert len(errors) == 3, result.stderr
    assert '3 errors; nothing was written.' in result.stderr


def test_glyph_check_does_not_trust_fontconfig_substitution():
    """The emoji is in a fallback font fontconfig would use, yet it is still an error."""
    result = subprocess.run(['fc-match', '--format=%{family}', ':charset=1f600'],
                            capture_output=True, text=True)
    if result.returncode == 0:
        assert 'BIZ' not in result.stdout  # the substitute is some other font
    from noticegen.check.fonts import find_font
    assert ord('😀') not in find_font('BIZ UDMincho').codepoints


def test_usage_error_exits_2():
    result = run_cli('build', '--no-such-option')
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr


@pytest.mark.parametrize('how, message', [
    ('empty', 'the file is empty'),
    ('missing', 'missing: the service facts the texts of the leaflet and the card claim'),
])
def test_no_service_facts_is_one_error_not_one_per_claim(project, how, message):
    """Before, an empty or missing facts/services.yaml gave 44 errors, one per text of the
    leaflet and the card ('… is not a fact of facts/services.yaml'), and none at the file."""
    services = project / 'facts' / 'services.yaml'
    if how == 'empty':
        services.write_bytes(b'')
    else:
        services.unlink()
    result = run_cli('validate', root=project)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    errors = messages(result.stderr, 'error')
    assert [(e['path'], e['line'], e['col']) for e in errors] == [
        ('facts/services.yaml', '1', '1')], result.stderr[-2000:]
    assert errors[0]['message'].startswith(message)
