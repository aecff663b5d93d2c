"""Joining a model split over several PyPI packages (how all-mpnet-base-v2 is shipped)."""
from __future__ import annotations

import importlib.metadata
import io
import zipfile
from pathlib import Path

import pytest

from newswatch.enrichment import model_service
from newswatch.enrichment.model_service import ModelUnavailable, assemble_split_model


class _FakeFile:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name

    def locate(self) -> Path:
        return self.path


class _FakeDistribution:
    def __init__(self, files: list[Path]):
        self.files = [_FakeFile(path) for path in files]


def _split_zip(tmp_path: Path, members: dict[str, bytes], parts: int) -> dict[str, _FakeDistribution]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    blob = buffer.getvalue()
    size = -(-len(blob) // parts)
    distributions = {}
    for number in range(parts):
        folder = tmp_path / f"site/part_{number + 1:03d}/input"
        folder.mkdir(parents=True)
        part = folder / f"model.zip.{number + 1:03d}"
        part.write_bytes(blob[number * size : (number + 1) * size])
        init = folder.parent / "__init__.py"
        init.write_text("")
        distributions[f"fake-part-{number + 1:03d}"] = _FakeDistribution([init, part])
    return distributions


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    members = {"some-model/config.json": b'{"hidden_size": 8}', "some-model/vocab.txt": b"[PAD]\n" * 500}
    distributions = _split_zip(tmp_path, members, parts=3)

    def distribution(name: str):
        if name not in distributions:
            raise importlib.metadata.PackageNotFoundError(name)
        return distributions[name]

    monkeypatch.setattr(model_service.importlib.metadata, "distribution", distribution)
    return tuple(distributions)


def test_parts_are_joined_in_order_and_unpacked_into_place(fake_parts, tmp_path):
    target = tmp_path / "models" / "some-model"
    assert assemble_split_model(fake_parts, target) == target
    assert (target / "config.json").read_bytes() == b'{"hidden_size": 8}'
    assert (target / "vocab.txt").read_bytes() == b"[PAD]\n" * 500
    # Nothing half-written is left beside the model.
    assert sorted(p.name for p in target.parent.iterdir()) == ["some-model"]


def test_parts_given_out_of_order_still_join(fake_parts, tmp_path):
    target = tmp_path / "models" / "some-model"
    assemble_split_model(tuple(reversed(fake_parts)), target)
    assert (target / "config.json").exists()


def test_a_missing_package_is_named(fake_parts, tmp_path):
    with pytest.raises(ModelUnavailable, match="fake-part-009 is not installed"):
        assemble_split_model((*fake_parts, "fake-part-009"), tmp_path / "models" / "some-model")


def test_a_corrupt_part_is_refused_and_leaves_no_folder(fake_parts, tmp_path):
    dist = model_service.importlib.metadata.distribution(fake_parts[1])
    dist.files[1].path.write_bytes(b"garbage")
    target = tmp_path / "models" / "some-model"
    with pytest.raises(ModelUnavailable, match="could not be unpacked"):
        assemble_split_model(fake_parts, target)
    assert not target.exists()


def test_reference_model_dir_honours_the_override(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSWATCH_REFERENCE_ENCODER_DIR", str(tmp_path))
    assert model_service.reference_model_dir() == tmp_path
