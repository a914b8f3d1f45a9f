import os
from dataclasses import dataclass
from typing import Literal, Optional

import pytest

from dlpractice.course.config import LabConfig, apply_overrides, check_positive, describe, from_json, parse_value
from dlpractice.course.errors import UserError


@dataclass
class Example:
    seed: int = 0
    lr: float = 0.1
    dataset: Literal["sample", "mnist"] = "sample"
    hidden: tuple[int, ...] = (32, 32)
    checkpoint: Optional[str] = None
    augment: bool = False

    def __post_init__(self):
        check_positive(self, "lr")


@pytest.mark.parametrize(
    "text, tp, expected",
    [
        ("3", int, 3),
        ("1e-3", float, 0.001),
        ("true", bool, True),
        ("off", bool, False),
        ("mnist", Literal["sample", "mnist"], "mnist"),
        ("64,32", tuple[int, ...], (64, 32)),
        ("none", Optional[str], None),
        ("path.ckpt", Optional[str], "path.ckpt"),
    ],
)
def test_parse_value_converts_to_the_declared_type(text, tp, expected):
    assert parse_value(text, tp) == expected


@pytest.mark.parametrize("text, tp", [("3.5", int), ("abc", float), ("maybe", bool), ("cifar", Literal["sample", "mnist"])])
def test_parse_value_rejects_ill_typed_text(text, tp):
    with pytest.raises(ValueError):
        parse_value(text, tp)


def test_overrides_apply_and_leave_the_original_alone():
    base = Example()
    changed = apply_overrides(base, ["lr=0.5", "hidden=8,8,8", "dataset=mnist", "augment=yes"])
    assert (changed.lr, changed.hidden, changed.dataset, changed.augment) == (0.5, (8, 8, 8), "mnist", True)
    assert base.lr == 0.1


def test_unknown_key_lists_the_valid_ones():
    with pytest.raises(UserError, match="unknown config key 'epochs'.*seed, lr, dataset"):
        apply_overrides(Example(), ["epochs=3"])


def test_wrong_type_and_invalid_value_are_user_errors():
    with pytest.raises(UserError, match="'fast' is not a valid float"):
        apply_overrides(Example(), ["lr=fast"])
    with pytest.raises(UserError, match="lr must be > 0"):
        apply_overrides(Example(), ["lr=-1"])
    with pytest.raises(UserError, match="key=value"):
        apply_overrides(Example(), ["lr"])


def test_json_round_trip_restores_tuples():
    import dataclasses
    import json

    config = Example(hidden=(4, 5))
    assert from_json(Example, json.dumps(dataclasses.asdict(config))) == config


def test_describe_lists_every_field_with_type_and_default():
    rows = {name: (tp, default) for name, tp, default in describe(Example())}
    assert rows["hidden"] == ("tuple[int, ...]", "(32, 32)")
    assert rows["dataset"] == ("'sample' | 'mnist'", "'sample'")


@pytest.mark.parametrize("threads", [None, 1, os.cpu_count() or 1])
def test_lab_config_accepts_none_or_a_thread_count_up_to_the_cores(threads):
    assert LabConfig(threads=threads).threads == threads


@pytest.mark.parametrize("threads", [0, -1, (os.cpu_count() or 1) + 1, 1000])
def test_lab_config_rejects_thread_counts_outside_one_to_the_cores(threads):
    with pytest.raises(ValueError, match=f"threads must be between 1 and the {os.cpu_count() or 1} cores.*{threads}"):
        LabConfig(threads=threads)


def test_a_lab_config_subclass_keeps_the_thread_check():
    @dataclass
    class Sub(LabConfig):
        lr: float = 0.1

        def __post_init__(self):
            super().__post_init__()
            check_positive(self, "lr")

    assert describe(Sub())[:2] == [("seed", "int", "0"), ("threads", "int | None", "None")]
    with pytest.raises(UserError, match="threads"):
        apply_overrides(Sub(), ["threads=0"])
    with pytest.raises(UserError, match="lr must be > 0"):
        apply_overrides(Sub(), ["lr=0"])
