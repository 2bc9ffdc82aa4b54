#!/usr/bin/env python3
# ===- dyn-mutate.py - mutation fuzzing of dyn's tools over the lit corpus -===#
#
# Part of the dyn project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""Mutation fuzzing for machines without libFuzzer (and for CI).

The seeds are the lit tests' inputs (each `// -----` split of every .mlir
under --corpus). Each mutant is the seed with one to three edits that keep
most of its structure (a literal set to a boundary value, a shape dim
changed, an element type swapped, an SSA use redirected, a line dropped,
duplicated or truncated, an op name swapped) and is run through

  * the seed's own `dyn-opt` passes (its first RUN line), and
  * the whole CPU pipeline (`dyn-opt --dyn-cpu-pipeline`), every second
    mutant, or dyn-compile --emit=llvm with --dyn-compile.

A run is a *crash* when the tool dies of a signal or prints what only a
crash prints (an assertion, `LLVM ERROR`, a stack dump, a sanitizer report),
a *hang* when it exceeds --timeout, and a *silent error* when it prints
`error:` yet exits 0. Every failure is reduced (lines removed while the
same failure persists) and written to --out as a reproducer with its
command. Deterministic for a given --seed, corpus and tools.

  dyn-mutate.py --dyn-opt build/bin/dyn-opt --corpus test --count 10000 \\
      --jobs 2 --out /tmp/fuzz
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import os
import random
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SPLIT = re.compile(r"^// -----\s*$", re.M)
RUN_LINE = re.compile(r"^//\s*RUN:\s*(.*)$", re.M)
INT = re.compile(r"(?<![\w.%#^@])-?\d+(?![\w.])")
DIM = re.compile(r"(?<=[<x])(\?|\d+)(?=x)")
ELEMENT_TYPES = ["f32", "f16", "bf16", "f64", "i1", "i8", "i32", "i64",
                 "index"]
ELEMENT_TYPE = re.compile(r"\b(f32|f16|bf16|f64|i1|i8|i32|i64|index)\b")
SSA = re.compile(r"%[\w.$-]+")
OP_NAME = re.compile(r"\b([a-z_]+\.[a-z_][\w.]*)\b")
BOUNDARY = ["-1", "0", "1", "2", "3", "63", "64", "65", "-2", "2147483647",
            "-2147483648", "4294967296", "9223372036854775807",
            "-9223372036854775808"]

CRASH_MARKERS = ("Assertion", "LLVM ERROR", "Stack dump", "UNREACHABLE",
                 "PLEASE submit a bug report", "AddressSanitizer",
                 "UndefinedBehaviorSanitizer", "runtime error:",
                 "LeakSanitizer", "Segmentation fault", "Aborted")


@dataclass
class Seed:
    path: Path
    index: int
    text: str
    passes: list[str]


@dataclass
class Outcome:
    kind: str  # ok, rejected, crash, hang, silent-error
    signature: str
    command: list[str]
    stderr: str


def own_passes(text: str) -> list[str]:
    """The dyn-opt options of the file's first RUN line that runs dyn-opt."""
    commands, pending = [], ""
    for line in RUN_LINE.findall(text):
        line = line.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        commands.append(pending + line)
        pending = ""
    for line in commands:
        try:
            words = shlex.split(line.split("|")[0], posix=True)
        except ValueError:
            continue
        if words and words[0] == "dyn-opt":
            return [w for w in words[1:]
                    if w not in ("%s", "-split-input-file",
                                 "--split-input-file", "-verify-diagnostics",
                                 "--verify-diagnostics") and
                    not w.startswith("-o") and "%" not in w]
    return []


def load_seeds(corpus: Path) -> list[Seed]:
    seeds = []
    for path in sorted(corpus.rglob("*.mlir")):
        if "Inputs" in path.parts and path.suffix != ".mlir":
            continue
        text = path.read_text(errors="replace")
        passes = own_passes(text)
        for index, part in enumerate(SPLIT.split(text)):
            body = "\n".join(l for l in part.splitlines()
                             if not l.lstrip().startswith("//"))
            if body.strip():
                seeds.append(Seed(path, index, body + "\n", passes))
    return seeds


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        text = mutate_once(text, rng)
    return text


