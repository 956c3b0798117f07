"""Did-you-mean: the values closest to a mistyped one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(query: str, candidates: Iterable[tuple[str, str]], cutoff: float,
            limit: int = 3, margin: float = 0.1) -> list[str]:
    """The values whose keys are most like ``query``, best first.

    ``candidates`` are (key, value) pairs; a value may have several keys. A value's score is its
    best key's similarity (difflib's ratio); values scoring below ``cutoff``, or more than
    ``margin`` below the best, are left out, so a clear winner is suggested alone. Ties keep
    the order of ``candidates``.
    """
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(query)
    scores: dict[str, float] = {}
    for key, value in candidates:
        matcher.set_seq1(key)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff and ratio > scores.get(value, -1):
                scores[value] = ratio
    if not scores:
        return []
    best = max(scores.values())
    ranked = sorted(scores, key=lambda value: -scores[value])  # stable: ties keep their order
    return [value for value in ranked if scores[value] >= best - margin][:limit]
