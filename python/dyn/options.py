"""Compile options as keyword arguments: `dyn.compile(..., plan_memory=False)`.

The options are not listed here: they are read from `dyn-compile
--list-options`, which prints the tables the C++ side is built from
(TargetOptions.def, SubnetOptions.def, CPUOptions.def, NVPTXOptions.def).
A keyword is the flag with `_` for `-` (`vector_size` is `--vector-size`),
and has the flag's type and default.
"""

from __future__ import annotations

import difflib
import functools
import json
import subprocess
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class CompileOption:
    flag: str          # "vector-size"
    type: str          # bool | int | string | list
    default: str
    targets: tuple[str, ...]  # ("all",) or the dyn-compile targets
    description: str

    @property
    def keyword(self) -> str:
        return self.flag.replace("-", "_")

    def applies_to(self, target: str) -> bool:
        return "all" in self.targets or target in self.targets


@functools.lru_cache(maxsize=None)
def compile_options(dyn_compile: str) -> dict[str, CompileOption]:
    """The options `dyn_compile` accepts, by keyword."""
    result = subprocess.run([dyn_compile, "--list-options=json"], capture_output=True,
                            text=True, check=True)
    options = {}
    for line in result.stdout.splitlines():
        row = json.loads(line)
        option = CompileOption(row["flag"], row["type"], row["default"],
                               tuple(row["targets"].split(",")), row["description"])
        options[option.keyword] = option
    return options


def _value_flags(option: CompileOption, value: Any) -> list[str]:
    flag = f"--{option.flag}"
    if option.type == "bool":
        if not isinstance(value, bool):
            raise TypeError(f"{option.keyword} must be a bool, not {type(value).__name__}")
        return [f"{flag}={'true' if value else 'false'}"]
    if option.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{option.keyword} must be an int, not {type(value).__name__}")
        return [f"{flag}={value}"]
    if option.type == "list":
        items = [value] if isinstance(value, str) else list(value)
        if not all(isinstance(item, str) for item in items):
            raise TypeError(f"{option.keyword} must be a string or a list of strings")
        return [f"{flag}={item}" for item in items]
    if not isinstance(value, str):
        raise TypeError(f"{option.keyword} must be a str, not {type(value).__name__}")
    return [f"{flag}={value}"]


def option_flags(dyn_compile: str, target: str, options: Mapping[str, Any]) -> list[str]:
    """dyn-compile flags for keyword `options`; a keyword that names no
    option, a value of the wrong type, or an option of another target is an
    error here rather than a failed compilation."""
    if not options:
        return []
    known = compile_options(dyn_compile)
    flags: list[str] = []
    for keyword, value in options.items():
        option = known.get(keyword)
        if option is None:
            close = difflib.get_close_matches(keyword, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"unknown compile option {keyword!r}{hint}; the options are "
                            + ", ".join(sorted(known)))
        if not option.applies_to(target):
            raise ValueError(f"compile option {keyword!r} does not apply to target {target!r} "
                             f"(only to {', '.join(option.targets)})")
        flags += _value_flags(option, value)
    return flags
