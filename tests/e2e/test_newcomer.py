"""What a newcomer types: `make run`'s two commands, then the command `ogi up` prints, in the same folder."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

OGI = Path(sys.executable).parent / "ogi"


@pytest.mark.xdist_group("ogi-up-on-port-8000")  # as test_running_engine.py's `ogi up`: one at a time
def test_the_report_command_ogi_up_prints_works_as_printed_in_that_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("OGI_DATABASE_URL", "OGI_USER")}  # the default database
    run = lambda *args: subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)  # noqa: E731
    loaded = run(str(OGI), "demo", "load")
    assert loaded.returncode == 0, loaded.stderr
    assert (tmp_path / "ogi.db").exists()  # the one default location: the working folder
    up = subprocess.Popen([str(OGI), "up"], cwd=tmp_path, env={**env, "OGI_SWEEP_SECONDS": "1"},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in up.stdout:  # `ogi up` keeps running: read until it says it runs, then stop it as Ctrl-C would
        lines.append(line)
        if line.startswith("scheduler:"):
            break
    up.send_signal(signal.SIGTERM)
    rest, errors = up.communicate(timeout=60)
    assert up.returncode == 0, errors
    assert rest.strip().endswith("stopped")
    printed = re.search(r"[（(](?:完整报告：)?(\S*ogi report annual [^:：）)]+)", "".join(lines))  # either wording
    assert printed, "".join(lines)[-500:]
    report = subprocess.run(shlex.split(printed.group(1)), cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert report.returncode == 0, report.stderr
    assert "年度报告" in "\n".join(p.text for p in Document(str(tmp_path / "report.docx")).paragraphs)
