"""Build docs/*.md from docs/templates/*.md by running every example.

A template is Markdown with two directives:

    @@file NAME          the lines up to @@end are written to NAME in a
    ...                  scratch folder and shown as a code block;
    @@end
    @@run COMMAND        runs in that folder (bash); consecutive @@run lines
                         show as one console block of '$ COMMAND' and output.

So every example in the docs is real output of this checkout's `dosecal`.
`python docs/build.py` rewrites the docs; `--check` fails if they are stale.
Commands may use jq, cut and sed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def run(command: str, folder: Path) -> tuple[str, bool]:
    done = subprocess.run(
        ["bash", "-c", "{ " + command + "\n} 2>&1"], cwd=folder, capture_output=True, text=True, check=False
    )
    output = done.stdout.rstrip("\n")
    broken = "Traceback" in output or "internal error" in output or done.returncode not in (0, 1, 2)
    return output, broken


def render(template: Path, folder: Path) -> tuple[str, list[str]]:
    lines = template.read_text("utf-8").split("\n")
    out: list[str] = []
    problems: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("@@file "):
            name = line.split()[1]
            end = lines.index("@@end", i)
            body = lines[i + 1 : end]
            (folder / name).write_text("\n".join(body) + "\n", "utf-8")
            out += [f"`{name}`:", "", "```", *body, "```"]
            i = end + 1
        elif line.startswith("@@run "):
            block = []
            while i < len(lines) and lines[i].startswith("@@run "):
                command = lines[i][len("@@run ") :]
                output, broken = run(command, folder)
                if broken:
                    problems.append(f"{template.name}: '{command}' failed:\n{output}")
                block += [f"$ {command}", *([output] if output else [])]
                i += 1
            out += ["```console", *block, "```"]
        else:
            out.append(line)
            i += 1
    return "\n".join(out), problems


def unquoted_messages(text: str) -> list[str]:
    """Messages quoted in a table headed '### The checks' that no console block shows."""
    if "### The checks" not in text:
        return []
    table = text.split("### The checks", 1)[1].split("\n### ", 1)[0]
    consoles = "\n".join(re.findall(r"```console\n(.*?)```", text, re.S))
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| #")]
    return [m for r in rows for m in re.findall(r"`([^`]+)`", r.split(" | ")[-1]) if m not in consoles]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if a doc differs from its template's output"
    )
    check = parser.parse_args().check
    failed = False
    for template in sorted((DOCS / "templates").glob("*.md")):
        with tempfile.TemporaryDirectory() as folder:
            text, problems = render(template, Path(folder))
        target = DOCS / template.name
        problems += [f"{template.name}: quoted but not in any output: {m}" for m in unquoted_messages(text)]
        for problem in problems:
            print(problem, file=sys.stderr)
            failed = True
        if check:
            if not target.exists() or target.read_text("utf-8") != text:
                print(
                    f"{target.relative_to(DOCS.parent)} is stale: run python docs/build.py", file=sys.stderr
                )
                failed = True
        else:
            target.write_text(text, "utf-8")
            print(f"wrote {target.relative_to(DOCS.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
