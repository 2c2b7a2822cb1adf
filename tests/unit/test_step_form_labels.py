"""Every field a step's form offers is named in Chinese (issue 19 item 2): a new command field without a label in
workflows/requests/step_forms.py FIELD_LABELS would show its raw English name on the request page."""

from __future__ import annotations

import re

import pytest

from workflows.foi import commands as c
from workflows.foi.state import Stage
from workflows.requests.step_forms import FIELD_LABELS, fields_of, steps_for

CHINESE = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def _unlabelled(command_classes) -> list[str]:
    return [f"{cls.name}.{f.name}" for cls in command_classes for f in fields_of(cls)
            if f.name not in FIELD_LABELS or not CHINESE.search(f.label) or LATIN.search(f.label)]


def test_every_field_of_a_staff_step_has_a_chinese_label():
    assert _unlabelled(c.STAFF_COMMANDS.values()) == []


def test_every_field_of_a_document_command_has_a_chinese_label():
    # their forms are the 文书 section's, but a refusal and the API name their fields with these labels
    assert _unlabelled(c.DOCUMENT_COMMANDS.values()) == []


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("imported", [False, True])
def test_the_forms_offered_in_each_stage_name_every_field_in_chinese(stage, imported):
    for form in steps_for(stage, imported=imported):
        for field in form.fields:
            assert CHINESE.search(field.label) and not LATIN.search(field.label), (form.command, field.name)
            for _, words in field.choices:  # a select's choices are words too
                assert not LATIN.search(words), (form.command, field.name, words)


def test_the_new_intake_fields_are_named_as_the_clerk_reads_them_art30_art32():
    assert FIELD_LABELS["content"] == "补正内容"
    assert FIELD_LABELS["party_name"] == "征求对象名称（第三方或机关）"
    assert FIELD_LABELS["party_address"] == "征求对象地址"
    consult = {f.name: f for f in fields_of(c.StartConsultation)}
    assert consult["party_name"].label == "征求对象名称（第三方或机关）" and not consult["party_name"].required
