#!/usr/bin/env python3
"""Render a `spend` HTML report in headless Chromium and check that it drew.

usage: check-html-report.py REPORT.html SCREENSHOT.png [--chromium PATH] [--expect id1,id2,...]

Fails (exit 1) when the rendered DOM lacks body[data-rendered="true"], carries
body[data-errors], Chromium logged a console error (error level or "Uncaught"),
an expected chart is missing, or a drawn chart is empty / has a series count
that does not match its data-series attribute. Then takes a screenshot.
Standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

MARK_TAGS = {"rect", "path", "circle", "line", "polyline", "polygon", "ellipse"}
TIMEOUT_SECONDS = 120


class ReportDom(HTMLParser):
    """Collects what the checks need from Chromium's --dump-dom output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body_attrs: dict[str, str | None] | None = None
        self.charts: list[dict] = []
        self._chart: dict | None = None
        self._svg_depth = 0
        self._in_errors_pre = False
        self.errors_text = ""
        self.external_refs: list[str] = []
        self.empty_messages = 0

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        a = dict(attrs)
        if tag == "body" and self.body_attrs is None:
            self.body_attrs = a
        for key in ("src", "href", "xlink:href"):
            val = (a.get(key) or "").strip().lower()
            if val.startswith(("http:", "https:", "//")):
                self.external_refs.append(f"<{tag} {key}={a.get(key)}>")
        if tag == "pre" and a.get("id") == "spend-errors":
            self._in_errors_pre = not self_closing
        if "empty" in (a.get("class") or "").split():
            self.empty_messages += 1
        if tag == "svg":
            if self._chart is None and "chart" in (a.get("class") or "").split():
                self._chart = {
                    "id": a.get("data-chart") or "?",
                    "declared": a.get("data-series"),
                    "marks": 0,
                    "indices": set(),
                }
                self.charts.append(self._chart)
                self._svg_depth = 0
            if self._chart is not None and not self_closing:
                self._svg_depth += 1
            return
        if self._chart is not None and tag in MARK_TAGS and "data-series-index" in a:
            self._chart["marks"] += 1
            self._chart["indices"].add(a.get("data-series-index"))

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, True)

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_errors_pre = False
        if tag == "svg" and self._chart is not None:
            self._svg_depth -= 1
            if self._svg_depth <= 0:
                self._chart = None

    def handle_data(self, data):
        if self._in_errors_pre:
            self.errors_text += data


# Chromium (as of 148) logs every console level as INFO:CONSOLE, so console.error
# cannot be told apart by level here; the report template therefore also routes
# console.error into body[data-errors]. Besides error-level lines (older/newer
# builds) and "Uncaught ..." we flag messages that Chromium itself emits at error level.
ERROR_PREFIXES = ("Error", "TypeError", "ReferenceError", "SyntaxError", "RangeError",
                  "Failed to load resource", "Refused to", "Not allowed to load", "spend report:")
CONSOLE_RE = re.compile(r":(?P<level>[A-Z]+):CONSOLE[(:\]]")
CONSOLE_MSG_RE = re.compile(r'CONSOLE[^\]]*\]\s*(?P<msg>.*)$')


def console_errors(log: str) -> tuple[int, list[str]]:
    """Returns (number of console lines, console lines at error level or 'Uncaught')."""
    total, errors = 0, []
    for line in log.splitlines():
        if "CONSOLE" not in line:
            continue
        total += 1
        m = CONSOLE_RE.search(line)
        level = m.group("level") if m else ""
        mm = CONSOLE_MSG_RE.search(line)
        msg = mm.group("msg") if mm else line
        text = msg.lstrip('"')
        if level in ("ERROR", "FATAL") or "Uncaught" in line or text.startswith(ERROR_PREFIXES):
            errors.append(line.strip())
    return total, errors


def base_args(chromium: str, profile: str) -> list[str]:
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--mute-audio",
        f"--user-data-dir={profile}",
    ]


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, errors="replace", timeout=TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        fail(f"chromium timed out after {TIMEOUT_SECONDS}s: {' '.join(cmd)}")
    except OSError as e:
        fail(f"could not run chromium ({cmd[0]}): {e}")


