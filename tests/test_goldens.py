"""Golden page images (tests/goldens/, 50 dpi): the letter, the leaflet, a cover and one card
per script must look as committed. An intended change runs `./dev.sh preview
--update-goldens` and says why in the same commit."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, run_cli
from noticegen.preview import goldens

NOTICE = '2024-10-08-onestop'


@pytest.fixture(scope='module')
def golden_build(tmp_path_factory):
    out = tmp_path_factory.mktemp('goldens')
    result = run_cli('build', '--out', str(out), '-p', goldens.PREFECTURE, '--lang',
                     ','.join(goldens.LANGS), '--format', ','.join(goldens.FORMATS), '-j', '1')
    assert result.returncode == 0, result.stderr
    return out


def test_the_main_pages_match_their_goldens(golden_build):
    folder = ROOT / goldens.GOLDENS
    assert len(list(folder.glob('*.png'))) >= 10
    assert goldens.compare(golden_build, folder, NOTICE) == []


def test_a_changed_page_is_caught_and_named(golden_build, tmp_path):
    from PIL import Image, ImageDraw
    folder = tmp_path / 'goldens'
    shutil.copytree(ROOT / goldens.GOLDENS, folder)
    name = goldens.golden_name(f'{NOTICE}/leaflets/08-ibaraki.pdf', 1)
    with Image.open(folder / name) as image:
        image = image.convert('RGB')
        ImageDraw.Draw(image).rectangle((60, 60, 90, 75), fill='black')   # a changed number
        image.save(folder / name)
    (folder / 'gone.p1.png').write_bytes((folder / name).read_bytes())
    problems = goldens.compare(golden_build, folder, NOTICE)
    assert len(problems) == 2
    assert problems[0].startswith(f'{name}: ') and 'differ' in problems[0]
    assert problems[1] == 'gone.p1.png: golden of a page no longer made'
