"""`ogi up` says how to sign in to the web (issue 19 item 5): with the demo loaded, its accounts and the demo
password (OGI_DEMO_PASSWORD, default ogi-demo); without it, to add users."""

from pathlib import Path

from cli.setup import _who_signs_in
from workflows.requests.demo import load_demo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hedong-2023.jsonl"


def test_without_the_demo_the_line_says_to_add_users(sqlite_services):
    assert "user add 添加的用户登录" in _who_signs_in(sqlite_services)


def test_with_the_demo_the_line_gives_its_accounts_and_password(sqlite_services, monkeypatch):
    monkeypatch.delenv("OGI_DEMO_PASSWORD", raising=False)
    load_demo(sqlite_services.directory, sqlite_services.requests, sqlite_services.queries, EXAMPLE)
    line = _who_signs_in(sqlite_services)
    assert "zhang（张经办）" in line and "li（李主任）" in line and "密码均为 ogi-demo（默认演示密码" in line
    monkeypatch.setenv("OGI_DEMO_PASSWORD", "another-pw")
    assert "密码均为 another-pw（OGI_DEMO_PASSWORD 所设的密码" in _who_signs_in(sqlite_services)
