"""The /apply form checked (workflows/portal/form.py): every field refused in Chinese with its name, the 统一社会信用代码's
check character (GB 32100), full-width ID digits taken, an agent's 授权委托书 required."""

from __future__ import annotations

import pytest

from engine.errors import OgiError, RuleViolation
from workflows.documents.attachments import Upload
from workflows.foi.identifiers import InputRefused, id_check_digit
from workflows.portal.form import (
    MAX_ONLINE_UPLOADS,
    check_credit_code,
    checked_form,
    checked_uploads,
    credit_code_check_character,
)

ID_NUMBER = "11010519491231002" + id_check_digit("11010519491231002")
PDF = b"%PDF-1.4 scan"


def person(**changes: str) -> dict[str, str]:
    fields = {"agency": "hedong-xzsp", "applicant_kind": "natural_person", "applicant_name": "张三",
              "id_type": "resident_id", "id_number": ID_NUMBER, "phone": "13800138000",
              "subject": "2026年河东区建设项目环评审批清单"}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def company(**changes: str) -> dict[str, str]:
    return person(**{"applicant_kind": "commercial", "id_type": None, "id_number": None,
                     "organisation_code": "91330100799655058B", "contact_person": "李四", **changes})


@pytest.mark.parametrize("code", ["91330100799655058B", "91110108551385082Q", "91440300708461136T"])
def test_real_credit_codes_pass_the_gb32100_check(code):
    assert credit_code_check_character(code[:17]) == code[17]
    assert check_credit_code(code) == code


@pytest.mark.parametrize("code, said", [
    ("91330100799655058C", "校验码不对"), ("9133010079965505", "18 位"), ("91330100799655O58B", "18 位"),
])
def test_a_wrong_credit_code_is_refused_in_chinese_art29(code, said):
    with pytest.raises(InputRefused, match=said):
        checked_form(company(organisation_code=code))


def test_a_full_width_credit_code_is_read_as_ascii():
    assert checked_form(company(organisation_code="９１３３０１００７９９６５５０５８ｂ")).applicant[
        "organisation_code"] == "91330100799655058B"


def test_a_natural_persons_form_becomes_the_applicant_of_the_receive_step():
    form = checked_form(person(email="zhang@example.cn", address="河东区人民路1号", electronic_service="yes",
                               notices="no", obtain_method="post", form_requested="electronic"))
    assert form.applicant == {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                              "id_number": ID_NUMBER, "phone": "13800138000", "email": "zhang@example.cn",
                              "address": "河东区人民路1号"}
    assert (form.code_channel, form.contact) == ("sms", "13800138000")
    assert form.electronic_service is True and form.notices is False
    receive = form.receive("hedong-xzsp-2026-00001", __import__("datetime").datetime(2026, 11, 26, 9))
    assert receive.channel == "online" and receive.confirmed_at is None and receive.electronic_service is True
    assert receive.obtain_method == "post" and receive.form_requested == "electronic"


def test_full_width_id_digits_are_accepted_and_a_wrong_check_digit_refused():
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in ID_NUMBER)
    assert checked_form(person(id_number=wide)).applicant["id_number"] == ID_NUMBER
    wrong = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    with pytest.raises(InputRefused, match="校验码不对"):
        checked_form(person(id_number=wrong))


def test_a_passport_number_is_kept_normalised_and_other_documents_as_given():
    assert checked_form(person(id_type="passport", id_number="e1234５６７８")).applicant["id_number"] == "E12345678"
    with pytest.raises(InputRefused, match="护照号码应为"):
        checked_form(person(id_type="passport", id_number="护照一二三"))
    assert checked_form(person(id_type="other", id_number="军官证 第123号")).applicant["id_number"] == "军官证 第123号"


