"""The registry of document kinds: what each kind makes, from what, and how it is planned.

A kind is one module under ``noticegen/documents/`` (or anywhere: ``register()`` it, or
name its module in the ``noticegen.documents`` entry-point group) plus a template. The
core (plan, check, build, preview, cli) asks the registry and never names a kind.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar, Iterable

from ..errors import NoticegenError

# Annotations name Job, PlanContext (plan.job) and Project (load.project) as strings only:
# plan.job imports this module, and an import back, even for type checking, is a cycle.

# The kinds that come with noticegen: every module of this package, found on disk and
# imported by name, so that no core module imports (or names) one.
BUILTIN_PACKAGE = 'noticegen.documents'
ENTRY_POINT_GROUP = 'noticegen.documents'

# When a kind's jobs are made: shared documents first, one at a time; then each
# prefecture's documents together; then those made from everything (in the build's process).
PHASES = ('shared', 'prefecture', 'final')


class DocumentKind:
    """One kind of output file. Subclass it, set the class attributes, and register it."""

    name: ClassVar[str]               # the manifest's kind; unique
    family: ClassVar[str | None] = None   # preview and --kind group; default: name
    title: ClassVar[str] = ''         # the preview gallery's heading
    order: ClassVar[int] = 100        # planning order within a phase, and gallery order
    phase: ClassVar[str] = 'shared'
    template: ClassVar[str | None] = None     # under templates/; None: not laid out by HTML
    stylesheet: ClassVar[str | None] = None
    pages: ClassVar[int | None] = None        # the page budget, or None
    previewed: ClassVar[bool] = True          # previewed unless --kind says otherwise
    command: ClassVar[str | None] = None      # planned only by this command (registered for it)
    command_help: ClassVar[str] = ''
    sent_for_confirmation: ClassVar[bool] = False   # sent with each 照会 form (confirm export)
    keeps_foreign_fonts: ClassVar[bool] = False   # an included PDF keeps its own fonts
    tolerates_failed_parts: ClassVar[bool] = False   # made even when a part failed
    localized: ClassVar[bool] = False   # its template strings come from the job's catalog
    # Made only for a notice that lists the kind's name in its `outputs`; otherwise the
    # kind's own sources decide (the letter always, an attachment when the notice has it).
    declared: ClassVar[bool] = False
    outputs_help: ClassVar[str] = ''    # what listing it in `outputs` makes (docs/reference.md, errors)
    # The formats it is made in (plan/formats.py); --format picks which are built.
    formats: ClassVar[tuple[str, ...]] = ('screen',)

    @property
    def group(self) -> str:
        return self.family or self.name

    # --- planning -------------------------------------------------------------------
    def jobs(self, context: PlanContext) -> Iterable[Job]:
        """The files of this kind a build of ``context`` writes."""
        raise NotImplementedError

    def made_in(self, job: Job, fmt: str) -> bool:
        """Whether ``job`` (planned as screen) is also made in the format ``fmt``."""
        return fmt in self.formats

    def notice_problems(self, notice_set: Any, project: Project) -> Iterable[tuple[tuple, str]]:
        """(loc, message) of what a notice that lists this kind in `outputs` lacks for it."""
        return ()

    def stylesheets(self, job: Job) -> list[str]:
        """The stylesheets the job is laid out with, first the kind's own."""
        return [self.stylesheet] if self.stylesheet else []

    def language_stylesheet(self, job: Job) -> str | None:
        """A stylesheet declaring a fallback font stack (any font may hold a character)."""
        return None

    # --- making ---------------------------------------------------------------------
    def html(self, job: Job, context: Any) -> str:
        """The job's HTML, from the kind's template (``context.renderer.html``)."""
        raise NotImplementedError

    def describe(self, job: Job) -> str:
        """The document as error messages name it."""
        return f'{self.name} {job.output}'

    def produce(self, job: Job, context: Any) -> bytes:
        """The bytes of ``job``; ``context`` is a ``build.ProduceContext``.

        By default: lay out ``html()`` with the job's stylesheets and check the page budget.
        """
        return context.renderer.pdf(self.html(job, context), list(job.stylesheets),
                                    self.describe(job), self.budget(job))

    def budget(self, job: Job) -> int | None:
        """The exact page count ``job`` must have, or None."""
        return self.pages

    # --- reports --------------------------------------------------------------------
    def summary(self, job: Job, data: bytes) -> list[str]:
        """Lines the build summary prints about the file ``job`` holds (``data``)."""
        return []

    def coverage(self, project: Project, lang: str) -> list:
        """Rows of ``i18n``'s translation report for this kind in ``lang``."""
        return []

    def translation_warnings(self, project: Project, lang: str) -> list:
        """What of this kind's own texts falls back to another language (warnings)."""
        return []

    def cli_options(self) -> list:
        """click options this kind adds to the commands that plan it (build, or its own)."""
        return []

    def commands(self) -> list:
        """click commands of this kind's own (a maintainer's tool), added to the CLI."""
        return []


_KINDS: dict[str, DocumentKind] = {}
_LOADED = False


def register(kind: DocumentKind | type[DocumentKind]) -> DocumentKind:
    """Add ``kind`` to the registry (a class or an instance); usable as a class decorator."""
    instance = kind() if isinstance(kind, type) else kind
    if instance.phase not in PHASES:
        raise NoticegenError(f'kind {instance.name!r}: phase must be one of {PHASES}')
    _KINDS[instance.name] = instance
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def load() -> None:
    """Import the built-in kinds and those named by the ``noticegen.documents`` entry points."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    for module in builtin_modules():
        importlib.import_module(module)
    from importlib.metadata import entry_points
    for point in entry_points(group=ENTRY_POINT_GROUP):
        loaded = point.load()
        if isinstance(loaded, type) and issubclass(loaded, DocumentKind):
            register(loaded)


def builtin_modules() -> list[str]:
    """The modules of the built-in kinds (and their helpers), by name."""
    import pkgutil
    package = importlib.import_module(BUILTIN_PACKAGE)
    return [f'{BUILTIN_PACKAGE}.{info.name}' for info in pkgutil.iter_modules(package.__path__)]


def kinds() -> list[DocumentKind]:
    """Every registered kind, in phase then planning order."""
    load()
    return sorted(_KINDS.values(), key=lambda k: (PHASES.index(k.phase), k.order, k.name))


def get(name: str) -> DocumentKind:
    load()
    try:
        return _KINDS[name]
    except KeyError:
        raise NoticegenError(f'no document kind named {name!r}') from None


def declarable() -> list[DocumentKind]:
    """The kinds a notice may list in its `outputs`."""
    return [kind for kind in kinds() if kind.declared]


def groups() -> list[str]:
    """The preview groups (families), in gallery order."""
    return list(dict.fromkeys(kind.group for kind in sorted(kinds(), key=lambda k: k.order)))


def group_titles() -> dict[str, str]:
    return {kind.group: kind.title for kind in sorted(kinds(), key=lambda k: -k.order)}


def default_groups() -> tuple[str, ...]:
    """What preview and diff look at by default."""
    return tuple(g for g in groups() if any(k.previewed for k in kinds() if k.group == g))
