import pytest

from services.errors import ValidationFailed
from services.identifiers import IdHasher
from services.pickups import items

HASHER = IdHasher("unit-test-key")


def test_appliances_take_a_bulk_budget_others_do_not():
    got = items.normalise([{"category": "appliance", "kind": "refrigerator"},
                           {"category": "appliance", "kind": "television", "volume_l": 80, "weight_kg": 15},
                           {"category": "electronics", "kind": "mobile_phone"}], HASHER)
    assert items.budget(got) == (450 + 80, 70 + 15)


def test_identifiers_are_hashed_never_kept():
    imei = "490154203237518"
    [got] = items.normalise([{"category": "electronics", "kind": "mobile_phone", "imei": imei}], HASHER)
    assert got["device_last4"] == "7518" and got["device_hash"] == HASHER.hash(imei, purpose="device")
    assert imei not in repr(got)


@pytest.mark.parametrize("bad,field", [
    ([], "items"),
    ([{"category": "furniture"}], "items.0.category"),
    ([{"category": "appliance", "kind": "spaceship"}], "items.0.kind"),
    ([{"category": "electronics", "kind": "mobile_phone", "imei": "490154203237519"}], "items.0.imei"),
    ([{"category": "other"}] * 21, "items"),
])
def test_bad_items(bad, field):
    with pytest.raises(ValidationFailed) as e:
        items.normalise(bad, HASHER)
    assert field in e.value.fields


def test_a_vehicle_goes_alone():
    with pytest.raises(ValidationFailed) as e:
        items.normalise([{"category": "vehicle", "kind": "passenger_car"}, {"category": "other"}], HASHER)
    assert e.value.code == "vehicle_alone"


def test_query_items():
    assert items.parse_query_items(["appliance:refrigerator", "other"]) == [
        {"category": "appliance", "kind": "refrigerator"}, {"category": "other", "kind": "other"}]
