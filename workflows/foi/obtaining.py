"""Art. 29 ¶2(3): how the applicant asks to obtain the information (获取信息的方式、途径), beside the form it is
provided in (ProvisionForm, Art. 40). Recorded on receipt (`Receive.obtain_method`); the reply's service follows it."""

from __future__ import annotations

from enum import StrEnum


class ObtainMethod(StrEnum):
    POST = "post"  # 邮寄
    EMAIL = "email"  # 电子邮件
    FAX = "fax"  # 传真
    PICKUP = "pickup"  # 自行领取
    ONLINE = "online"  # 网上获取（在线申请平台）


OBTAIN_METHOD_LABELS: dict[str, str] = {
    ObtainMethod.POST: "邮寄",
    ObtainMethod.EMAIL: "电子邮件",
    ObtainMethod.FAX: "传真",
    ObtainMethod.PICKUP: "自行领取",
    ObtainMethod.ONLINE: "网上获取",
}
