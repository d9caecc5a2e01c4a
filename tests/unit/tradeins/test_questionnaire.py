"""Questionnaires are checked answer by answer, with strict JSON types."""
from services.tradeins import questionnaire as q

PHONE = {"powers_on": True, "screen": "flawless", "body": "light_wear", "battery_health_pct": 80,
         "activation_lock_off": True}


def test_valid_answers_have_no_errors():
    assert q.validate("electronics", PHONE, declaring=True) == {}
    assert q.validate("appliance", {"works": "fully", "damage": "none"}, declaring=True) == {}
    assert q.validate("vehicle", {"mileage_km": 0, "accident_history": "none", "emission_standard": "china_6b"},
                      declaring=True) == {}


def test_every_bad_answer_is_named():
    errors = q.validate("electronics", {"powers_on": 1, "screen": "ok", "battery_health_pct": True,
                                        "activation_lock_off": False, "extra": 1}, declaring=True)
    assert set(errors) == {"answers.powers_on", "answers.screen", "answers.body", "answers.battery_health_pct",
                           "answers.activation_lock_off", "answers.extra"}
    assert errors["answers.body"] == ["Missing data for required field."]
    assert "Activation Lock" in errors["answers.activation_lock_off"][0]


def test_a_lock_found_on_at_inspection_is_a_finding_not_an_error():
    assert q.validate("electronics", {**PHONE, "activation_lock_off": False}, declaring=False) == {}


def test_unknown_category_and_non_mapping():
    assert "category" in q.validate("furniture", {}, declaring=True)
    assert q.validate("appliance", ["works"], declaring=True) == {"answers": ["Not a valid mapping."]}


def test_differences_in_questionnaire_order():
    found = {**PHONE, "battery_health_pct": 60, "screen": "cracked"}
    assert [d["question"] for d in q.differences("electronics", PHONE, found)] == ["screen", "battery_health_pct"]
