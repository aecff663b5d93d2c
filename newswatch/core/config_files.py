"""Shared handling of YAML configuration files: parse to a mapping, describe validation problems."""
from __future__ import annotations

import yaml
from pydantic import ValidationError


def load_yaml_mapping(text: str, source: str, error_cls: type[Exception], expected: str) -> dict:
    """The YAML document as a dict, or ``error_cls`` naming the source and what was expected."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error_cls(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise error_cls(f"{source}: expected {expected}, got {type(data).__name__}")
    return data


def validation_problems(error: ValidationError, prefix: str = "") -> list[str]:
    """One indented line per problem: '<prefix><field.path>: <message>'."""
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        lines.append(f"  {prefix}{location}: {problem['msg'].removeprefix('Value error, ')}")
    return lines
