"""What each notice declares it makes (`outputs`), checked against the registered kinds."""

from __future__ import annotations

from ..errors import SourceError
from ..load.project import Project
from ..model.nearest import nearest
from ..plan import registry


def output_errors(project: Project) -> list[SourceError]:
    """An error at each `outputs` entry that names no declarable kind, or that its notice
    cannot make (a per-prefecture document without prefecture data, a packet without its
    cover letter ...)."""
    declarable = {kind.name: kind for kind in registry.declarable()}
    errors = []
    for notice_set in project.notices:
        source = notice_set.source
        for index, name in enumerate(notice_set.notice.outputs):
            loc = ('outputs', index)
            kind = declarable.get(name)
            if kind is None:
                guess = nearest(name, ((known, known) for known in declarable), cutoff=0.6,
                                limit=1)
                hint = f'; did you mean {guess[0]!r}?' if guess else ''
                errors.append(source.error(loc, f'{name!r} is not something a notice can make'
                                                f'{hint} (choose from {", ".join(declarable)})'))
                continue
            if kind.phase == 'prefecture' and not project.prefectures:
                errors.append(source.error(loc, f'{name} is made per prefecture, but '
                                                f'prefectures/ holds no prefecture data'))
                continue
            for where, message in kind.notice_problems(notice_set, project):
                errors.append(source.error(where or loc, f'{name}: {message}'))
    return errors
