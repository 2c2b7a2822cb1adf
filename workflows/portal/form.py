"""The /apply form (and a platform's filing) checked: the content of an application (Art. 29 ¶2) in flat fields, each
refused in Chinese with its field named, before anything is written. Every text passes the checks of every other
door (workflows/requests/input_limits.py: NUL, control characters, lone surrogates, the column's length); the
registration's own check (checked_receive) runs again when the request is filed. Pure: the agency's acceptance of
online applications is the service's to check (it needs the database)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.errors import RuleViolation
from workflows.documents.attachments import ATTACHMENT_RULE, AttachmentKind, Upload, checked_upload
from workflows.foi import commands as c
from workflows.foi.identifiers import (
    InputRefused,
    check_id_card_number,
    check_phone,
    mobile_number,
    normalised,
    text_problem,
)
from workflows.foi.obtaining import OBTAIN_METHOD_LABELS, ObtainMethod
from workflows.foi.vocabulary import APPLICANT_LABELS, PROVISION_FORM_LABELS, ApplicantKind
from workflows.requests.input_limits import limit_of
from workflows.requests.registration import checked_email

ID_TYPES: dict[str, str] = {  # a natural person's 身份证明 (Art. 29 ¶2(1))
    "resident_id": "居民身份证", "passport": "护照", "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证", "foreign_permanent": "外国人永久居留身份证", "other": "其他",
}
CODE_CHANNELS = {"sms": "短信", "email": "电子邮件"}
MAX_ONLINE_UPLOADS = 10
ONLINE_UPLOAD_KINDS = (AttachmentKind.IDENTITY, AttachmentKind.AUTHORISATION, AttachmentKind.APPLICATION,
                       AttachmentKind.OTHER)
APPLICANT_RULE = "Art. 29 ¶2(1)"
SUBJECT_RULE = "Art. 29 ¶2(2)"
_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]{5,20}")  # passports and permits: letters and digits only

# -- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------------------------------------
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31: no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码: 31 − (Σ value × 3^i mod 31) mod 31, in the code's alphabet."""
    total = sum(CREDIT_CODE_CHARACTERS.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def check_credit_code(value: str, field_name: str = "applicant.organisation_code") -> str:
    """An 18-character 统一社会信用代码, normalised (NFKC, upper case), with a valid check character."""
    code = normalised(value).upper()
    if len(code) != 18 or any(ch not in CREDIT_CODE_CHARACTERS for ch in code):
        raise InputRefused(field_name, "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）")
    if credit_code_check_character(code[:17]) != code[17]:
        raise InputRefused(field_name, "统一社会信用代码的校验码不对，请核对")
    return code


@dataclass(frozen=True)
class ApplicationForm:
    """An application as checked: what the `receive` step records once the applicant (or the platform) confirms."""

    agency: str
    applicant: dict[str, str]  # kind, name, id_type, id_number, phone, email, address, organisation_code, …
    subject: str
    code_channel: str  # sms | email: where a verification code goes
    contact: str  # the phone or the e-mail address the code goes to
    form_requested: str | None = None
    obtain_method: str | None = None
    electronic_service: bool = False
    notices: bool = True  # False: no milestone messages (choose_notices recorded right after filing)

    def as_json(self) -> dict:
        return {"agency": self.agency, "applicant": self.applicant, "subject": self.subject,
                "code_channel": self.code_channel, "contact": self.contact, "form_requested": self.form_requested,
                "obtain_method": self.obtain_method, "electronic_service": self.electronic_service,
                "notices": self.notices}

    @classmethod
    def from_json(cls, data: Mapping) -> ApplicationForm:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def receive(self, request_id: str, at: dt.datetime) -> c.Receive:
        """The `receive` step of an online application: its receipt date is confirmed by the agency (Art. 31(3))."""
        return c.Receive(at=at, request_id=request_id, agency=self.agency, applicant=dict(self.applicant),
                         channel="online", subject=self.subject, confirmed_at=None,
                         form_requested=self.form_requested, obtain_method=self.obtain_method,
                         electronic_service=self.electronic_service)


def _text(fields: Mapping[str, object], name: str, label: str, multiline: bool = False,
          limit_field: str | None = None) -> str:
    """The field as text, trimmed ("" when absent); refused when it is no text or holds what no column stores."""
    value = fields.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if not isinstance(value, str):
        raise InputRefused(label, "应为文字")
    problem = text_problem(value, limit_of(limit_field or name), multiline=multiline)
    if problem:
        raise InputRefused(label, problem)
    return value.strip()


def _choice(fields: Mapping[str, object], name: str, label: str, choices: Mapping[str, str]) -> str:
    value = _text(fields, name, label)
    if value and value not in choices:
        raise InputRefused(label, "请选择" + "、".join(choices.values()) + "之一")
    return value


def _yes_no(fields: Mapping[str, object], name: str, label: str) -> bool | None:
    value = _text(fields, name, label).lower()
    if value not in ("", "yes", "no"):
        raise InputRefused(label, "请选择“是”或“否”")
    return None if not value else value == "yes"


def checked_form(fields: Mapping[str, object]) -> ApplicationForm:
    """The form's fields checked (see the module's note); InputRefused or RuleViolation naming the first wrong one.
    Fields the form does not have are ignored (a page's own, such as its CSRF token)."""
    agency = _text(fields, "agency", "受理机关")
    if not agency:
        raise InputRefused("受理机关", "请选择受理申请的机关")
    kind = _choice(fields, "applicant_kind", "申请人类型", APPLICANT_LABELS)
    if not kind:
        raise RuleViolation("请选择申请人类型（自然人、法人或者其他组织）", APPLICANT_RULE)
    applicant: dict[str, str] = {"kind": kind}
    name = _text(fields, "applicant_name", "申请人姓名或名称")
    if not name:
        raise RuleViolation("请填写申请人的姓名或者名称", APPLICANT_RULE)
    applicant["name"] = name
    if kind == ApplicantKind.NATURAL_PERSON:
        applicant.update(_person(fields))
    else:
        applicant.update(_organisation(fields))
    applicant.update(_contacts(fields))
    code_channel, contact = _code_destination(fields, applicant)
    obtain_method = _choice(fields, "obtain_method", "获取信息的方式", OBTAIN_METHOD_LABELS) or None
    address = _text(fields, "address", "通信地址")
    if address:
        applicant["address"] = address
    elif obtain_method == ObtainMethod.POST:
        raise RuleViolation("选择邮寄获取信息的，请填写通信地址", APPLICANT_RULE)
    agent = _text(fields, "agent_name", "代理人", limit_field="agent_name")
    if agent:
        applicant["agent_name"] = agent
    subject = _text(fields, "subject", "所需政府信息的描述", multiline=True)
    if not subject:
        raise RuleViolation("请填写所需政府信息的名称、文号或者便于查询的其他特征性描述", SUBJECT_RULE)
    form_requested = _choice(fields, "form_requested", "提供形式", PROVISION_FORM_LABELS) or None
    return ApplicationForm(
        agency=agency, applicant=applicant, subject=subject, code_channel=code_channel, contact=contact,
        form_requested=form_requested, obtain_method=obtain_method,
        electronic_service=bool(_yes_no(fields, "electronic_service", "同意电子送达")),
        notices=_yes_no(fields, "notices", "接收进展通知") is not False)


def _person(fields: Mapping[str, object]) -> dict[str, str]:
    id_type = _choice(fields, "id_type", "证件类型", ID_TYPES) or "resident_id"
    number = _text(fields, "id_number", "证件号码")
    if not number:
        raise RuleViolation(f"请填写{ID_TYPES[id_type] if id_type != 'other' else '身份证件'}号码", APPLICANT_RULE)
    if id_type == "resident_id":
        number = check_id_card_number(unicodedata.normalize("NFKC", number), "证件号码")
    elif id_type != "other":
        number = normalised(number).upper()
        if not _DOCUMENT_NUMBER.fullmatch(number):
            raise InputRefused("证件号码", f"{ID_TYPES[id_type]}号码应为 5–20 位字母或数字")
    else:
        number = normalised(number)
    return {"id_type": id_type, "id_number": number}


def _organisation(fields: Mapping[str, object]) -> dict[str, str]:
    code = _text(fields, "organisation_code", "统一社会信用代码")
    if not code:
        raise RuleViolation("法人或者其他组织请填写统一社会信用代码", APPLICANT_RULE)
    contact = _text(fields, "contact_person", "联系人", limit_field="contact_person")
    if not contact:
        raise RuleViolation("法人或者其他组织请填写联系人姓名", APPLICANT_RULE)
    return {"organisation_code": check_credit_code(code, "统一社会信用代码"), "contact_person": contact}


def _contacts(fields: Mapping[str, object]) -> dict[str, str]:
    phone = _text(fields, "phone", "联系电话")
    email = _text(fields, "email", "电子邮箱")
    if not phone and not email:
        raise RuleViolation("请至少填写联系电话或电子邮箱中的一项，验证码和办理进展将发送到这里", APPLICANT_RULE)
    given = {"phone": check_phone(phone, "联系电话")} if phone else {}
    return given | ({"email": checked_email(email)} if email else {})


def _code_destination(fields: Mapping[str, object], applicant: Mapping[str, str]) -> tuple[str, str]:
    """(sms | email, the phone or address): a code goes by SMS to a mobile, else by e-mail."""
    phone, email = applicant.get("phone"), applicant.get("email")
    mobile = mobile_number(phone) if phone else None
    chosen = _choice(fields, "code_channel", "验证码接收方式", CODE_CHANNELS) or ("sms" if mobile else "email")
    if chosen == "sms":
        if not mobile:
            raise RuleViolation("短信验证码只能发送到手机号码：请填写手机号码，或选择用电子邮箱接收验证码", APPLICANT_RULE)
        return "sms", mobile
    if not email:
        raise RuleViolation("请填写电子邮箱以接收验证码，或填写手机号码用短信接收", APPLICANT_RULE)
    return "email", email


def checked_uploads(uploads: Sequence[Upload], form: ApplicationForm) -> list[tuple[Upload, str, str]]:
    """(upload, media type, file name) of each file of an online application: at most MAX_ONLINE_UPLOADS, each a
    PDF, JPEG or PNG within the size limit; an agent's application needs the 授权委托书."""
    if len(uploads) > MAX_ONLINE_UPLOADS:
        raise RuleViolation(f"网上申请最多上传 {MAX_ONLINE_UPLOADS} 个文件，这里有 {len(uploads)} 个", ATTACHMENT_RULE)
    checked = []
    for upload in uploads:
        if upload.kind not in ONLINE_UPLOAD_KINDS:
            raise InputRefused("附件类别", "网上申请只能上传身份证明、授权委托书、申请书扫描件或其他材料")
        checked.append((upload, *checked_upload(upload)))
    if form.applicant.get("agent_name") and not any(u.kind == AttachmentKind.AUTHORISATION for u in uploads):
        raise RuleViolation("由代理人提出申请的，请上传授权委托书", ATTACHMENT_RULE)
    return checked

