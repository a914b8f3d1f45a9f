"""course.lab: targets, and the preset that judges a run (a lab with several datasets judges each on its own terms)."""

import dataclasses
import math

import pytest

from dlpractice.course.lab import Preset, Target
from support.preset_lab import LAB, PresetConfig


@pytest.mark.parametrize("value, direction, met", [(0.9, "max", True), (0.8, "max", True), (0.79, "max", False),
                                                   (0.8, "min", True), (0.81, "min", False), (None, "max", False),
                                                   (math.nan, "max", False), (math.nan, "min", False)])
def test_a_target_is_met_at_its_threshold_and_never_by_a_missing_value(value, direction, met) -> None:
    assert Target("m", 0.8, direction).met(value) is met


def test_targets_and_presets_describe_themselves() -> None:
    assert str(Target("accuracy", 0.95)) == "accuracy >= 0.95" and str(Target("loss", 1e-6, "min")) == "loss <= 1e-06"
    assert Preset("p", (), 90).budget() == "90 s" and Preset("p", (), None).budget() == "GPU"
    assert LAB.presets[0].describe() == "accuracy >= 0.95, loss <= 0.1 in 60 s on a 2-core CPU"
    assert LAB.presets[1].describe() == "accuracy >= 0.99 on a GPU"


def test_preset_for_picks_the_preset_named_by_the_config_field() -> None:
    large, huge = LAB.presets
    assert LAB.preset_for(PresetConfig(dataset="large")) is large
    assert LAB.preset_for(PresetConfig(dataset="huge")) is huge


def test_preset_for_falls_back_to_the_default_preset() -> None:
    default = LAB.preset_for(PresetConfig())
    assert default == Preset("small", LAB.targets, LAB.cpu_budget_s)  # named after the default config's value
    assert LAB.preset_for(PresetConfig(dataset="medium")) == default  # a value without a preset of its own
    assert LAB.all_presets() == (default, *LAB.presets)  # the default first, as `dlpractice list` shows them


def test_a_lab_without_preset_key_has_one_default_preset() -> None:
    plain = dataclasses.replace(LAB, preset_key=None, presets=())
    assert plain.preset_for(PresetConfig(dataset="large")) == Preset("default", LAB.targets, 10)
    assert plain.all_presets() == (Preset("default", LAB.targets, 10),)
