"""Lint programme files: `python -m subsidies.lint [FILE_OR_DIR ...]` (also `flask subsidies lint`).

Every problem is reported as `file: field: message`; the exit status is 1 when there is any.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

from .loader import POLICY_DIR, Issue, check_set, load_file


def lint(paths: Iterable[Path | str] | None = None) -> list[Issue]:
    """Check programme files (default: the shipped ones) and return every issue found.

    Directories are expanded to their `*.toml` files. Cross-file checks (unique ids,
    supersedes and implements references, local amounts within national caps) run over the
    shipped programmes plus the given files, so a new city file is checked against the
    national framework it implements.
    """
    targets: list[Path] = []
    for raw in (paths or [POLICY_DIR]):
        path = Path(raw)
        targets.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    issues: list[Issue] = []
    programmes = {}
    for path in targets:
        programme, found = load_file(path)
        issues.extend(found)
        if programme is not None:
            programmes[path.resolve()] = programme
    # Add the shipped programmes that were not linted themselves, for references.
    for path in sorted(POLICY_DIR.glob("*.toml")):
        if path.resolve() not in programmes:
            shipped, found = load_file(path)
            if shipped is not None and not any(p.id == shipped.id for p in programmes.values()):
                programmes[path.resolve()] = shipped
    linted = {p.path for p in (programmes[t.resolve()] for t in targets if t.resolve() in programmes)}
    issues.extend(i for i in check_set(programmes.values()) if i.file in linted)
    return issues


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    issues = lint(args or None)
    for issue in issues:
        print(issue)
    if not issues:
        print("ok")
    return 1 if issues else 0


if __name__ == "__main__":
    raise SystemExit(main())
