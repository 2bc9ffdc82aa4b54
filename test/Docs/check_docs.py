"""Checks that the documentation describes the tree as it is.

    check_docs.py reference SRC OBJ FILE...   docs/reference/FILE == OBJ/docs/FILE
    check_docs.py options SRC DYN_COMPILE     docs/reference/options.md is current
    check_docs.py passes SRC DYN_OPT          every pass and pipeline dyn-opt lists
                                              has a row in docs/architecture.md
                                              whose source, test and doc exist
    check_docs.py links SRC                   every repository path and relative
                                              link in README.md and docs/ exists

Each failure names the file and how to fix it; the exit code is the number
of failures (capped at 1).
"""

from __future__ import annotations

import glob
import itertools
import re
import subprocess
import sys
from pathlib import Path

REGENERATE = "regenerate with `cmake --build build --target dyn-docs`"
failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)


def check_reference(src: Path, obj: Path, files: list[str]) -> None:
    reference = src / "docs" / "reference"
    for name in files:
        generated, committed = obj / "docs" / name, reference / name
        if not committed.exists():
            fail(f"docs/reference/{name} is missing: {REGENERATE}")
        elif generated.read_text() != committed.read_text():
            fail(f"docs/reference/{name} differs from what ODS generates: {REGENERATE}")
    expected = set(files) | {"options.md"}
    for path in reference.rglob("*.md"):
        name = path.relative_to(reference).as_posix()
        if name not in expected:
            fail(f"docs/reference/{name} is no longer generated: delete it")


def check_options(src: Path, dyn_compile: str) -> None:
    text = subprocess.run([dyn_compile, "--list-options=markdown"], capture_output=True,
                          text=True, check=True).stdout
    committed = src / "docs" / "reference" / "options.md"
    if not committed.exists() or committed.read_text() != text:
        fail(f"docs/reference/options.md differs from the option tables: {REGENERATE}")


def table_rows(text: str, header: str) -> list[list[str]]:
    """The rows of the first Markdown table whose header starts with `header`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header):
            rows = []
            for row in itertools.takewhile(lambda l: l.startswith("|"), lines[i + 2:]):
                rows.append([cell.strip() for cell in row.strip("|").split("|")])
            return rows
    return []


def paths_in(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def check_passes(src: Path, dyn_opt: str) -> None:
    help_text = subprocess.run([dyn_opt, "--help"], capture_output=True, text=True,
                               check=True).stdout
    listed = sorted(set(re.findall(r"^\s+--(dyn-[a-z0-9-]+)", help_text, re.M)))
    rows = table_rows((src / "docs" / "architecture.md").read_text(), "| pass")
    documented = {}
    for row in rows:
        names = paths_in(row[0])
        if names:
            documented[names[0].lstrip("-")] = row
    for name in listed:
        row = documented.get(name)
        if row is None:
            fail(f"docs/architecture.md has no row for `{name}`")
            continue
        for column, cell in zip(("source", "test", "doc"), row[1:4]):
            for path in paths_in(cell):
                if not glob.glob(str(src / path.split("#")[0])):
                    fail(f"docs/architecture.md: `{name}`'s {column} {path} does not exist")
    for name in documented:
        if name not in listed:
            fail(f"docs/architecture.md lists `{name}`, which dyn-opt does not register")


TOP_DIRS = ("include/", "lib/", "tools/", "test/", "python/", "docs/", "benchmarks/",
            "examples/", "scripts/", "cmake/", ".ci/")


# Paths with these endings name what a build or a run makes (an install's
# lib/libdyn_runtime.a, a run's out0.npy), not files of the repository.
BUILD_OUTPUTS = (".a", ".so", ".o", ".npy", ".ptx", ".cubin", ".fatbin")


def expand(pattern: str) -> list[str]:
    """`a/{b,c}/d` -> `a/b/d`, `a/c/d`."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if not match:
        return [pattern]
    return [p for choice in match.group(1).split(",")
            for p in expand(pattern[:match.start()] + choice + pattern[match.end():])]


def check_links(src: Path) -> None:
    documents = [src / "README.md"] + sorted((src / "docs").rglob("*.md"))
    for doc in documents:
        if "reference" in doc.relative_to(src).parts:
            continue  # generated
        text = doc.read_text()
        where = doc.relative_to(src).as_posix()
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            if not (doc.parent / target).exists():
                fail(f"{where}: the link to {target} leads nowhere")
        for code in re.findall(r"`([^`\n]+)`", text):
            path = code.split()[0] if code.split() else ""
            path = path.rstrip(",.:;)")
            if (not path.startswith(TOP_DIRS) or "<" in path or "NAME" in path
                    or path.endswith(BUILD_OUTPUTS)):
                continue
            for candidate in expand(path):
                if not glob.glob(str(src / candidate)):
                    fail(f"{where}: `{candidate}` does not exist")
        for name in re.findall(r"\b([A-Z][A-Z_]+\.md)\b", text):
            if not glob.glob(str(src / "**" / name), recursive=True):
                fail(f"{where}: cites {name}, which the repository does not have")


def main(argv: list[str]) -> int:
    what, src = argv[0], Path(argv[1])
    if what == "reference":
        check_reference(src, Path(argv[2]), argv[3:])
    elif what == "options":
        check_options(src, argv[2])
    elif what == "passes":
        check_passes(src, argv[2])
    elif what == "links":
        check_links(src)
    else:
        raise SystemExit(f"unknown check {what!r}")
    for message in failures:
        print(f"error: {message}")
    if not failures:
        print(f"{what}: ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
