"""The texts of the leaflet and the card, with what their claims let print, and the date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model.claims import printed_claims, resolve
from ..model.facts import (Printing, claim_facts, claim_verdicts, contact_date,
                           national_printing, printing)


@dataclass
class Resolved:
    """What one leaflet or card prints: its texts (None where left out), its centers, which
    national services print, and the fact that dates it."""

    texts: dict[str, Any]
    printed: Printing
    shown: dict[str, bool]
    dated: str


def resolve_texts(project, prefecture, as_of, sources: dict[str, Any],
                  translations: dict[str, Any]) -> Resolved:
    """``sources``: the Japanese texts by part (front, back; or card); ``translations``: the
    same parts in the document's language, or None for the Japanese document."""
    judge = project.judge(as_of)
    verdicts = claim_verdicts(project.national, project.facts, judge)

    def prints(claim: str) -> bool:
        return verdicts[claim].printable

    printed = printing(prefecture, judge)
    shown, national_facts = national_printing(project.national, judge)
    texts = {part: resolve(source, translations.get(part), prints)
             for part, source in sources.items()}
    claims = [claim for source in sources.values() for claim in printed_claims(source, prints)]
    first = contact_date(printed.facts + national_facts,
                         claim_facts(claims, project.national, project.facts), project.facts)
    return Resolved(texts, printed, shown, first.dated)
