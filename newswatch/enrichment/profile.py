"""Topic profiles: what is monitored and which claims stance is measured against.

A profile is a YAML file (see ``config/profiles/``). Monitoring another topic
means writing another profile, not changing code. Loading validates the whole
file and reports every problem with its location, so a typo in a profile fails
at start-up with a readable message instead of deep inside a model call.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    field_validator,
    model_validator,
)

from newswatch.core.config_files import load_yaml_mapping, validation_problems
from newswatch.core.settings import CONFIG_DIR, Settings

PROFILES_DIR = CONFIG_DIR / "profiles"
DEFAULT_PROFILE = "ai_artists_rights"
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class ProfileError(ValueError):
    """A profile file is missing, unreadable or invalid; the message says where and why."""


def _check_id(value: str) -> str:
    if not _ID_PATTERN.match(value):
        raise ValueError(f"{value!r} must be lower_snake_case (letters, digits, underscores, starting with a letter)")
    return value


def _check_text(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be empty")
    return value


class StanceTarget(BaseModel):
    """One claim, phrased from the artists' side so that ``favor`` means pro-artists'-rights."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    claim: str
    description: str = ""

    _id = field_validator("id")(_check_id)
    _claim = field_validator("claim")(_check_text)

    @field_validator("description")
    @classmethod
    def _normalise_description(cls, value: str) -> str:
        return " ".join(value.split())


class TopicProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int
    name: str
    description: str
    keywords: tuple[str, ...]
    targets: tuple[StanceTarget, ...]
    # Organisations of the topic that NER tends to mistake for people ("Suno", "Udio").
    known_organizations: tuple[str, ...] = ()

    _id = field_validator("id")(_check_id)
    _name = field_validator("name", "description")(_check_text)

    @field_validator("version")
    @classmethod
    def _positive_version(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be a positive integer")
        return value

    @field_validator("keywords")
    @classmethod
    def _clean_keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(" ".join(k.split()) for k in value)
        if not cleaned or any(not k for k in cleaned):
            raise ValueError("must be a non-empty list of non-empty strings")
        return cleaned

    @model_validator(mode="after")
    def _unique_targets(self) -> "TopicProfile":
        if not self.targets:
            raise ValueError("targets: at least one stance target is required")
        seen: set[str] = set()
        for target in self.targets:
            if target.id in seen:
                raise ValueError(f"targets: duplicate target id {target.id!r}")
            seen.add(target.id)
        return self

    def target(self, target_id: str) -> StanceTarget:
        for target in self.targets:
            if target.id == target_id:
                return target
        known = ", ".join(t.id for t in self.targets)
        raise KeyError(f"unknown target id {target_id!r} in profile {self.id} (known: {known})")

    @property
    def target_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.targets)

    @property
    def known_organization_keys(self) -> frozenset[str]:
        return frozenset(name.casefold() for name in self.known_organizations)


def parse_profile(text: str, source: str = "<string>") -> TopicProfile:
    """Validate profile YAML text; raises ProfileError naming the source and each bad field."""
    data = load_yaml_mapping(text, source, ProfileError, "a profile: it must be a YAML mapping")
    try:
        return TopicProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{source}: invalid topic profile\n" + "\n".join(validation_problems(exc))) from exc


def resolve_profile_path(name_or_path: str | os.PathLike[str] | None = None) -> Path:
    """A bare name means ``config/profiles/<name>.yaml``; anything else is a path.

    Default: NEWSWATCH_PROFILE, else the AI-and-artists'-rights profile.
    """
    chosen = str(name_or_path or Settings.from_env().models.profile or DEFAULT_PROFILE)
    if os.sep in chosen or chosen.endswith((".yaml", ".yml")):
        return Path(chosen)
    return PROFILES_DIR / f"{chosen}.yaml"


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> TopicProfile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        available = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))) or "none"
        raise ProfileError(f"topic profile not found: {path} (profiles shipped: {available})") from exc
    except OSError as exc:
        raise ProfileError(f"cannot read topic profile {path}: {exc}") from exc
    return parse_profile(text, source=str(path))


def load_profile(name_or_path: str | os.PathLike[str] | None = None) -> TopicProfile:
    """The validated topic profile (cached per path: profiles are read once per process)."""
    return _load_cached(resolve_profile_path(name_or_path).resolve())
