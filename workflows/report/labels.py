"""The official Chinese labels and layout of tables 二, 三 and 四 (国办公开办函〔2021〕30号; statute.md §7)."""

from __future__ import annotations

from workflows.foi.vocabulary import APPLICANT_LABELS, OUTCOME_LABELS

SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")

BALANCE_NOTE = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"

_TABLE3_TOP = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_in": "二、上年结转政府信息公开申请数量",
    "total": "（七）总计",
    "carried_out": "四、结转下年度继续办理",
}
RESULTS_HEADING = "三、本年度办理结果"
_TABLE4_ROWS = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                "litigation_after_review": "行政诉讼（复议后起诉）"}
_TABLE4_COLUMNS = {"maintained": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
APPLICANT_GROUP = "法人或其他组织"


def outcome_group_and_item(outcome: str) -> tuple[str, str | None]:
    """("（三）不予公开", "1.属于国家秘密"), or ("（一）予以公开", None) for a row without items."""
    group, _, item = OUTCOME_LABELS[outcome].partition(" ")
    return group, item or None


def row_label(row: str) -> str:
    if row in _TABLE3_TOP:
        return _TABLE3_TOP[row]
    if row in _TABLE4_ROWS:
        return _TABLE4_ROWS[row]
    if row in OUTCOME_LABELS:
        return OUTCOME_LABELS[row]
    return row


def column_label(column: str) -> str:
    if column in APPLICANT_LABELS:
        return APPLICANT_LABELS[column]
    return _TABLE4_COLUMNS.get(column, column)


# Table 二: items, their measures and the article blocks they sit in
MEASURE_LABELS = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
                  "decisions": "本年处理决定数量", "amount_wan": "本年收费金额（单位：万元）"}
REGISTER_BLOCKS = (
    ("第二十条第（一）项", ("issued", "repealed", "in_force"), (("rules", "规章"), ("normative_documents", "行政规范性文件"))),
    ("第二十条第（五）项", ("decisions",), (("licensing", "行政许可"),)),
    ("第二十条第（六）项", ("decisions",), (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
    ("第二十条第（八）项", ("amount_wan",), (("fees", "行政事业性收费"),)),
)
REGISTER_ITEMS = {item: (label, measures) for _, measures, items in REGISTER_BLOCKS for item, label in items}
