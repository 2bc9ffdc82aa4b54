"""The Core ATen table of docs/python.md: every op overload torch.export
decomposes to (PyTorch 2's `torch.Tag.core` ops, listed in core_aten.txt),
whether the PyTorch 2 importer has code for it, and the test that checks it
against eager (python/tests/test_core_aten.py's CASES).

    PYTHONPATH=python python3 -m dyn.frontend.coverage --write docs/python.md
    PYTHONPATH=python VENV/bin/python -m dyn.frontend.coverage --refresh-core-list

Runs without PyTorch 2 (the op list is a file); only --refresh-core-list
needs it. python/tests/test_docs.py fails when the table is stale.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from dyn.frontend.registry import HANDLERS, replace_table

HERE = Path(__file__).resolve().parent
CORE_LIST = HERE / "core_aten.txt"
CASES_FILE = HERE.parents[1] / "tests" / "test_core_aten.py"
BEGIN = "<!-- BEGIN generated Core ATen table (python -m dyn.frontend.coverage --write docs/python.md) -->"
END = "<!-- END generated Core ATen table -->"


def core_ops() -> list[str]:
    return [ln.strip() for ln in CORE_LIST.read_text().splitlines() if ln.strip()]


def tested_ops() -> set[str]:
    """The keys of CASES in test_core_aten.py (read, not imported: the test
    needs PyTorch 2)."""
    tree = ast.parse(CASES_FILE.read_text())
    for node in ast.walk(tree):
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id == "CASES" and \
                isinstance(node.value, ast.Dict):
            return {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    raise ValueError(f"{CASES_FILE} has no CASES dict")


def handled(overload: str) -> bool:
    """Whether the PyTorch 2 importer has code for the op of `overload`."""
    import dyn.frontend.torchscript  # noqa: F401  (registers every handler)
    from dyn.frontend import export

    kind = "aten::" + overload.split(".", 1)[0]
    if kind in export._NO_CODE or kind in export._SPECIAL:
        return True
    if kind in export._ADAPTERS:
        return export._ADAPTERS[kind][0] in HANDLERS
    return kind in HANDLERS


# Ops without code on purpose, and why (shown in the table).
_WHY_NOT = (
    (lambda op: "_backward" in op, "a gradient: dyn compiles inference"),
    (lambda op: op.split(".")[0] in ("rand", "randn", "randperm"),
     "random numbers: the compiled model would not draw PyTorch's"),
    (lambda op: op.startswith("_fft"), "complex tensors: not in the C ABI"),
)


def why_not(overload: str) -> str:
    return next((why for test, why in _WHY_NOT if test(overload)), "")


def table() -> str:
    tested = tested_ops()
    ops = core_ops()
    supported = [op for op in ops if handled(op)]
    lines = [f"{len(supported)} of the {len(ops)} Core ATen overloads have code; "
             f"{len(tested & set(ops))} are tested against eager one by one "
             "(`test_core_aten.py`), the others through the models that use them.", "",
             "| op | supported | test |", "| --- | --- | --- |"]
    for op in ops:
        test = f"`test_core_aten.py::{op}`" if op in tested else ""
        mark = "yes" if op in supported else ("— " + why_not(op)).strip()
        lines.append(f"| `{op}` | {mark} | {test} |")
    return "\n".join(lines) + "\n"


def refresh_core_list() -> None:
    import torch

    ops = set()
    for name in dir(torch.ops.aten):
        packet = getattr(torch.ops.aten, name, None)
        if not isinstance(packet, torch._ops.OpOverloadPacket):
            continue
        for overload in packet.overloads():
            op = getattr(packet, overload)
            if torch.Tag.core in op.tags:
                ops.add(str(op).replace("aten.", "", 1))
    CORE_LIST.write_text("\n".join(sorted(ops)) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="DOC", help="replace the table in DOC")
    parser.add_argument("--refresh-core-list", action="store_true",
                        help=f"rewrite {CORE_LIST.name} from this PyTorch 2's core-tagged ops")
    args = parser.parse_args(argv)
    if args.refresh_core_list:
        refresh_core_list()
    if not args.write:
        sys.stdout.write(table())
        return 0
    doc = Path(args.write)
    doc.write_text(replace_table(doc.read_text(), table(), BEGIN, END))
    return 0


if __name__ == "__main__":
    from dyn.frontend import coverage as _package_module
    sys.exit(_package_module.main(sys.argv[1:]))
