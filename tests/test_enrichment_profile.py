"""Topic profiles: the shipped profile loads, and broken profiles fail with messages that say where."""
from __future__ import annotations

import pytest

from newswatch.enrichment.profile import (
    ProfileError,
    load_profile,
    parse_profile,
    resolve_profile_path,
)

VALID = """
id: demo_topic
version: 2
name: Demo
description: A topic.
keywords: [one, two]
targets:
  - id: first
    claim: Something should happen.
    description: why
"""


def test_shipped_profile_has_the_six_artist_side_targets():
    profile = load_profile()
    assert profile.id == "ai_artists_rights"
    assert profile.target_ids == ("consent", "compensation", "litigation", "platform_terms", "transparency", "voice_likeness")
    for target in profile.targets:
        assert target.claim.endswith(".") and target.description
    assert profile.target("consent").claim.startswith("AI companies must obtain")
    assert "suno" in profile.known_organization_keys


def test_valid_profile_from_a_path(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(VALID, encoding="utf-8")
    profile = load_profile(path)
    assert (profile.id, profile.version, profile.keywords) == ("demo_topic", 2, ("one", "two"))
    assert resolve_profile_path("ai_artists_rights").name == "ai_artists_rights.yaml"


def test_unknown_target_lists_the_known_ones():
    with pytest.raises(KeyError, match="consent"):
        load_profile().target("nope")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID.replace("id: demo_topic", "id: Demo Topic"), "id: 'Demo Topic' must be lower_snake_case"),
        (VALID.replace("version: 2", "version: 0"), "version: must be a positive integer"),
        (VALID.replace("keywords: [one, two]", "keywords: []"), "keywords: must be a non-empty list"),
        (VALID.replace("claim: Something should happen.", 'claim: "  "'), "targets.0.claim: must not be empty"),
        (VALID.replace("name: Demo\n", ""), "name: Field required"),
        (VALID + "colour: blue\n", "colour: Extra inputs are not permitted"),
        (VALID + "  - id: first\n    claim: Again.\n", "duplicate target id 'first'"),
        (VALID.replace("targets:\n  - id: first\n    claim: Something should happen.\n    description: why\n", "targets: []\n"), "at least one stance target"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("id: [unclosed\n", "not valid YAML"),
    ],
)
def test_invalid_profiles_name_the_problem(text, message):
    with pytest.raises(ProfileError) as error:
        parse_profile(text, source="bad.yaml")
    assert "bad.yaml" in str(error.value)
    assert message in str(error.value)


def test_missing_profile_lists_shipped_profiles(tmp_path):
    with pytest.raises(ProfileError, match=r"not found: .*absent.yaml \(profiles shipped: .*ai_artists_rights"):
        load_profile(tmp_path / "absent.yaml")


def test_targets_are_chosen_by_the_model_not_by_cue_words():
    """A profile that still lists cue words is refused: extra keys are errors, so nobody tunes a dead field."""
    text = """
id: t
version: 1
name: T
description: A topic.
keywords: [a]
targets:
  - id: one
    claim: Something must happen.
    cues: [ok]
"""
    with pytest.raises(ProfileError, match="cues"):
        parse_profile(text)


