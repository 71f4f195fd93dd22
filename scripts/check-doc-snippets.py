#!/usr/bin/env python3
"""Compile or type-check every code block of the project's Markdown docs (`make check-docs`).

Which files: README.md, bindings/*/README.md and docs/*.md (or the files given).

Which blocks: fenced blocks by language tag.
  c            compiled with the C compiler, -std=c99 -Wall -Wextra -Werror -pedantic, against
               include/sv2.h; a block with its own `main` is a whole program and is also linked
               against libsv2 (--c-libs).
  python       type-checked with mypy --strict (the installed `sv2` package and its stubs).
  rust         checked by rustc against the sv2 crate of target/debug (`cargo build -p sv2`).
  ts           type-checked with tsc (bindings/node's TypeScript) against bindings/node's types:
               `import ... from 'libsv2'` resolves to bindings/node/ts/index.ts.
  sh, text, json and the like are not code to compile and are left alone; any other tag (and a
  fence without a tag) is an error, so that a new language cannot slip in unchecked.

A block that is not a whole file says how to complete it in an HTML comment on the line(s)
just before the fence (Markdown renders nothing for it):

  <!-- snippet: template=NAME -->       the block goes into scripts/doc-snippets/NAME.<ext>
                                        in place of the line `@SNIPPET@` (indented like that
                                        line); the block's leading `import`/`from`/`#include`
                                        lines go where `@IMPORTS@` is, if the template has it.
                                        Templates declare what the prose assumes (a socket,
                                        `now_ms()`, the pool's key ...).
  <!-- snippet: skip (reason) -->       not checked; the reason is printed. Keep these rare.
  <!-- snippet: pending (reason) -->    checked, but a failure is reported as PENDING and does
                                        not fail the run (a known gap someone is fixing; the
                                        reason says who/what). A pending block that passes is
                                        reported so that the marker gets removed.

Exit status 0 when every checked block passes.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "scripts", "doc-snippets")

CHECKED = {"c": "c", "python": "python", "py": "python", "ts": "ts", "typescript": "ts",
           "rust": "rust"}
NOT_CODE = {"sh", "shell", "bash", "console", "text", "json", "toml", "diff"}
EXTENSIONS = {"c": ".c", "python": ".py", "ts": ".ts", "rust": ".rs"}

FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([A-Za-z0-9_+-]*)\s*$")
DIRECTIVE = re.compile(r"<!--\s*snippet:\s*(.*?)\s*-->")


@dataclass
class Block:
    path: str  # relative to ROOT
    line: int  # 1-based line of the opening fence
    lang: str  # checked language: c, python, ts
    code: str
    template: str | None = None
    mode: str = "check"  # check, skip, pending
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    hoisted: int = 0  # leading lines of the block moved to the template's @IMPORTS@

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def default_docs() -> list[str]:
    files = ["README.md"] + sorted(glob.glob(os.path.join(ROOT, "bindings", "*", "README.md")))
    files += sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [os.path.relpath(os.path.join(ROOT, f), ROOT) for f in files]


def parse_directive(text: str, where: str) -> tuple[str, str | None, str]:
    """Returns (mode, template, reason) of a `<!-- snippet: ... -->` comment."""
    m = re.fullmatch(r"(skip|pending)\s*\((.+)\)", text)
    if m:
        return m.group(1), None, m.group(2).strip()
    m = re.fullmatch(r"template=([A-Za-z0-9_-]+)", text)
    if m:
        return "check", m.group(1), ""
    m = re.fullmatch(r"pending\s*\((.+)\)\s+template=([A-Za-z0-9_-]+)", text)
    if m:
        return "pending", m.group(2), m.group(1).strip()
    raise SystemExit(f"{where}: cannot read snippet directive {text!r} "
                     "(template=NAME, skip (reason), pending (reason) [template=NAME])")


def extract(path: str) -> tuple[list[Block], list[str]]:
    """The checked blocks of one Markdown file, and the errors found while reading it."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks: list[Block] = []
    errors: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, tag = m.group(1), m.group(2), m.group(3).lower()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                      and lines[i].strip().strip(fence[0]) == ""):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1  # the closing fence
        # A directive sits on the nearest non-blank line above the fence.
        j = start - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        directive = DIRECTIVE.search(lines[j]) if j >= 0 else None
        where = f"{path}:{start + 1}"
        if tag in NOT_CODE:
            continue
        if tag not in CHECKED and not (directive and directive.group(1).startswith("skip")):
            errors.append(f"{where}: code block tagged {tag!r}: tag it c, python, ts, rust (checked) "
                          f"or one of {sorted(NOT_CODE)}")
            continue
        block = Block(path, start + 1, CHECKED.get(tag, tag), "\n".join(body) + "\n")
        if directive:
            block.mode, block.template, block.reason = parse_directive(directive.group(1), where)
        blocks.append(block)
    return blocks, errors


