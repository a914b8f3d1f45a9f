"""The one place labs are registered: adding a lab is one line here plus its module."""

from __future__ import annotations

import dataclasses
import importlib

from dlpractice.course.errors import UserError
from dlpractice.course.lab import Lab

# lab id -> module defining `LAB`
LABS: dict[str, str] = {
    "00": "dlpractice.labs.ml_refresher",
    "01": "dlpractice.labs.pytorch_basics",
    "02": "dlpractice.labs.intermediate_pytorch",
    "03": "dlpractice.labs.cnn",
    "04": "dlpractice.labs.regularization",
    "05": "dlpractice.labs.cnn_rna",
    "06": "dlpractice.labs.cnn_visualization",
    "07": "dlpractice.labs.embeddings",
    "08": "dlpractice.labs.rnn",
}


def load(lab_id: str) -> Lab:
    module = importlib.import_module(LABS[lab_id])
    return dataclasses.replace(module.LAB, id=lab_id)


def all_labs() -> list[Lab]:
    return [load(lab_id) for lab_id in sorted(LABS)]


def find(key: str | int) -> Lab:
    """The lab with this id (`01`, `1` or the number 1) or name (`pytorch-basics`)."""
    if isinstance(key, int) and not isinstance(key, bool):
        key = f"{key:02d}"
    if not isinstance(key, str):
        raise UserError(f"a lab is named by its id (1 or '01') or its name ('pytorch-basics'), got {key!r}")
    if key in LABS:
        return load(key)
    if key.isdigit() and key.zfill(2) in LABS:
        return load(key.zfill(2))
    for lab in all_labs():
        if lab.name == key:
            return lab
    valid = ", ".join(f"{lab.id} ({lab.name})" for lab in all_labs())
    raise UserError(f"unknown lab '{key}'; valid labs: {valid}")
