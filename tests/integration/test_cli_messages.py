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