def split_imports(code: str, lang: str) -> tuple[str, str]:
    """The block's leading import lines (for the template's @IMPORTS@) and the rest."""
    lead = {"c": ("#include",), "python": ("import ", "from "), "ts": ("import ",),
            "rust": ("use ",)}[lang]
    lines = code.split("\n")
    n = 0
    while n < len(lines) and (lines[n].startswith(lead) or (n > 0 and lines[n].strip() == "")):
        n += 1
    return "\n".join(lines[:n]), "\n".join(lines[n:])


def render(block: Block) -> tuple[str, int]:
    """The source file for a block, and the line of the file where the block's first line is."""
    if block.template is None:
        return block.code, 1
    tpath = os.path.join(TEMPLATES, block.template + EXTENSIONS[block.lang])
    if not os.path.exists(tpath):
        raise SystemExit(f"{block.where}: no template {os.path.relpath(tpath, ROOT)}")
    with open(tpath, encoding="utf-8") as f:
        template = f.read()
    imports, body = (split_imports(block.code, block.lang) if "@IMPORTS@" in template
                     else ("", block.code))
    block.hoisted = imports.count("\n") + 1 if imports else 0
    out: list[str] = []
    first = 0
    for line in template.split("\n"):
        if line.strip() == "@IMPORTS@":
            out.extend(imports.split("\n"))
        elif line.strip() == "@SNIPPET@":
            pad = line[: len(line) - len(line.lstrip())]
            first = len(out) + 1
            out.extend((pad + l) if l.strip() else "" for l in body.split("\n"))
        else:
            out.append(line)
    if not first:
        raise SystemExit(f"{os.path.relpath(tpath, ROOT)}: no @SNIPPET@ line")
    return "\n".join(out), first


def relabel(out: str, filename: str, block: Block, first: int) -> str:
    """Compiler output about the rendered file, with its lines named as Markdown lines (inside
    the block) or template lines (outside it)."""
    nlines = block.code.count("\n") - block.hoisted
    template = f"scripts/doc-snippets/{block.template}{EXTENSIONS[block.lang]}"

    def name(m: re.Match[str]) -> str:
        line = int(m.group(1))
        if first <= line < first + nlines:
            return f"{block.path}:{block.line + 1 + block.hoisted + line - first}:"
        return f"{template} (with {block.where}):{line}:"

    return re.sub(re.escape(filename) + r"[:(](\d+)[:,]?", name, out)


def run(cmd: list[str], cwd: str | None = None) -> tuple[int, str]:
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def check_c(blocks: list[Block], work: str, args: argparse.Namespace) -> None:
    cflags = ["-std=c99", *shlex.split(args.c_warn),
              "-I", os.path.join(ROOT, "include"), "-I", TEMPLATES]
    for n, b in enumerate(blocks):
        src, first = render(b)
        path = os.path.join(work, f"c{n}.c")
        with open(path, "w", encoding="utf-8") as f:
            f.write(src)
        whole = re.search(r"\bint\s+main\s*\(", src) is not None
        if whole:
            cmd = [*shlex.split(args.cc), *cflags, path, "-o", path[:-2], *shlex.split(args.c_libs)]
        else:
            cmd = [*shlex.split(args.cc), *cflags, "-c", path, "-o", path[:-2] + ".o"]
        rc, out = run(cmd)
        if rc != 0:
            b.problems.append(relabel(out, path, b, first))


def check_python(blocks: list[Block], work: str, args: argparse.Namespace) -> None:
    # One mypy run over all blocks (mypy starts slowly); errors are mapped back by file name.
    files: dict[str, tuple[Block, int]] = {}
    for n, b in enumerate(blocks):
        src, first = render(b)
        name = f"snippet_py{n}.py"
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            f.write(src)
        files[name] = (b, first)
    rc, out = run([args.python, "-m", "mypy", "--strict", "--no-incremental",
                   "--cache-dir", os.devnull, *files], cwd=work)
    for line in out.splitlines():
        name = line.split(":", 1)[0]
        if name in files and ": error:" in line:
            b, first = files[name]
            b.problems.append(relabel(line, name, b, first))
    if rc != 0 and not any(b.problems for b in blocks):
        for b in blocks:
            b.problems.append("mypy failed:\n" + out)