@pytest.mark.parametrize("changes, said", [
    ({"applicant_kind": "robot"}, "申请人类型"), ({"applicant_name": " "}, "姓名或者名称"),
    ({"id_number": ""}, "居民身份证号码"), ({"id_type": "driving_licence"}, "证件类型"),
    ({"phone": "", "email": ""}, "联系电话或电子邮箱"), ({"phone": "12345"}, "电话号码应为"),
    ({"email": "not-an-address"}, "电子邮箱"), ({"subject": ""}, "特征性描述"),
    ({"obtain_method": "post"}, "通信地址"), ({"obtain_method": "pigeon"}, "获取信息的方式"),
    ({"form_requested": "vinyl"}, "提供形式"), ({"electronic_service": "maybe"}, "同意电子送达"),
    ({"code_channel": "fax"}, "验证码接收方式"), ({"agency": ""}, "受理机关"),
    ({"phone": "010-12345678", "code_channel": "sms"}, "短信验证码只能发送到手机号码"),
    ({"phone": "010-12345678"}, "请填写电子邮箱"),
    ({"code_channel": "email"}, "请填写电子邮箱"),
])
def test_each_missing_or_wrong_field_is_refused_naming_it_art29(changes, said):
    with pytest.raises(OgiError, match=said):
        checked_form(person(**changes))


def test_an_organisation_needs_its_code_and_a_contact_person_art29():
    with pytest.raises(RuleViolation, match="统一社会信用代码"):
        checked_form(company(organisation_code=""))
    with pytest.raises(RuleViolation, match="联系人"):
        checked_form(company(contact_person=""))
    assert checked_form(company()).applicant["contact_person"] == "李四"


@pytest.mark.parametrize("field", ["applicant_name", "subject", "address", "agent_name", "contact_person",
                                   "id_number", "email"])
@pytest.mark.parametrize("bad, said", [("a\x00b", "控制字符"), ("a\x07b", "控制字符"), ("a\ud800b", "代理字符")])
def test_nul_control_characters_and_lone_surrogates_are_refused_in_every_field(field, bad, said):
    fields = company() if field == "contact_person" else person()
    fields[field] = bad
    with pytest.raises(InputRefused, match=said):
        checked_form(fields)


@pytest.mark.parametrize("field, size", [("applicant_name", 201), ("subject", 20_001), ("agent_name", 201)])
def test_a_huge_text_is_refused_with_its_limit(field, size):
    with pytest.raises(InputRefused, match="最长"):
        checked_form(person(**{field: "字" * size}))


def test_markup_is_kept_as_text():
    form = checked_form(person(applicant_name="<script>alert(1)</script>", subject="<b>清单</b> & 附件"))
    assert form.applicant["name"] == "<script>alert(1)</script>" and form.subject == "<b>清单</b> & 附件"


def test_a_non_text_value_is_refused():
    with pytest.raises(InputRefused, match="应为文字"):
        checked_form({**person(), "subject": ["列表"]})


def test_an_email_only_applicant_gets_the_code_by_email():
    form = checked_form(person(phone="", email="ｚｈａｎｇ@example.cn"))
    assert (form.code_channel, form.contact) == ("email", "zhang@example.cn")


def test_an_agent_needs_the_authorisation_upload_and_ten_files_at_most():
    form = checked_form(person(agent_name="王律师"))
    with pytest.raises(RuleViolation, match="授权委托书"):
        checked_uploads([Upload("id.pdf", PDF, "identity")], form)
    assert len(checked_uploads([Upload("授权.pdf", PDF, "authorisation")], form)) == 1
    with pytest.raises(RuleViolation, match=f"最多上传 {MAX_ONLINE_UPLOADS} 个"):
        checked_uploads([Upload(f"{n}.pdf", PDF, "identity") for n in range(MAX_ONLINE_UPLOADS + 1)], form)
    with pytest.raises(InputRefused, match="附件类别"):
        checked_uploads([Upload("c.pdf", PDF, "correction")], checked_form(person()))
    with pytest.raises(RuleViolation, match="不是 PDF、JPEG 或 PNG"):
        checked_uploads([Upload("a.exe", b"MZ\x90\x00", "identity")], checked_form(person()))
