"""Edit a YAML source in place: only the values that change, every other byte kept.

A full round trip through ruamel.yaml keeps comments, key order and quoting, but re-wraps
long values and writes null as nothing: loading and dumping the 47 prefecture files unchanged
rewrote 40 of them (537 lines; 39 files and 275 lines with wrapping off), so a reviewer's diff
would be mostly noise. Here the text is edited at the positions the
loader records (``load.sources``): a value is replaced where it stands, a key is removed
with its lines, a new key goes after its sibling at the sibling's indentation. ruamel.yaml
renders each new value (its quoting rules), and the result is checked by loading it again:
it must read back as exactly the data intended.
"""

from __future__ import annotations

import copy
import io
import re
from datetime import date

import yaml

from ..load.sources import Source

_DATE = re.compile(r'\d{4}(-\d{2}){0,2}')


class EditError(Exception):
    """The file is laid out in a way these edits cannot follow (flow style, say)."""


def _yaml():
    from ruamel.yaml import YAML
    dumper = YAML()
    dumper.width = 4096            # never wrap: a value stays on its line
    dumper.indent(mapping=2, sequence=2, offset=0)
    return dumper


def _reads_back(text: str, value: str) -> bool:
    """Whether ``text`` reads back as ``value`` in a source (timestamps stay text there)."""
    try:
        loaded = yaml.safe_load(f'k: {text}\n')
    except yaml.YAMLError:
        return False
    got = loaded.get('k') if isinstance(loaded, dict) else None
    if isinstance(got, date):
        return text == value and bool(_DATE.fullmatch(value))
    return got == value


def _dump(value) -> str:
    stream = io.StringIO()
    _yaml().dump({'k': value}, stream)
    return stream.getvalue()[len('k: '):].rstrip('\n')