def replace_match(text: str, matches: list[re.Match], rng: random.Random,
                  value: str) -> str:
    m = rng.choice(matches)
    return text[:m.start()] + value + text[m.end():]


def mutate_once(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    # Literal, dim, type and use edits keep most mutants parseable and
    # reach the passes; structural edits test the parser and verifiers.
    kind = rng.choice((0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9))
    if kind == 0 and (ints := list(INT.finditer(text))):
        return replace_match(text, ints, rng, rng.choice(BOUNDARY))
    if kind == 1 and (dims := list(DIM.finditer(text))):
        return replace_match(text, dims, rng,
                             rng.choice(["?", "0", "1", "3", "64", "7"]))
    if kind == 2 and (types := list(ELEMENT_TYPE.finditer(text))):
        return replace_match(text, types, rng, rng.choice(ELEMENT_TYPES))
    if kind == 3 and (uses := list(SSA.finditer(text))):
        names = sorted({m.group(0) for m in uses})
        return replace_match(text, uses, rng, rng.choice(names))
    if kind == 4 and len(lines) > 2:
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines) + "\n"
    if kind == 5 and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines) + "\n"
    if kind == 6 and len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines) + "\n"
    if kind == 7 and text:
        return text[:rng.randrange(len(text))]
    if kind == 8 and (ops := list(OP_NAME.finditer(text))):
        names = sorted({m.group(1) for m in ops})
        return replace_match(text, ops, rng, rng.choice(names))
    if text:
        start = rng.randrange(len(text))
        return text[:start] + text[start + rng.randint(1, 12):]
    return text


def classify(proc: subprocess.CompletedProcess | None, command: list[str],
             timed_out: bool) -> Outcome:
    if timed_out:
        return Outcome("hang", "timeout", command, "")
    stderr = proc.stderr.decode(errors="replace")
    marker = next((m for m in CRASH_MARKERS if m in stderr), None)
    if proc.returncode < 0 or marker:
        # The signature: the innermost stack frame of the crash that is not
        # the signal handler's, else the line naming the failure.
        frames = [m.group(1) for m in re.finditer(
            r"^\s*#\d+ 0x[0-9a-f]+ (\S[^(]*)", stderr, re.M)]
        frames = [f.strip() for f in frames
                  if not re.match(r"llvm::sys::|__|raise|abort|\(", f)]
        line = frames[0] if frames else next(
            (l for l in stderr.splitlines() if marker and marker in l), "")
        line = re.sub(r"0x[0-9a-f]+|/\S+/|\d+", "N", line)[:160]
        signature = f"signal {-proc.returncode}" if proc.returncode < 0 \
            else "exit"
        return Outcome("crash", f"{signature}: {line}", command, stderr)
    if proc.returncode == 0 and "error:" in stderr:
        return Outcome("silent-error", "error printed, exit 0", command,
                       stderr)
    return Outcome("ok" if proc.returncode == 0 else "rejected", "", command,
                   stderr)


def run_tool(command: list[str], text: str, timeout: float) -> Outcome:
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get(
        "ASAN_OPTIONS", "detect_leaks=0:allow_user_poisoning=0:allocator_may_return_null=1"))
    try:
        proc = subprocess.run(command, input=text.encode(),
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout,
                              env=env)
    except subprocess.TimeoutExpired:
        return classify(None, command, True)
    return classify(proc, command, False)


def commands(args: argparse.Namespace, seed: Seed, number: int) -> list[list[str]]:
    result = []
    if seed.passes:
        result.append([args.dyn_opt, *seed.passes, "-"])
    if number % 2 == 0 or not seed.passes:
        if args.dyn_compile and number % 4 == 0:
            result.append([args.dyn_compile, "-", "--emit=llvm", "-o",
                           os.devnull, "--cpu=x86-64"])
        else:
            result.append([args.dyn_opt, "--dyn-cpu-pipeline=cpu=x86-64",
                           "-", "-o", os.devnull])
    return result


