"""`ogi task list`, `ogi request list` and `ogi outbox list` in Chinese (issue 19 item 5): the rule cited in words
(《条例》第三十一条, never "Art. 31"), headings and roles in Chinese, the queue's awaited deadline shown."""

import re


def test_the_task_list_cites_and_heads_in_chinese_art31(ready):
    ready("request", "new", "--id", "TW-1", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--received-at", "2024-03-01", "--subject", "s")
    listed = ready("task", "list").stdout
    assert "TW-1" in listed and "待办事项" in listed and "承办人" in listed and "经办人" in listed
    assert "《条例》第" in listed
    assert "Art." not in listed and not re.search(r"\b(task|request|due|role|assignee|article|staff|head)\b", listed)


def test_the_queue_shows_the_awaited_deadline(ready):
    ready("request", "new", "--id", "TW-2", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "李四",
          "--channel", "in_person", "--received-at", "2024-03-01", "--subject", "s")
    queue = ready("request", "list").stdout
    assert "当前等待的期限" in queue and re.search(r"TW-2 .*答复期限 \d{4}-\d{2}-\d{2}", queue), queue
