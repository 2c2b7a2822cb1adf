"""Art. 44: the same information asked for by several applicants is proposed for proactive disclosure."""

from __future__ import annotations

from tests.builders import decided, load, request_line
from workflows.foi.similar import normalise_subject


def test_subjects_match_whatever_the_framing_punctuation_and_width_art44():
    assert normalise_subject("申请公开：本区2026年建设项目环评审批清单") == normalise_subject("本区２０２６年建设项目环评审批清单。")
    assert normalise_subject("本区2026年建设项目环评审批清单") != normalise_subject("本区2025年建设项目环评审批清单")


def test_several_applicants_given_the_same_information_make_a_proposal_art44(sqlite_services):
    load(sqlite_services,
         request_line("S-1", "2024-03-01", decided("2024-03-05", "disclosed"), name="张三", subject="申请公开某小区规划许可材料"),
         request_line("S-2", "2024-04-01", name="李四", subject="某小区规划许可材料。"),
         request_line("S-3", "2024-04-02", decided("2024-04-05", "disclosed"), name="张三", subject="某路段施工许可"),
         request_line("S-4", "2024-04-03", decided("2024-04-05", "disclosed"), name="张三", subject="某路段施工许可"))
    found = sqlite_services.queries.disclosure_proposals()
    assert [(p.request_ids, p.applicants) for p in found] == [(("S-1", "S-2"), 2)]  # one applicant twice is no proposal


def test_information_never_given_is_not_proposed_art44(sqlite_services):
    load(sqlite_services,
         request_line("S-5", "2024-03-01", decided("2024-03-05", "withheld.state_secret"), name="张三", subject="某文件"),
         request_line("S-6", "2024-03-02", decided("2024-03-06", "withheld.state_secret"), name="李四", subject="某文件"))
    assert sqlite_services.queries.disclosure_proposals() == []
