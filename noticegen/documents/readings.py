"""The maintainer's `noticegen card-readings` that writes the furigana readings of a
card (ja-easy) into its YAML, from SudachiPy (the `maint` extra). The build only reads them.

Every run of kanji that the card prints, for every prefecture (the card's texts, the
prefecture's name, its first center's name, label and hours, the date), gets its reading; a
reading already in the file is kept (it may have been corrected by hand), and one that no
printed word uses any more is removed. The file keeps its comments (ruamel.yaml).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import NoticegenError


def needed_words(project, lang: str, texts_of) -> dict[str, str]:
    """run of kanji → reading (SudachiPy's) of every run the card in ``lang`` prints:
    ``texts_of(project, prefecture, lang, as_of, gettext)`` lists what it prints."""
    from ..layout import LOCALES
    from ..model.breaking import reading_runs
    from ..model.facts import as_of_date
    from ..render.catalogs import load_catalog
    gettext = load_catalog(project.root / LOCALES, lang).gettext
    as_of = as_of_date(project.national.valid_as_of)
    texts: list[str] = []
    for data in project.prefectures.values():
        texts += texts_of(project, data.prefecture, lang, as_of, gettext)
    found: dict[str, str] = {}
    for text in dict.fromkeys(texts):
        for run, reading in reading_runs(text).items():
            found.setdefault(run, reading)
    return dict(sorted(found.items()))


def update(path: Path, readings: dict[str, str], check: bool) -> tuple[list[str], list[str]]:
    """Write ``readings`` into the card's YAML (its ``readings:`` block, replaced in place,
    or added at the end with a comment), keeping those already there; return the words
    added and removed. The rest of the file is left as it is, byte for byte."""
    import json

    import yaml

    from ..output.atomic import write_atomic
    text = path.read_text(encoding='utf-8')
    current = dict((yaml.safe_load(text) or {}).get('readings') or {})
    added = [word for word in readings if word not in current]
    removed = [word for word in current if word not in readings]
    if check or not (added or removed):
        return added, removed
    lines = text.splitlines(keepends=True)
    start = next((index for index, line in enumerate(lines)
                  if line.rstrip() == 'readings:'), None)
    block = ['readings:\n'] + [f'  {json.dumps(word, ensure_ascii=False)}: '
                               f'{json.dumps(current.get(word, reading), ensure_ascii=False)}\n'
                               for word, reading in readings.items()]
    if start is None:
        if lines and not lines[-1].endswith('\n'):
            lines[-1] += '\n'
        lines += [COMMENT] + block
    else:
        end = start + 1
        while end < len(lines) and (lines[end].startswith((' ', '\t')) or not lines[end].strip()):
            end += 1
        lines[start:end] = block
    write_atomic(path, ''.join(lines).encode('utf-8'))
    return added, removed


COMMENT = ('# Furigana: each run of kanji that the card prints (any prefecture) → its reading,\n'
           '# okurigana left out (助ける: 助 たす). Written by `noticegen card-readings`\n'
           '# (SudachiPy); review them and correct a wrong one here by hand (it is kept). The\n'
           '# build looks each run up whole.\n')


def run(root: Path, lang: str, check: bool, texts_of) -> tuple[list[str], bool]:
    """The command's work: lines to print, and whether ``check`` found the file stale."""
    from ..errors import UsageError
    from ..load.project import load_project
    project = load_project(root)
    if lang not in project.cards:
        raise UsageError(f'no card in {lang!r}: write cards/patient-card.{lang}.yaml first')
    _, source = project.cards[lang]
    try:
        words = needed_words(project, lang, texts_of)
    except ImportError as error:
        raise UsageError(str(error)) from None
    added, removed = update(root / source.path, words, check)
    lines = [f'{source.path}: {"missing" if check else "added"}: {word}: {words[word]}'
             for word in added]
    lines += [f'{source.path}: {"unused" if check else "removed"}: {word}' for word in removed]
    lines.append(f'{len(words)} words with a reading; {len(added)} '
                 f'{"missing" if check else "added"}, {len(removed)} '
                 f'{"unused" if check else "removed"}.')
    return lines, check and bool(added or removed)


def command(texts_of) -> click.Command:
    """The `card-readings` command, for a card whose printed texts ``texts_of`` lists."""
    @click.command(name='card-readings')
    @click.option('--lang', default='ja-easy', show_default=True,
                  help='The card whose furigana to write.')
    @click.option('--check', 'check_only', is_flag=True,
                  help='Write nothing; exit 1 if a printed word lacks a reading or one is unused.')
    @click.pass_context
    def card_readings(context, lang: str, check_only: bool) -> None:
        """Write the furigana readings of a patient card into cards/patient-card.LANG.yaml.

        For maintainers: needs SudachiPy and sudachidict-core (pip install "noticegen[maint]").
        Every run of kanji that the card prints, for every prefecture, gets a reading in
        the file's `readings:`; one already there is kept (correct a wrong reading by hand:
        人 ひと or にん), one no longer printed is removed. The build never runs the analyser:
        it fails on a kanji that no reading covers, and says to run this command.
        """
        from ..options import Options
        root = context.find_object(Options).root
        if root is None:
            raise click.UsageError('no project here: run it inside one, or give --root')
        try:
            lines, failed = run(root, lang, check_only, texts_of)
        except NoticegenError as exception:
            click.echo(str(exception), err=True)
            sys.exit(exception.exit_code)
        for line in lines:
            click.echo(line)
        sys.exit(1 if failed else 0)
    return card_readings
