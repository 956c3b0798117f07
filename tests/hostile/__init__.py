"""The hostile corpus: sources written to break the tool, by class.

Each case edits a copy of the project and states what must happen: the exit code, a
``path:line:col`` (or a line) on stderr, nothing written, and never a traceback. The
classes follow the issue that collected them; ``tests/test_hostile.py`` runs them and
counts the classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

NOTICE = 'notices/2024-10-08-onestop.yaml'
TOKYO = 'prefectures/13-tokyo.yaml'
KO = 'locales/ko/LC_MESSAGES/messages.po'
LEAFLET_CSS = 'templates/leaflet.css'


@dataclass(frozen=True)
class Case:
    """One hostile source: what to do to the project, and what must be said."""

    name: str
    edit: Callable                 # edit(root: Path) -> None
    path: str                      # the file the error names
    message: str                   # a regular expression the error line matches
    exit_code: int = 1
    secret: str | None = None      # text that must never appear on stderr
    timeout: float = 20.0          # a guard against hangs, not a performance goal


def replace(file: str, old: str, new: str, count: int = 1):
    def edit(root):
        path = root / file
        text = path.read_text(encoding='utf-8')
        assert old in text, f'{file} no longer holds {old!r}'
        path.write_text(text.replace(old, new, count), encoding='utf-8')
    return edit


def write_bytes(file: str, data: bytes):
    def edit(root):
        (root / file).write_bytes(data)
    return edit


def append_bytes(file: str, data: bytes):
    def edit(root):
        with (root / file).open('ab') as stream:
            stream.write(data)
    return edit


def symlink(file: str, target: str):
    def edit(root):
        path = root / file
        if path.exists():
            path.unlink()
        path.symlink_to(target)
    return edit


def catalog_entry(msgid: str, msgstr: str):
    """Set the ko translation of ``msgid`` to ``msgstr``."""
    def edit(root):
        import re
        path = root / KO
        text = path.read_text(encoding='utf-8')
        pattern = re.compile(r'(msgid "' + re.escape(msgid) + r'"\nmsgstr ")[^"]*(")')
        assert pattern.search(text), msgid
        path.write_text(pattern.sub(lambda m: m.group(1) + msgstr + m.group(2), text, count=1),
                        encoding='utf-8')
    return edit


CLASSES: dict[str, list[Case]] = {
    # Sources that used to end in a traceback.
    'tracebacks': [
        Case('catalog-placeholder', catalog_entry('Attachment %(number)s', '별첨 %(numbr)s'),
             KO, r'catalog: .*placeholders'),
        Case('catalog-not-utf8', append_bytes(KO, b'\nmsgid "x"\nmsgstr "\xff"\n'), KO,
             r'not UTF-8 text'),
        Case('template-syntax', replace('templates/leaflet.html', '{% endblock %}',
                                        '{% endblok %}'), 'templates/leaflet.html',
             r'template: '),
        Case('url-too-long-for-a-qr-code', replace(TOKYO, 'url: https://sarc-tokyo.org/',
                                                   'url: https://sarc-tokyo.org/' + 'a' * 3000),
             TOKYO, r'url: a URL of 3,0\d\d characters is longer than 1,000'),
        Case('self-alias', replace(NOTICE, 'ki: 記', 'ki: &r [*r]'), NOTICE,
             r'an alias \(\*r\) is not allowed'),
        Case('deep-nesting', replace(NOTICE, 'ki: 記', 'ki: ' + '[' * 5000), NOTICE,
             r'nested more than 32 levels'),
    ],
    # Item markers outside the grammar (they used to reach Python's str.format).
    'markers': [
        Case('format-spec', replace(NOTICE, "markers: ['{n}.'", "markers: ['{n:d}.'"), NOTICE,
             r'style\.markers\[0\]: not a marker'),
        Case('huge-width', replace(NOTICE, "markers: ['{n}.'", "markers: ['{n:>99999}'"),
             NOTICE, r'style\.markers\[0\]: not a marker'),
        Case('positional-field', replace(NOTICE, "markers: ['{n}.'", "markers: ['{0}'"), NOTICE,
             r'style\.markers\[0\]: not a marker'),
        Case('attribute-access', replace(NOTICE, "markers: ['{n}.'",
                                         "markers: ['{n.__class__}'"), NOTICE,
             r'style\.markers\[0\]: not a marker'),
    ],
    # Sources that used to hang or eat memory.
    'hangs': [
        Case('alias-bomb', replace(NOTICE, 'ki: 記', 'a: &a ["x","x","x","x","x","x"]\n'
                                   'b: &b [*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b]\nki: 記'),
             NOTICE, r'an alias \(\*a\) is not allowed'),
        Case('five-megabyte-file', replace(NOTICE, 'ki: 記', 'ki: ' + 'あ' * 1_700_000), NOTICE,
             r'larger than 1,000,000 bytes'),
        Case('long-paragraph', replace(NOTICE, 'ki: 記', 'ki: ' + 'あ' * 200_000), NOTICE,
             r'ki: .*at most 300 characters'),
    ],
    # Sources that point outside the project.
    'outside': [
        Case('prefecture-symlink', symlink('prefectures/99-passwd.yaml', '/etc/passwd'),
             'prefectures/99-passwd.yaml', r'symlink that leads outside the project',
             secret='root:'),
        Case('stylesheet-symlink', symlink(LEAFLET_CSS, '/etc/passwd'), LEAFLET_CSS,
             r'symlink that leads outside the project', secret='root:'),
        Case('template-include-outside', replace('templates/leaflet.html',
                                                 "{% extends 'base.html' %}",
                                                 "{% extends '../notices/2024-10-08-onestop"
                                                 ".yaml' %}"),
             'templates/leaflet.html', r"outside templates/", secret='ワンストップ'),
        Case('catalog-symlink', symlink(KO, '/etc/passwd'), KO,
             r'symlink that leads outside the project', secret='root:'),
    ],
    # Catalog strings that carry markup into a document.
    'catalog-markup': [
        Case('bold', catalog_entry('Attachment %(number)s', '별첨 <b>%(number)s</b>'), KO,
             r'holds no markup'),
        Case('attribute-breakout', catalog_entry('Attachment %(number)s',
                                                 '%(number)s"><b>injected</b>'), KO,
             r'holds no markup'),
        Case('entity', catalog_entry('Attachment %(number)s', '%(number)s &amp;'), KO,
             r'holds no markup'),
    ],
    # Translations that say another number than their source: a number no source backs.
    'translated-numbers': [
        Case('catalog-short-dial', catalog_entry('24 hours a day', '24시간 #8892'), KO,
             r"catalog: '24 hours a day': the translation adds #8892"),
        Case('catalog-phone', catalog_entry('24 hours a day', '24시간, 03-1234-5678'), KO,
             r"the translation adds 03-1234-5678"),
        Case('catalog-time', catalog_entry('24 hours a day', '9:00〜17:00'), KO,
             r"the translation adds 9:00, 17:00"),
    ],
    # Error lines that pointed at 1:1, misread values, or quoted megabytes.
    'positions': [
        Case('latin1-byte', append_bytes(NOTICE, b'\nextra: caf\xe9\n'), NOTICE,
             r'not UTF-8 text: byte 0xE9'),
        Case('control-character', replace(NOTICE, 'ki: 記', 'ki: "記\x07"'), NOTICE,
             r'character U\+0007 is not allowed'),
        Case('octal-phone', replace(TOKYO, "number: 03-5607-0799", 'number: 0352531111'),
             TOKYO, r"YAML reads the unquoted 0352531111 as int 61518409: quote it"),
        Case('sexagesimal', replace(TOKYO, "number: 03-5607-0799", 'number: 1:30'), TOKYO,
             r"YAML reads the unquoted 1:30 as int 90"),
    ],
}