def reduce(text: str, command: list[str], outcome: Outcome,
           timeout: float, budget: float) -> str:
    """Removes lines while the same failure persists (within `budget` s)."""
    lines = text.splitlines()
    deadline = time.monotonic() + budget
    chunk = max(1, len(lines) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, changed = 0, False
        while i < len(lines) and time.monotonic() < deadline:
            candidate = lines[:i] + lines[i + chunk:]
            result = run_tool(command, "\n".join(candidate) + "\n", timeout)
            if (result.kind, result.signature) == (outcome.kind,
                                                   outcome.signature):
                lines, changed = candidate, True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dyn-opt", default="")
    parser.add_argument("--dyn-compile", default="",
                        help="also run dyn-compile --emit=llvm on mutants")
    parser.add_argument("--corpus", type=Path, required=True,
                        help="directory of .mlir seeds (the lit tests)")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--out", type=Path,
                        help="where reproducers of failures are written")
    parser.add_argument("--reduce-seconds", type=float, default=60.0)
    parser.add_argument("--write-corpus", type=Path,
                        help="only write the seeds, one file each, to this "
                             "directory (libFuzzer's seed corpus) and exit")
    args = parser.parse_args()

    seeds = load_seeds(args.corpus)
    if not seeds:
        print(f"error: no .mlir seeds under {args.corpus}", file=sys.stderr)
        return 2
    if args.write_corpus:
        args.write_corpus.mkdir(parents=True, exist_ok=True)
        for seed in seeds:
            name = hashlib.sha1(seed.text.encode()).hexdigest()[:16]
            (args.write_corpus / f"{name}.mlir").write_text(seed.text)
        print(f"{len(seeds)} seeds written to {args.write_corpus}")
        return 0
    if not args.dyn_opt:
        print("error: --dyn-opt is required to fuzz", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    jobs = []
    for number in range(args.count):
        seed = seeds[rng.randrange(len(seeds))]
        text = mutate(seed.text, random.Random(rng.getrandbits(64)))
        for command in commands(args, seed, number):
            jobs.append((number, seed, text, command))

    counts: dict[str, int] = {}
    failures: dict[tuple[str, str], tuple] = {}
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_tool, command, text, args.timeout)
                   for _, _, text, command in jobs]
        for (number, seed, text, command), future in zip(jobs, futures):
            outcome = future.result()
            counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
            if outcome.kind in ("crash", "hang", "silent-error"):
                failures.setdefault((outcome.kind, outcome.signature),
                                    (seed, text, command, outcome))
    elapsed = time.monotonic() - start

    for (kind, signature), (seed, text, command, outcome) in sorted(
            failures.items()):
        where = f"{seed.path.relative_to(args.corpus)}#{seed.index}"
        print(f"{kind}: {signature}\n  seed {where}\n  "
              f"command: {' '.join(command)}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            reduced = reduce(text, command, outcome, args.timeout,
                             args.reduce_seconds)
            name = hashlib.sha1(f"{kind}{signature}".encode()).hexdigest()[:10]
            path = args.out / f"{kind}-{name}.mlir"
            path.write_text(f"// {kind}: {signature}\n// seed: {where}\n"
                            f"// command: {' '.join(command)} < {path.name}\n"
                            + reduced)
            print(f"  reproducer: {path}")
            for line in outcome.stderr.splitlines()[:6]:
                print(f"    | {line}")
    runs = sum(counts.values())
    print(f"mutants: {args.count}, runs: {runs}, seeds: {len(seeds)}, "
          f"{elapsed:.0f} s")
    for kind in ("ok", "rejected", "crash", "hang", "silent-error"):
        print(f"{kind}: {counts.get(kind, 0)}")
    print(f"distinct failures: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
