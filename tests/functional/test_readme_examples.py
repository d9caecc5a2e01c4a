"""README.md is the first thing a newcomer runs: every endpoint it names must exist.

Every `curl` in the README's shell blocks (its method: `-X`, else POST when it sends a body
without `-G`, else GET; its URL with `$API`-style variables of the block expanded and ids such as
`$ORDER` or `<id>` read as path parameters), and every `METHOD /api/v1/...` named in the prose, is
matched against the OpenAPI document the app serves; URLs outside /api/v1 (pages, health) against
the app's routes. A renamed or removed endpoint fails here naming the README line."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.S | re.M)
HOST = re.compile(r"^(?:https?://)?(?:localhost|127\.0\.0\.1):5000")
ASSIGN = re.compile(r"(?:^|;)\s*(\w+)=([^\s;]+)")
PROSE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) `?(/api/v1/[^\s`),;]+)")
METHODS = ("get", "post", "put", "patch", "delete")


def _commands(block: str):
    """(line number in the block, command text) with `\\`-continued lines joined."""
    out, buf, start = [], [], 0
    for i, line in enumerate(block.splitlines()):
        if not buf:
            start = i
        if line.rstrip().endswith("\\"):
            buf.append(line.rstrip()[:-1])
            continue
        buf.append(line)
        out.append((start, " ".join(buf)))
        buf = []
    return out


def _curl_calls(command: str, variables: dict[str, str]):
    """(METHOD, path) of each curl in a shell command line."""
    for part in re.split(r"\$\(|\||;|&&", command):
        if "curl " not in part:
            continue
        part = part[part.index("curl "):]
        try:
            words = shlex.split(part, comments=True)
        except ValueError:  # a quote opened in one $( ) and closed after it: split on blanks
            words = part.split()
        method, body, get_form, url = None, False, False, None
        for i, w in enumerate(words):
            if w == "-X" and i + 1 < len(words):
                method = words[i + 1].upper()
            elif w in ("-d", "-F", "--data", "--data-urlencode", "--data-binary") or w.startswith("--data"):
                body = True
            elif w == "-G" or (w.startswith("-") and not w.startswith("--") and "G" in w[1:]):
                get_form = True
            for name, value in variables.items():
                w = w.replace(f"${name}", value).replace(f"${{{name}}}", value)
            if url is None and HOST.match(w):
                url = w
        if url is None:
            continue
        method = method or ("POST" if body and not get_form else "GET")
        path = HOST.sub("", url).split("?")[0].split("#")[0]
        yield method, path


def readme_calls():
    """(README line, METHOD, path) for every curl of every shell block."""
    text = README.read_text(encoding="utf-8")
    calls = []
    for m in BLOCK.finditer(text):
        first_line = text[: m.start(1)].count("\n") + 1
        variables: dict[str, str] = {}
        for offset, command in _commands(m.group(1)):
            for name, value in ASSIGN.findall(command.strip()):
                if HOST.match(value.strip("'\"")):
                    variables[name] = value.strip("'\"")
            for method, path in _curl_calls(command, variables):
                calls.append((first_line + offset, method, path))
    for line_no, line in enumerate(text.splitlines(), 1):
        for method, path in PROSE.findall(line):
            path = path.split("?")[0]
            for alternative in _alternatives(path):
                calls.append((line_no, method, alternative))
    return calls


def _alternatives(path: str):
    """`/tradeins/questionnaires/{electronics|appliance|vehicle}` names three paths."""
    m = re.search(r"\{([^}]*\|[^}]*)\}", path)
    if not m:
        return [path]
    return [path[: m.start()] + option + path[m.end():] for option in m.group(1).split("|")]


def _template(path: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


def _segments_as_parameters(path: str) -> str:
    """Shell variables, `<id>` and `{id}` stand for one path segment each."""
    return re.sub(r"(\$\{?\w+\}?|<[^>]+>|\{[^}|]+\}|'[^']*')+", "X", path).rstrip("/")


@pytest.fixture(scope="module")
def documented(app):
    spec = app.test_client().get("/api/openapi.json").json
    return [(_template(p), {m.upper() for m in ops if m in METHODS}) for p, ops in spec["paths"].items()]


def test_the_readme_names_endpoints_at_all():
    calls = readme_calls()
    assert len(calls) > 150 and {m for _, m, _ in calls} >= {"GET", "POST", "PUT", "PATCH"}


def test_every_endpoint_the_readme_names_exists_with_that_method(app, documented):
    adapter = app.url_map.bind("localhost")
    missing = []
    for line, method, raw in readme_calls():
        path = _segments_as_parameters(raw)
        if path.startswith("/api/v1/"):
            if not any(rx.match(path) and method in methods for rx, methods in documented):
                missing.append(f"README.md:{line}: {method} {raw}")
        else:
            try:
                adapter.match(path.replace("X", "00000000-0000-0000-0000-000000000000"), method=method)
            except Exception as e:  # noqa: BLE001 - werkzeug's NotFound/MethodNotAllowed: report, don't raise
                missing.append(f"README.md:{line}: {method} {raw} ({type(e).__name__})")
    assert not missing, "\n".join(missing)
