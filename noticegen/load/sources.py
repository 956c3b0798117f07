"""Load YAML sources safely, keeping the file, line and column of every value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..errors import SourceError

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """Render a field path as ``items[0].title``."""
    out = ''
    for part in loc:
        if isinstance(part, int):
            out += f'[{part}]'
        else:
            out += f'.{part}' if out else str(part)
    return out or '(document)'


@dataclass
class Source:
    """One loaded YAML file: its data and where each value came from."""

    path: str
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    spans: dict[Loc, tuple[int, int]] = field(default_factory=dict)  # scalar text offsets
    plain: set[Loc] = field(default_factory=set)  # scalars written without quotes
    text: str = ''

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Return the position of ``loc``, or of its nearest recorded ancestor."""
        loc = tuple(loc)
        while True:
            if key and loc in self.key_positions:
                return self.key_positions[loc]
            if loc in self.positions:
                return self.positions[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def char_position(self, loc: Loc, value: str, offset: int) -> tuple[int, int]:
        """Return the line and column of ``value[offset]`` in the file, if it can be found."""
        char = value[offset]
        occurrence = value.count(char, 0, offset)
        if loc in self.spans:
            start, end = self.spans[loc]
            index = start - 1
            for _ in range(occurrence + 1):
                index = self.text.find(char, index + 1, end)
                if index < 0:
                    break
            else:
                line = self.text.count('\n', 0, index) + 1
                return line, index - (self.text.rfind('\n', 0, index) + 1) + 1
        return self.where(loc)

    def error(self, loc: Loc, message: str, *, key: bool = False) -> SourceError:
        line, col = self.where(loc, key=key)
        return SourceError(self.path, line, col, f'{format_loc(loc)}: {message}')


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe scalars, except that timestamps stay strings for the model to parse."""


_Constructor.add_constructor('tag:yaml.org,2002:timestamp',
                             yaml.constructor.SafeConstructor.construct_yaml_str)

_SCALAR_TAGS = {
    'tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float',
    'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null',
    'tag:yaml.org,2002:timestamp'}


class _Builder:
    def __init__(self, source: Source):
        self.source = source
        self.constructor = _Constructor()
        self.errors: list[SourceError] = []

    def mark(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.source.positions[loc] = self.mark(node)
        if isinstance(node, yaml.MappingNode):
            if node.tag != 'tag:yaml.org,2002:map':
                return self._bad_tag(node, loc)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == 'tag:yaml.org,2002:merge':
                    self.errors.append(SourceError(
                        self.source.path, *self.mark(key_node),
                        f'{format_loc(loc)}: merge keys (<<) are not supported'))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.errors.append(SourceError(
                        self.source.path, *self.mark(key_node),
                        f'{format_loc(loc)}: a key must be a plain value'))
                    continue
                key = self.constructor.construct_object(key_node)
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    first = self.source.key_positions[loc + (key,)]
                    self.errors.append(SourceError(
                        self.source.path, *self.mark(key_node),
                        f'{format_loc(loc + (key,))}: duplicate key {key!r} '
                        f'(first defined at line {first[0]})'))
                    continue
                self.source.key_positions[loc + (key,)] = self.mark(key_node)
                result[key] = self.build(value_node, loc + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != 'tag:yaml.org,2002:seq':
                return self._bad_tag(node, loc)
            return [self.build(item, loc + (index,))
                    for index, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node, loc)
        self.source.spans[loc] = (node.start_mark.index, node.end_mark.index)
        if node.style is None:
            self.source.plain.add(loc)
            rest = self.source.text[node.end_mark.index:].split('\n', 1)[0]
            if re.match(r'\s+#\d', rest):
                # 「… #8891 へ」 unquoted: YAML reads everything from ' #' on as a comment.
                self.errors.append(SourceError(
                    self.source.path, node.end_mark.line + 1, node.end_mark.column + 2,
                    f'{format_loc(loc)}: the text from {rest.strip()[:12]!r} on is read as a '
                    f'YAML comment; quote the whole value'))
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exception:
            self.errors.append(SourceError(
                self.source.path, *self.mark(node),
                f'{format_loc(loc)}: {exception}'))
            return None

    def _bad_tag(self, node: yaml.Node, loc: Loc) -> None:
        self.errors.append(SourceError(
            self.source.path, *self.mark(node),
            f'{format_loc(loc)}: the tag {node.tag!r} is not allowed '
            f'(only plain YAML values)'))
        return None


def _malformed(display: str, exception: yaml.MarkedYAMLError) -> SourceError:
    """PyYAML's error in its own words, with both of its lines, at the line of the mistake.

    A scanner's context mark is the start of the token it could not finish (a key line
    without its ':', an unclosed quote), and a flow collection's is its unclosed bracket:
    that is where the mistake is, while the problem mark is only where PyYAML gave up (often
    the next line, or the end of the file). A block collection's context is merely the
    collection being read, so there the problem mark is the place.
    """
    context, problem = exception.context_mark, exception.problem_mark
    at_context = context is not None and (
        isinstance(exception, yaml.scanner.ScannerError)
        or (exception.context or '').startswith('while parsing a flow'))
    mark = context if at_context else problem or context

    def elsewhere(other) -> str:
        """`` (line L, column C)`` for a mark other than the one the error is reported at."""
        if other is None or mark is None or (other.line, other.column) == (mark.line, mark.column):
            return ''
        return f' (line {other.line + 1}, column {other.column + 1})'

    words = (exception.problem or str(exception)) + elsewhere(problem)
    if exception.context:
        words = f'{exception.context}{elsewhere(context)}: {words}'
    if exception.context == 'while scanning a simple key':
        words += "; is a key missing its ':'?"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return SourceError(display, line, col, f'malformed YAML: {words}')


# Bounds that no real source comes near: a notice is a few kilobytes, nested a few levels.
MAX_SOURCE_BYTES = 1_000_000
MAX_DEPTH = 32


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader's composer without aliases, and with a nesting limit.

    An alias (*name) is refused outright: expanding aliases is how a few hundred bytes of
    YAML become gigabytes (or, pointing at itself, never end), and no source needs one.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f'an alias (*{event.anchor}) is not allowed in a source: write the '
                            f'value out', event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f'nested more than {MAX_DEPTH} levels deep', event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _position_of(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters) of byte ``offset`` in ``data``."""
    line_start = data.rfind(b'\n', 0, offset) + 1
    column = len(data[line_start:offset].decode('utf-8', errors='replace')) + 1
    return data.count(b'\n', 0, offset) + 1, column


