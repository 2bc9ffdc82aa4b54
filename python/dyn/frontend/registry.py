"""The op registry: one handler per graph op kind, grouped by family.

Handlers live in `dyn.frontend.ops.<family>` and register with `@handles`
(or `register` for handlers made by a factory); the family is the module
they are defined in. `python -m dyn.frontend.registry` prints the table of
supported ops that docs/python.md holds (python/tests/test_docs.py fails
when the two differ).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

HANDLERS: dict[str, Callable[[Any, Any], Any]] = {}

# Module (last component) -> the family's name in the docs, in doc order.
FAMILIES = {
    "elementwise": "elementwise",
    "reductions": "reductions",
    "linalg": "linear algebra and convolution",
    "normalization": "normalisation and activation",
    "shape": "shape and indexing",
    "indexing": "gathers, scatters, scans and sorts",
    "image": "resampling and padding",
    "pooling": "pooling and distances",
    "creation": "creation",
    "recurrent": "recurrent",
    "scalar": "scalar",
    "torchscript": "graph structure and control flow",
}


def register(kind: str, fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    if kind in HANDLERS:
        raise ValueError(f"{kind} has two handlers")
    HANDLERS[kind] = fn
    return fn


def handles(*kinds: str):
    def decorate(fn):
        for kind in kinds:
            register(kind, fn)
        return fn
    return decorate


def inputs(imp, node) -> list:
    """The importer's values for the operands of `node`."""
    return [imp.get(v) for v in node.inputs()]


def family_of(kind: str) -> str:
    module = HANDLERS[kind].__module__.rsplit(".", 1)[-1]
    return FAMILIES.get(module, module)


def op_table() -> str:
    """The Markdown table of every registered op kind, by family."""
    import dyn.frontend.torchscript  # noqa: F401  (registers everything)

    order = list(FAMILIES.values())
    rows = sorted(HANDLERS, key=lambda k: (order.index(family_of(k)) if family_of(k) in order
                                           else len(order), k))
    lines = ["| family | ops |", "| --- | --- |"]
    for family in order:
        kinds = [k for k in rows if family_of(k) == family]
        if kinds:
            lines.append(f"| {family} | " + ", ".join(f"`{k}`" for k in kinds) + " |")
    return "\n".join(lines) + "\n"


BEGIN = "<!-- BEGIN generated op table (python -m dyn.frontend.registry --write docs/python.md) -->"
END = "<!-- END generated op table -->"


def replace_table(text: str, table: str, begin: str = BEGIN, end: str = END) -> str:
    """`text` with the part between the markers replaced by `table`."""
    if begin not in text or end not in text:
        raise ValueError("the document has no generated table markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + begin + "\n" + table + end + tail


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="DOC",
                        help="replace the generated table in DOC instead of printing it")
    args = parser.parse_args(argv)
    table = op_table()
    if not args.write:
        sys.stdout.write(table)
        return 0
    with open(args.write) as f:
        text = f.read()
    with open(args.write, "w") as f:
        f.write(replace_table(text, table))
    return 0


if __name__ == "__main__":
    # Run as a script this file is `__main__`, a second copy of the module:
    # the handlers register into the package's, whose main is the one to use.
    from dyn.frontend import registry as _package_module
    sys.exit(_package_module.main(sys.argv[1:]))