def check_ts(blocks: list[Block], work: str, args: argparse.Namespace) -> None:
    node_dir = os.path.join(ROOT, "bindings", "node")
    files: dict[str, tuple[Block, int]] = {}
    for n, b in enumerate(blocks):
        src, first = render(b)
        name = f"snippet_ts{n}.ts"
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            # Each file its own module, so that two blocks may declare the same names.
            f.write(src if re.search(r"^\s*(import|export)\s", src, re.M) else src + "\nexport {}\n")
        files[name] = (b, first)
    config = {
        "compilerOptions": {
            "target": "ES2022", "module": "commonjs", "moduleResolution": "node",
            "lib": ["ES2022"], "types": ["node"],
            "typeRoots": [os.path.join(node_dir, "node_modules", "@types")],
            "strict": True, "noEmit": True, "esModuleInterop": True,
            "baseUrl": ".", "paths": {"libsv2": [os.path.join(node_dir, "ts", "index.ts")]},
        },
        "files": list(files),
    }
    with open(os.path.join(work, "tsconfig.json"), "w", encoding="utf-8") as f:
        json.dump(config, f)
    rc, out = run([args.tsc, "-p", "tsconfig.json", "--pretty", "false"], cwd=work)
    for line in out.splitlines():
        name = line.split("(", 1)[0]
        if name in files:
            b, first = files[name]
            b.problems.append(relabel(line, name, b, first))
    if rc != 0 and not any(b.problems for b in blocks):
        for b in blocks:
            b.problems.append("tsc failed:\n" + out)


def check_rust(blocks: list[Block], work: str, args: argparse.Namespace) -> None:
    # Checked (not linked) against the sv2 crate as `cargo build -p sv2` left it.
    deps = os.path.join(ROOT, "target", "debug")
    for n, b in enumerate(blocks):
        src, first = render(b)
        path = os.path.join(work, f"snippet_rs{n}.rs")
        with open(path, "w", encoding="utf-8") as f:
            f.write(src)
        rc, out = run([args.rustc, "--edition", "2021", "--crate-type", "lib", "--emit=metadata",
                       "--crate-name", f"snippet_rs{n}", "-o", path[:-3] + ".rmeta",
                       "-L", "dependency=" + os.path.join(deps, "deps"),
                       "--extern", "sv2=" + os.path.join(deps, "libsv2.rlib"), path])
        if rc != 0:
            b.problems.append(relabel(out, path, b, first))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("docs", nargs="*", help="Markdown files (default: the project's docs)")
    ap.add_argument("--only", action="append", choices=["c", "python", "ts", "rust"],
                    help="check only these languages (repeatable)")
    ap.add_argument("--expect-fail", action="store_true",
                    help="self-test: succeed only if every checked block fails")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--c-warn", default="-Wall -Wextra -Werror -pedantic")
    ap.add_argument("--c-libs", default="", help="link arguments for whole C programs")
    ap.add_argument("--python", default=sys.executable, help="a Python with mypy and sv2")
    ap.add_argument("--rustc", default=os.environ.get("RUSTC", "rustc"))
    ap.add_argument("--tsc", default=os.path.join(ROOT, "bindings/node/node_modules/.bin/tsc"))
    args = ap.parse_args()
    # The tools run in a temporary directory: a relative tool path is the caller's.
    for tool in ("python", "tsc", "rustc"):
        if os.sep in getattr(args, tool):
            setattr(args, tool, os.path.abspath(getattr(args, tool)))

    blocks: list[Block] = []
    errors: list[str] = []
    for doc in args.docs or default_docs():
        b, e = extract(os.path.relpath(os.path.abspath(doc), ROOT))
        blocks += b
        errors += e
    langs = args.only or ["c", "python", "ts", "rust"]
    checkers = {"c": check_c, "python": check_python, "ts": check_ts, "rust": check_rust}
    with tempfile.TemporaryDirectory(prefix="sv2-doc-snippets-") as work:
        for lang in langs:
            todo = [b for b in blocks if b.lang == lang and b.mode != "skip"]
            if todo:
                checkers[lang](todo, work, args)

    failed = pending = 0
    for b in blocks:
        if b.lang not in langs:
            continue
        if b.mode == "skip":
            print(f"SKIP     {b.where} ({b.lang}): {b.reason}")
        elif b.mode == "pending" and b.problems:
            pending += 1
            print(f"PENDING  {b.where} ({b.lang}): TODO {b.reason}")
            for p in b.problems:
                print("    " + p.replace("\n", "\n    "))
        elif b.mode == "pending":
            print(f"ok       {b.where} ({b.lang}) -- passes now: remove its 'pending' marker")
        elif b.problems:
            failed += 1
            print(f"FAIL     {b.where} ({b.lang}{', template ' + b.template if b.template else ''})")
            for p in b.problems:
                print("    " + p.replace("\n", "\n    "))
        else:
            print(f"ok       {b.where} ({b.lang}{', template ' + b.template if b.template else ''})")
    for e in errors:
        print("ERROR    " + e)
    checked = sum(1 for b in blocks if b.lang in langs and b.mode != "skip")
    print(f"check-docs: {checked} blocks checked, {failed} failed, {pending} pending, "
          f"{len(errors)} untagged/unknown")
    if args.expect_fail:
        passed = [b.where for b in blocks if b.lang in langs and b.mode == "check" and not b.problems]
        for where in passed:
            print(f"check-docs --expect-fail: {where} passed, but it must be refused")
        return 1 if passed or errors else 0
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
