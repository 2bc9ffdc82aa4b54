"""docs/python.md's table of supported ops is the registry's."""

from __future__ import annotations

from pathlib import Path

from dyn.frontend import registry

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def test_op_table_is_current():
    text = DOC.read_text()
    assert registry.replace_table(text, registry.op_table()) == text, (
        "docs/python.md's op table is stale: run "
        "`PYTHONPATH=python /usr/bin/python3 -m dyn.frontend.registry --write docs/python.md`")


def test_core_aten_table_is_current():
    from dyn.frontend import coverage

    text = DOC.read_text()
    assert registry.replace_table(text, coverage.table(), coverage.BEGIN,
                                  coverage.END) == text, (
        "docs/python.md's Core ATen table is stale: run "
        "`PYTHONPATH=python /usr/bin/python3 -m dyn.frontend.coverage --write docs/python.md`")


def test_every_handler_has_a_family():
    registry.op_table()  # imports every family
    for kind, handler in registry.HANDLERS.items():
        module = handler.__module__.rsplit(".", 1)[-1]
        assert module in registry.FAMILIES, (kind, handler.__module__)


def test_a_kind_registers_once():
    import pytest

    with pytest.raises(ValueError, match="aten::relu has two handlers"):
        registry.register("aten::relu", lambda imp, node: None)
