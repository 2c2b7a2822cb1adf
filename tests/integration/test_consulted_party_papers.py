"""The papers to the party consulted name it as the clerk recorded it when the consultation began (issue 19 items
3, 4; Art. 32, 34): the 征求意见书/函's addressee from the latest consultation_started (party_name), the 送达回证
served on that party at its address (party_address); the 登记回执 states 提供形式 and 获取方式 (Art. 29 ¶2(3))."""

from __future__ import annotations

from tests.conftest import AGENCY, user
from workflows.foi import commands as c


def _received(services, request_id: str = "P-1", **facts) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                                        applicant={"kind": "natural_person", "name": "王五", "address": "河东区一路1号"},
                                        channel="in_person", subject="某厂环评报告", **facts), user(services, "clerk"))


def _consulting(services, **named) -> None:
    _received(services)
    services.requests.act("P-1", c.StartConsultation(at=services.clock.now(), **named), user(services, "clerk"))


def _issued(services, doc_type: str, **draft):
    clerk = user(services, "clerk")
    services.documents.draft("P-1", doc_type, clerk, **draft)
    services.documents.approve("P-1", doc_type, user(services, "head"))
    return services.documents.issue("P-1", doc_type, clerk)


def test_the_consultation_letter_is_addressed_to_the_third_party_named_at_the_start_art32(services):
    _consulting(services, party="third_party", party_name="河东化工有限公司", party_address="河东区工业园8号")
    letter = services.documents.draft("P-1", "consultation_letter", user(services, "clerk"),
                                      paper={"addressee_kind": "organisation"})
    assert letter.text.startswith("河东化工有限公司：\n") and "征求贵单位的意见" in letter.text


def test_the_latest_consultation_names_the_addressee_art32(services):
    _consulting(services, party="third_party", party_name="甲公司")
    clerk = user(services, "clerk")
    services.requests.act("P-1", c.EndConsultation(at=services.clock.now(), party="third_party", opinion="consent"),
                          clerk)
    services.requests.act("P-1", c.StartConsultation(at=services.clock.now(), party="third_party",
                                                     party_name="乙公司"), clerk)
    letter = services.documents.draft("P-1", "consultation_letter", clerk)
    assert letter.text.startswith("乙公司：")


def test_an_addressee_typed_in_the_draft_wins_over_the_recorded_one_art32(services):
    _consulting(services, party="third_party", party_name="甲公司")
    letter = services.documents.draft("P-1", "consultation_letter", user(services, "clerk"),
                                      paper={"addressee": "甲公司法务部"})
    assert letter.text.startswith("甲公司法务部：")


def test_an_agency_recorded_addresses_the_letter_to_it_but_not_a_third_party_letter_art34(services):
    _consulting(services, party="agency", party_name="河东区生态环境局")
    clerk = user(services, "clerk")
    letter = services.documents.draft("P-1", "consultation_letter", clerk, party="agency")
    assert letter.text.startswith("河东区生态环境局：") and "贵机关" in letter.text
    # a letter to a third party is not addressed to the agency consulted: the clerk must name the third party
    second = services.documents.draft("P-1", "consultation_letter", clerk, party="third_party",
                                      paper={"addressee": "张三"})
    assert second.text.startswith("张三：")


def test_without_a_recorded_name_the_cli_note_still_names_the_addressee_art32(services):
    _consulting(services, party="third_party")
    letter = services.documents.draft("P-1", "consultation_letter", user(services, "clerk"), note="李四")
    assert letter.text.startswith("李四：")


def test_the_service_record_of_the_letter_is_served_on_the_party_at_its_address_art32(services):
    _consulting(services, party="third_party", party_name="河东化工有限公司", party_address="河东区工业园8号")
    _issued(services, "consultation_letter", paper={"addressee_kind": "organisation"})
    services.documents.serve("P-1", "consultation_letter", user(services, "clerk"), "post", tracking_no="1190000000001")
    record = services.documents.draft("P-1", "service_record", user(services, "clerk"),
                                      served_type="consultation_letter")
    assert "受送达人：河东化工有限公司" in record.text and "送达地点：河东区工业园8号" in record.text
    assert "王五" not in record.text and "河东区一路1号" not in record.text


def test_the_service_record_of_the_reply_is_still_served_on_the_applicant(services):
    services.directory.set_agency(user(services, "admin"), AGENCY, review_body="河东区人民政府", court="河东区人民法院")
    _consulting(services, party="third_party", party_name="河东化工有限公司", party_address="河东区工业园8号")
    services.requests.act("P-1", c.EndConsultation(at=services.clock.now(), party="third_party", opinion="consent"),
                          user(services, "clerk"))
    _issued(services, "reply", outcome="disclosed")
    services.documents.serve("P-1", "reply", user(services, "clerk"), "personal",
                             signed_on=services.clock.now().date())
    record = services.documents.draft("P-1", "service_record", user(services, "clerk"), served_type="reply")
    assert "受送达人：王五" in record.text and "送达地点：河东区一路1号" in record.text


def test_the_receipt_states_the_form_and_the_way_to_obtain_it_art29(services):
    _received(services, form_requested="electronic", obtain_method="email")
    receipt = services.documents.issue_receipt("P-1", user(services, "clerk"))
    assert "“某厂环评报告”，要求以电子数据形式提供，获取方式为电子邮件。现予登记" in receipt.text


def test_a_receipt_without_them_reads_as_before_art29(services):
    _received(services)
    receipt = services.documents.issue_receipt("P-1", user(services, "clerk"))
    assert "“某厂环评报告”。现予登记" in receipt.text
