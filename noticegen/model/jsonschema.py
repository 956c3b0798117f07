"""JSON Schemas of the source files, from the models: editors complete and check YAML with them."""

from __future__ import annotations

from pydantic import TypeAdapter

from ..layout import ATTACHMENTS, CARDS, NOTICES, PREFECTURES
from .schema import Attachment, CardText, LeafletTranslation, NationalData, Notice, Prefecture

# Each kind of source file, by the name of its schema file (schemas/<name>.schema.json): the
# folder its files live in; and which files those are, relative to the project's root.
SOURCES = {
    NOTICES: (Notice, f'{NOTICES}/*.yaml'),
    ATTACHMENTS: (Attachment, f'{ATTACHMENTS}/<notice id>/*.yaml'),
    'translations': (LeafletTranslation, f'{ATTACHMENTS}/<notice id>/*.<lang>.yaml'),
    PREFECTURES: (Prefecture, f'{PREFECTURES}/NN-romaji.yaml'),
    'national': (NationalData, f'{PREFECTURES}/national.yaml'),
    CARDS: (CardText, f'{CARDS}/patient-card*.yaml'),
}


def schemas() -> dict[str, dict]:
    """Each source kind's JSON Schema (draft 2020-12), with the YAML keys as written."""
    found = {}
    for name, (model, files) in SOURCES.items():
        schema = TypeAdapter(model).json_schema(by_alias=True, mode='validation')
        description = schema.pop('description', '')
        found[name] = {'$schema': 'https://json-schema.org/draft/2020-12/schema',
                       '$id': f'{name}.schema.json', 'title': schema.pop('title', name),
                       'description': f'{description} Files: {files}'.strip(), **schema}
    return found


def modeline(name: str, depth: int) -> str:
    """The comment that names a file's schema for the YAML language server."""
    return f'# yaml-language-server: $schema={"../" * depth}schemas/{name}.schema.json'
