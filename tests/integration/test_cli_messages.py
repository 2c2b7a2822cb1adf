"""Issue 19 item 1: the CLI prints a refusal as 错误：<the reason>（依据：<citation>）, in Chinese only, exit code kept."""

from __future__ import annotations


def test_a_refused_step_is_printed_in_chinese_with_its_basis_art30(ready):
    ready("request", "new", "--id", "HD-9", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--received-at", "2024-03-01", "--subject", "s")
    refused = ready("request", "act", "HD-9", "submit_correction", "--at", "2024-03-05", ok=False)
    last = refused.stderr.strip().splitlines()[-1]
    assert refused.returncode == 1
    assert last.startswith("错误：申请当前为“办理中”，不能办理“收到补正”：须先发出补正告知书"), last
    assert last.endswith("（依据：《条例》第三十条）"), last
    assert "error" not in refused.stderr.lower() and "[Art." not in refused.stderr


def test_an_unknown_request_is_named_in_chinese(ready):
    refused = ready("request", "act", "NO-SUCH", "withdraw", "--at", "2024-03-05", ok=False)
    assert refused.returncode != 0 and "错误：没有编号为“NO-SUCH”的申请" in refused.stderr


def test_clicks_own_refusals_are_in_chinese_with_the_help_to_read(ready):
    missing = ready("request", "act", ok=False)
    assert missing.returncode == 2 and "错误：须给出 'REQUEST_ID'" in missing.stderr
    assert "查看帮助：" in missing.stderr and "request act --help" in missing.stderr and "Error" not in missing.stderr
    wrong = ready("request", "act", "X", "bogus", ok=False)
    assert wrong.returncode == 2 and "错误：COMMAND 的值“bogus”不可选，可选：" in wrong.stderr
    not_a_number = ready("request", "act", "X", "extend", "--working-days", "abc", ok=False)
    assert not_a_number.returncode == 2 and "'--working-days'：“abc”不是整数" in not_a_number.stderr
    assert "没有“nosuch”这个命令" in ready("nosuch", ok=False).stderr