def render(value, style: str | None = None) -> str:
    """``value`` as YAML text for one line, in ``style`` (', " or plain) where that reads
    back as the same value; a new date is quoted, as the prefecture files write dates."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
    if not isinstance(value, str):
        return _dump(value)
    if style is None:
        style = "'" if _DATE.fullmatch(value) else 'plain'
    if '\n' in value:
        style = '"'               # one line, with \n: a splice never spans lines
    candidates = {"'": [SingleQuotedScalarString(value)],
                  '"': [DoubleQuotedScalarString(value)],
                  'plain': [value]}[style]
    for candidate in candidates + [value, SingleQuotedScalarString(value),
                                   DoubleQuotedScalarString(value)]:
        text = value if style == 'plain' and candidate is value and '\n' not in value \
            else _dump(candidate)
        if _reads_back(text, value):
            return text
    raise EditError(f'cannot write {value!r} as YAML that reads back the same')


def render_block(key: str, value: dict, indent: int) -> str:
    """``key:`` and its mapping, in block style, each line indented by ``indent``."""
    lines = [f'{key}:']
    for name, item in value.items():
        if isinstance(item, dict):
            lines += [' ' * 2 + line for line in render_block(name, item, 0).splitlines()]
        else:
            lines.append(f'  {name}: {render(item)}')
    return ''.join(' ' * indent + line + '\n' for line in lines)


class Edits:
    """Edits to one loaded source, applied at once by ``result()``."""

    def __init__(self, source: Source):
        self.source = source
        self.text = source.text
        self.data = copy.deepcopy(source.data)    # what the edited text must read back as
        self._changes: list[tuple[int, int, int, str]] = []   # start, end, order, text
        self._inserted: dict[tuple, tuple[int, int]] = {}     # new keys: position, column
        self._starts = [0] + [index + 1 for index, char in enumerate(self.text) if char == '\n']

    # --- positions -------------------------------------------------------------------
    def _offset(self, line: int, col: int) -> int:
        return self._starts[line - 1] + col - 1

    def _end(self, loc: tuple) -> int:
        """Where the value at ``loc`` ends: the end of its last scalar."""
        ends = [end for at, (_, end) in self.source.spans.items() if at[:len(loc)] == loc]
        if not ends:
            return self._offset(*self.source.where(loc))
        return max(ends)

    def _line_end(self, offset: int) -> int:
        newline = self.text.find('\n', offset)
        return len(self.text) if newline < 0 else newline + 1

    def _key_start(self, loc: tuple) -> tuple[int, int]:
        """The offsets of the start of the key's line and of the key itself (block style)."""
        if loc not in self.source.key_positions:
            raise EditError(f'no key at {loc}')
        line, col = self.source.key_positions[loc]
        start = self._starts[line - 1]
        key = self._offset(line, col)
        if self.text[start:key].strip(' '):
            raise EditError(f'{".".join(map(str, loc))} is not a key on a line of its own '
                            f'(flow style, or the first key of a list item)')
        return start, key

    def _add(self, start: int, end: int, text: str) -> None:
        self._changes.append((start, end, len(self._changes), text))

    # --- edits -------------------------------------------------------------------------
    def _parent(self, loc: tuple):
        node = self.data
        for part in loc[:-1]:
            node = node[part]
        return node

    def exists(self, loc: tuple) -> bool:
        try:
            node = self._parent(loc)
        except (KeyError, IndexError, TypeError):
            return False
        return isinstance(node, dict) and loc[-1] in node

    def set(self, loc: tuple, value, after: str | None = None) -> None:
        """Set the scalar at ``loc``: replaced where it stands, or a new key after ``after``
        (a sibling; the default is the last key of the mapping)."""
        parent = self._parent(loc)
        if loc[-1] in parent and loc in self.source.spans:
            if parent[loc[-1]] == value:
                return
            start, end = self.source.spans[loc]
            first = self.text[start] if start < end else ''
            # Keep the value's quoting; a null takes the style of a new value.
            style = first if first in ("'", '"') else (None if parent[loc[-1]] is None
                                                         else 'plain')
            self._add(start, end, render(value, style))
            parent[loc[-1]] = value
            return
        if loc[-1] in parent:
            raise EditError(f'{loc}: not a plain value')
        self.insert(loc[:-1], loc[-1], value, after)

    def insert(self, parent_loc: tuple, key: str, value, after: str | None = None) -> None:
        parent = self._parent(parent_loc + ('',))
        siblings = [name for name in parent if (parent_loc + (name,)) in
                    self.source.key_positions]
        if not siblings:
            raise EditError(f'{parent_loc}: no key to place {key!r} after')
        if (parent_loc, after) in self._inserted:     # after a key this edit adds
            position, col = self._inserted[parent_loc, after]
        else:
            anchor = after if after in siblings else siblings[-1]
            sibling = parent_loc + (anchor,)
            col = self.source.key_positions[sibling][1]
            position = self._line_end(self._end(sibling))
        self._inserted[parent_loc, key] = (position, col)
        prefix = '' if position == 0 or self.text[position - 1] == '\n' else '\n'
        if isinstance(value, dict):
            text = render_block(key, value, col - 1)
        else:
            text = f'{" " * (col - 1)}{key}: {render(value)}\n'
        self._add(position, position, prefix + text)
        parent[key] = value

    def append_top(self, key: str, value: dict) -> None:
        """A new top-level key with a mapping, at the end of the file."""
        prefix = '' if not self.text or self.text.endswith('\n') else '\n'
        self._add(len(self.text), len(self.text), prefix + render_block(key, value, 0))
        self.data[key] = value

    def delete(self, loc: tuple) -> None:
        """Remove the key at ``loc`` with every line of its value (and that line's comment)."""
        parent = self._parent(loc)
        if loc[-1] not in parent:
            return
        start, key = self._key_start(loc)
        self._add(start, self._line_end(max(self._end(loc), key)), '')
        del parent[loc[-1]]

    # --- result ------------------------------------------------------------------------
    def changed(self) -> bool:
        return bool(self._changes)

    def result(self) -> str:
        out, at = [], 0
        for start, end, _, text in sorted(self._changes):
            if start < at:
                raise EditError('two edits overlap')
            out += [self.text[at:start], text]
            at = end
        out.append(self.text[at:])
        return ''.join(out)