def fail(msg: str) -> None:
    print(f"html report check FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def find_chromium(requested: str | None) -> str:
    candidates = [requested] if requested else []
    candidates += ["/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    for c in candidates:
        if not c:
            continue
        p = c if os.path.isabs(c) else shutil.which(c)
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            return p
        if requested and c == requested:
            fail(f"chromium not found at {requested}")
    fail("no chromium binary found (pass --chromium PATH)")
    raise AssertionError


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", help="HTML report to check")
    ap.add_argument("screenshot", help="PNG path to write the screenshot to")
    ap.add_argument("--chromium", default=None, help="Chromium binary (default /usr/bin/chromium)")
    ap.add_argument("--expect", default="", help="comma-separated chart ids that must be drawn")
    ap.add_argument("--window-size", default="1280,2400", help="screenshot window size (default 1280,2400)")
    args = ap.parse_args()

    report = Path(args.report).resolve()
    if not report.is_file():
        fail(f"report not found: {report}")
    shot = Path(args.screenshot).resolve()
    shot.parent.mkdir(parents=True, exist_ok=True)
    expected = [e.strip() for e in args.expect.split(",") if e.strip()]
    chromium = find_chromium(args.chromium)
    url = report.as_uri()

    problems: list[str] = []
    profile = tempfile.mkdtemp(prefix="spend-report-chromium-")
    try:
        # 1. dump the DOM after scripts ran, with console logging on stderr
        dump = run(base_args(chromium, profile) + [
            "--dump-dom", "--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0", url,
        ])
        dom_text = dump.stdout
        if dump.returncode != 0 or "<body" not in dom_text:
            tail = "\n".join(dump.stderr.strip().splitlines()[-15:])
            fail(f"chromium --dump-dom failed (exit {dump.returncode}); stderr tail:\n{tail}")

        dom = ReportDom()
        dom.feed(dom_text)
        dom.close()
        body = dom.body_attrs or {}

        n_console, errs = console_errors(dump.stderr)
        for line in errs:
            problems.append(f"console error: {line}")
        if "data-errors" in body:
            problems.append(f"body has data-errors: {body.get('data-errors')}")
        if dom.errors_text.strip():
            problems.append(f"#spend-errors is not empty:\n{dom.errors_text.strip()}")
        if body.get("data-rendered") != "true":
            problems.append('body lacks data-rendered="true" (the report script did not finish, or an error was reported)')
        for ref in dom.external_refs:
            problems.append(f"report references an external resource: {ref}")

        drawn = {}
        for ch in dom.charts:
            cid = ch["id"]
            if cid in drawn:
                problems.append(f"chart {cid!r} appears more than once")
            drawn[cid] = ch
            if ch["marks"] == 0:
                problems.append(f"chart {cid!r} has no marks (elements with data-series-index)")
            try:
                declared = int(ch["declared"])
            except (TypeError, ValueError):
                problems.append(f"chart {cid!r} has no valid data-series attribute ({ch['declared']!r})")
                continue
            if len(ch["indices"]) != declared:
                problems.append(
                    f"chart {cid!r} declares data-series={declared} but draws "
                    f"{len(ch['indices'])} distinct series ({', '.join(sorted(ch['indices']))})"
                )
        for cid in expected:
            if cid not in drawn:
                problems.append(f"expected chart {cid!r} is missing")

        if problems:
            fail(f"{report.name}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))

        # 2. screenshot
        if shot.exists():
            shot.unlink()
        snap = run(base_args(chromium, profile) + [
            f"--screenshot={shot}", f"--window-size={args.window_size}", "--hide-scrollbars",
            "--virtual-time-budget=5000", url,
        ])
        if snap.returncode != 0 or not shot.is_file() or shot.stat().st_size == 0:
            tail = "\n".join(snap.stderr.strip().splitlines()[-15:])
            fail(f"screenshot failed (exit {snap.returncode}), {shot} not written; stderr tail:\n{tail}")
        with open(shot, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                fail(f"screenshot {shot} is not a PNG")
    finally:
        shutil.rmtree(profile, ignore_errors=True)

    summary = ", ".join(f"{cid} {len(ch['indices'])} series" for cid, ch in drawn.items())
    print(
        f"html report: {len(drawn)} charts drawn ({summary}), {len(errs)} console errors, "
        f"{dom.empty_messages} empty sections, screenshot {shot}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
