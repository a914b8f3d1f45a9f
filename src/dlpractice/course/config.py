"""Typed lab configs: `--set key=value` overrides, validation, and a description for `dlpractice info`."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from dlpractice.course.errors import UserError

MAX_SEED = 2**32 - 1


@dataclass
class LabConfig:
    """What every lab's config starts with: its seed, and how many CPU threads torch may use while it runs.

    A lab's config subclasses it (`class MyConfig(LabConfig)`), adds its own fields, all with defaults, and a
    `quick()` classmethod; the runner applies `threads` around the lab's `run`. A subclass that defines
    `__post_init__` must call `super().__post_init__()`.
    """

    seed: int = 0  # same seed, same metrics
    # torch's intra-op threads while the lab runs. None: one per core, fastest on a quiet machine (full MNIST in
    # lab 03: 74 s with both cores of a 2-core laptop, 99 s with one). On a machine busy with other work, two
    # threads that keep waiting for each other can run 3-10x slower than one: then use `--set threads=1`.
    threads: int | None = None

    def __post_init__(self) -> None:
        cores = os.cpu_count() or 1
        if self.threads is not None and not 0 < self.threads <= cores:
            raise ValueError(f"threads must be between 1 and the {cores} cores of this machine, or None, got {self.threads}")
        if not 0 <= self.seed <= MAX_SEED:  # the range NumPy's and Python's generators accept
            raise ValueError(f"seed must be between 0 and {MAX_SEED} (2**32 - 1), got {self.seed}")
        for f in dataclasses.fields(self):  # no key means anything as NaN or infinity (`--set lr=inf`, `lr=1e400`)
            values = getattr(self, f.name)
            for value in values if isinstance(values, tuple) else (values,):
                if isinstance(value, float) and not math.isfinite(value):
                    raise ValueError(f"{f.name} must be a finite number, got {value}")

    @classmethod
    def quick(cls) -> LabConfig:
        return cls()


def fields_with_types(config_cls: type) -> dict[str, Any]:
    hints = get_type_hints(config_cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(config_cls)}


def type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if origin in (Union, types.UnionType):
        return " | ".join(type_name(a) for a in get_args(tp))
    if origin is tuple:
        return f"tuple[{', '.join(type_name(a) for a in get_args(tp))}]"
    if tp is Ellipsis:
        return "..."
    return "None" if tp is type(None) else getattr(tp, "__name__", str(tp))


def parse_value(text: str, tp: Any) -> Any:
    """Convert the text of `--set key=TEXT` to the field's declared type, or raise ValueError."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        if text.lower() in ("none", "null") and type(None) in get_args(tp):
            return None
        for arg in get_args(tp):
            if arg is type(None):
                continue
            try:
                return parse_value(text, arg)
            except ValueError:
                pass
        raise ValueError
    if origin is Literal:
        for choice in get_args(tp):
            if str(choice) == text:
                return choice
        raise ValueError
    if origin is tuple:
        args = get_args(tp)
        parts = [p for p in text.strip("()[] ").split(",") if p.strip()]
        item_types = [args[0]] * len(parts) if len(args) == 2 and args[1] is Ellipsis else list(args)
        if len(item_types) != len(parts):
            raise ValueError
        return tuple(parse_value(p.strip(), t) for p, t in zip(parts, item_types))
    if tp is bool:
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ValueError
    if tp is int:
        return int(text)
    if tp is float:
        return float(text)
    if tp is str:
        return text
    raise ValueError


def apply_overrides(config: Any, pairs: list[str]) -> Any:
    """A copy of `config` with each `key=value` applied; unknown keys and ill-typed values are UserErrors."""
    types_by_name = fields_with_types(type(config))
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep:
            raise UserError(f"--set expects key=value, got '{pair}'")
        if key not in types_by_name:
            raise UserError(f"unknown config key '{key}'; valid keys: {', '.join(types_by_name)}")
        tp = types_by_name[key]
        try:
            changes[key] = parse_value(text.strip(), tp)
        except ValueError:
            raise UserError(f"--set {key}: '{text}' is not a valid {type_name(tp)}") from None
    return build(type(config), {**dataclasses.asdict(config), **changes})


def build(config_cls: type, values: dict[str, Any]) -> Any:
    """Construct a config, turning its own validation errors (raised in `__post_init__`) into UserErrors."""
    try:
        return config_cls(**values)
    except (ValueError, TypeError) as err:
        raise UserError(f"invalid config: {err}") from None


def from_json(config_cls: type, text: str) -> Any:
    """A config from the JSON of its values (as config.json stores them); a UserError if they do not make one."""
    values = json.loads(text)
    if not isinstance(values, dict):
        raise UserError(f"a config is a JSON object of key: value, got a {type(values).__name__}")
    types_by_name = fields_with_types(config_cls)
    for key, tp in types_by_name.items():
        if get_origin(tp) is tuple and isinstance(values.get(key), list):
            values[key] = tuple(values[key])
    return build(config_cls, {k: v for k, v in values.items() if k in types_by_name})


def describe(config: Any) -> list[tuple[str, str, str]]:
    """(name, type, default) for each field of a config."""
    return [
        (name, type_name(tp), repr(getattr(config, name)))
        for name, tp in fields_with_types(type(config)).items()
    ]


def fill_from_preset(config: Any, preset: dict[str, Any]) -> Any:
    """`config` with every field left at None replaced by `preset`'s value for it: a copy, or `config` itself when
    no field is None (labs whose defaults depend on the dataset they run on: lab 03, lab 07)."""
    missing = {k: v for k, v in preset.items() if getattr(config, k) is None}
    return dataclasses.replace(config, **missing) if missing else config


def check_positive(config: Any, *names: str) -> None:
    """Raise ValueError naming the first field that is not > 0 (call it from `__post_init__`)."""
    for name in names:
        if getattr(config, name) <= 0:
            raise ValueError(f"{name} must be > 0, got {getattr(config, name)}")


