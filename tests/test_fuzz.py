"""Fuzzing the loaders: whatever a source holds, only the project's own errors come out.

CI runs 300 examples per loader; `./dev.sh fuzz` runs 10,000 (NOTICEGEN_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT

EXAMPLES = int(os.environ.get('NOTICEGEN_FUZZ_EXAMPLES', '300'))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

SOURCES = {
    'notice': ('notices/2024-10-08-onestop.yaml', 'Notice'),
    'prefecture': ('prefectures/13-tokyo.yaml', 'Prefecture'),
    'card': ('cards/patient-card.en.yaml', 'CardText'),
    'leaflet': ('attachments/2024-10-08-onestop/1-leaflet.yaml', 'Attachment'),
}
# What a fuzzed value may be: YAML's awkward scalars, markup, controls, huge and odd text.
AWKWARD = st.sampled_from([
    '', '~', 'null', 'yes', 'no', 'on', '0777', '1:30', '.inf', '-.nan', '2024-02-30',
    '!!python/object/apply:os.system ["true"]', '&a [*a]', '*nothing', '[', '{', '"', "'",
    '<script>alert(1)</script>', 'file:///etc/passwd', '%(x)s', '{n:d}', '#8891',
    'x' * 5000, 'あ' * 400, '\x07', '\ufeff', '😀', '- - -', ': :', '|\n  text', '>-'])


def mutate(text: str, data) -> str:
    """Cut, insert, duplicate or replace a piece of a real source."""
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            lines = ['']
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(['cut', 'insert', 'duplicate', 'value', 'chars']))
        if action == 'cut':
            del lines[index]
        elif action == 'insert':
            lines.insert(index, data.draw(st.text(max_size=40)) + '\n')
        elif action == 'duplicate':
            lines.insert(index, lines[index])
        elif action == 'value' and ':' in lines[index]:
            key = lines[index].split(':', 1)[0]
            lines[index] = f'{key}: {data.draw(AWKWARD)}\n'
        else:
            position = data.draw(st.integers(0, len(lines[index])))
            lines[index] = (lines[index][:position] + data.draw(st.text(max_size=8))
                            + lines[index][position:])
    return ''.join(lines)


def load(kind: str, text: str, tmp_path: Path) -> None:
    """Load and validate ``text`` as a source of ``kind``; only SourceErrors may come out."""
    from noticegen.load import project as project_module
    from noticegen.load.sources import load_yaml
    from noticegen.model import schema
    path = tmp_path / 'fuzzed.yaml'
    path.write_bytes(text.encode('utf-8', errors='surrogatepass'))
    source, errors = load_yaml(path, 'fuzzed.yaml')
    if not errors:
        project_module._validate(source, getattr(schema, SOURCES[kind][1]), errors)
    for error in errors:
        str(error)   # every message formats


@pytest.mark.parametrize('kind', sorted(SOURCES))
def test_a_mutated_source_gives_only_source_errors(kind, tmp_path):
    original = (ROOT / SOURCES[kind][0]).read_text(encoding='utf-8')

    @SETTINGS
    @given(st.data())
    def check(data):
        load(kind, mutate(original, data), tmp_path)

    check()


def test_random_text_gives_only_source_errors(tmp_path):
    @SETTINGS
    @given(st.text(max_size=400))
    def check(text):
        load('notice', text, tmp_path)

    check()


def test_a_mutated_catalog_gives_only_catalog_errors(tmp_path):
    from noticegen.check.lint import _catalog_errors
    from noticegen.load.project import Project
    original = (ROOT / 'locales/ko/LC_MESSAGES/messages.po').read_text(encoding='utf-8')
    folder = tmp_path / 'locales' / 'ko' / 'LC_MESSAGES'
    folder.mkdir(parents=True)
    project = Project(tmp_path, [])

    @SETTINGS
    @given(st.data())
    def check(data):
        (folder / 'messages.po').write_text(mutate(original, data), encoding='utf-8',
                                            errors='surrogatepass')
        for error in _catalog_errors(project, 'locales/ko/LC_MESSAGES/messages.po'):
            str(error)

    check()