def load_yaml(path: Path, display: str | None = None) -> tuple[Source, list[SourceError]]:
    """Load one YAML file safely; return the source and any errors found."""
    display = display or str(path)
    source = Source(display, None)
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return source, [SourceError(display, 1, 1, f'the file is larger than '
                                                       f'{MAX_SOURCE_BYTES:,} bytes')]
        data = path.read_bytes()
    except OSError as exception:
        return source, [SourceError(display, 1, 1, f'cannot read: {exception.strerror}')]
    try:
        text = source.text = data.decode('utf-8')
    except UnicodeDecodeError as exception:
        line, col = _position_of(data, exception.start)
        return source, [SourceError(display, line, col, f'not UTF-8 text: byte '
                                                        f'0x{data[exception.start]:02X} '
                                                        f'({exception.reason})')]
    try:
        # Composing builds nodes only; nothing is constructed yet, so no tag can run code.
        node = _BoundedLoader(text).get_single_node()
    except yaml.MarkedYAMLError as exception:
        return source, [_malformed(display, exception)]
    except yaml.reader.ReaderError as exception:
        # A control character: the reader gives its position as a character index.
        line = text.count('\n', 0, exception.position) + 1
        col = exception.position - (text.rfind('\n', 0, exception.position) + 1) + 1
        return source, [SourceError(display, line, col, f'character U+{exception.character:04X} '
                                                        f'is not allowed in YAML text')]
    except yaml.YAMLError as exception:
        return source, [SourceError(display, 1, 1, f'malformed YAML: {exception}')]
    if node is None:
        return source, [SourceError(display, 1, 1, 'the file is empty')]
    builder = _Builder(source)
    source.data = builder.build(node, ())
    return source, builder.errors


def strings(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every string in a loaded value, with its location (dict keys and list indexes)."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, loc + (index,))
