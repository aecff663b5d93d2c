"""The catalogue of watched terms and policy documents (config/terms.yaml), validated on load."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from newswatch.core.settings import PathSettings

DEFAULT_TERMS_CATALOGUE = PathSettings.terms_file

DocType = Literal["terms_of_service", "privacy_policy", "ai_policy", "content_policy", "licence_agreement", "community_guidelines"]


class TermsCatalogueError(ValueError):
    """An entry of the catalogue is invalid; the message names the entry and the field."""


class TermsDocument(BaseModel):
    platform: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    document: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    doc_type: DocType
    url: str
    selector: str = Field(min_length=1)
    remove: list[str] = Field(default_factory=list)
    category: str = "platform"

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @property
    def key(self) -> str:
        return f"{self.platform}/{self.document}"


def parse_terms_catalogue(raw: object, origin: str = "catalogue") -> list[TermsDocument]:
    if not isinstance(raw, dict) or not isinstance(raw.get("documents"), list):
        raise TermsCatalogueError(f"{origin}: expected a mapping with a 'documents' list")
    documents, problems, seen = [], [], set()
    for index, entry in enumerate(raw["documents"]):
        name = entry.get("platform", "?") + "/" + entry.get("document", "?") if isinstance(entry, dict) else "?"
        try:
            document = TermsDocument.model_validate(entry)
        except ValidationError as error:
            for detail in error.errors():
                field_name = ".".join(str(part) for part in detail["loc"]) or "(entry)"
                problems.append(f"{origin}: entry {index} ({name}): field '{field_name}': {detail['msg']}")
            continue
        if document.key in seen:
            problems.append(f"{origin}: entry {index} ({name}): duplicate platform/document")
        seen.add(document.key)
        documents.append(document)
    if problems:
        raise TermsCatalogueError("\n".join(problems))
    return documents


def load_terms_catalogue(path: Path | str = DEFAULT_TERMS_CATALOGUE) -> list[TermsDocument]:
    path = Path(path)
    return parse_terms_catalogue(yaml.safe_load(path.read_text(encoding="utf-8")), origin=str(path))
