"""The OpenAPI document describes every category's and kind's listing attributes, generated from
the domain's declarations: each kind the domain knows has its schema with its fields, each
category's kinds are told apart by a discriminator, and real listings match what is documented."""
import jsonschema_rs
import pytest

from services.listings import attributes as domain, validation
from services.listings.models import Category
from tests.factories.listings import car_payload, fridge_payload, phone_payload


@pytest.fixture(scope="module")
def doc(app):
    return app.test_client().get("/api/openapi.json").json


def _json_schema(doc, name):
    """A component as plain JSON Schema: OpenAPI 3.0's `nullable` spelled as a null type."""
    def fix(node):
        if isinstance(node, dict):
            node = {k: fix(v) for k, v in node.items() if k != "discriminator"}
            if node.pop("nullable", False) and "type" in node:
                node["type"] = [node["type"], "null"]
                if "enum" in node:
                    node["enum"] = [*node["enum"], None]
            return node
        return [fix(v) for v in node] if isinstance(node, list) else node
    attrs = {k: v for k, v in doc["components"]["schemas"].items() if k.endswith("Attributes")}
    return {**fix(attrs[name]), "components": {"schemas": fix(attrs)}}


def _ref_name(ref):
    return ref.rsplit("/", 1)[1]


def test_every_kind_of_the_domain_has_a_schema_with_its_fields(doc):
    schemas = doc["components"]["schemas"]
    assert set(domain.KINDS[Category.APPLIANCE]) == set(validation.APPLIANCE_KINDS)
    assert set(domain.KINDS[Category.ELECTRONICS]) == set(validation.ELECTRONICS_KINDS)
    for category, kinds in domain.KINDS.items():
        union = schemas[f"{category.value.title()}Attributes"]
        for kind in kinds:
            name = "".join(w.title() for w in f"{category.value}_{kind}_attributes".split("_"))
            schema = schemas[name]
            assert set(schema["properties"]) == {a.name for a in domain.for_kind(category, kind)}
            assert set(schema.get("required", ())) == {
                a.name for a in domain.for_kind(category, kind) if domain.required(category, kind, a)}
            for a in domain.for_kind(category, kind):
                assert schema["properties"][a.name]["description"]
            if len(kinds) > 1:
                assert schema["properties"]["kind"]["enum"] == [kind]
                assert _ref_name(union["discriminator"]["mapping"][kind]) == name
        if len(kinds) > 1:
            assert union["discriminator"]["propertyName"] == "kind"
            assert len(union["oneOf"]) == len(kinds)


def test_the_rules_a_buyer_relies_on_are_in_the_document(doc):
    s = doc["components"]["schemas"]
    assert "imei" in s["ElectronicsMobilePhoneAttributes"]["required"]
    assert "serial_number" in s["ElectronicsLaptopAttributes"]["required"]
    assert "imei" not in s["ElectronicsLaptopAttributes"]["properties"]
    assert "water_grade" in s["ApplianceWashingMachineAttributes"]["properties"]
    assert "water_grade" not in s["ApplianceRefrigeratorAttributes"]["properties"]
    assert s["VehiclePassengerCarAttributes"]["properties"]["powertrain"]["enum"] == list(
        validation.VEHICLE_POWERTRAINS)
    # Identifiers are stored hashed: what a listing shows never documents them.
    assert "vin" not in s["VehiclePassengerCarStoredAttributes"]["properties"]
    assert "imei" not in s["ElectronicsMobilePhoneStoredAttributes"]["properties"]


def test_requests_and_responses_use_the_attribute_schemas(doc):
    s = doc["components"]["schemas"]
    for name in ("ListingCreate", "ListingUpdate"):
        assert s[name]["properties"]["attributes"]["allOf"] == [{"$ref": "#/components/schemas/ListingAttributes"}]
    assert s["Listing"]["properties"]["attributes"]["allOf"] == [
        {"$ref": "#/components/schemas/ListingStoredAttributes"}]


@pytest.mark.parametrize("payload", [phone_payload, fridge_payload, car_payload])
def test_real_listings_match_the_documented_attributes(doc, client, consumer, payload):
    body = payload()
    jsonschema_rs.validate(_json_schema(doc, "ListingAttributes"), body["attributes"])
    r = client.post("/api/v1/listings", json=body, headers=consumer.headers)
    assert r.status_code == 201, r.json
    jsonschema_rs.validate(_json_schema(doc, "ListingStoredAttributes"), r.json["attributes"])
    category = body["category"].title()
    kind = body["attributes"].get("kind", "passenger_car")
    per_kind = "".join(w.title() for w in f"{category}_{kind}_stored_attributes".split("_"))
    jsonschema_rs.validate(_json_schema(doc, per_kind), r.json["attributes"])


def test_the_domain_still_checks_what_a_schema_cannot(client, consumer):
    # A laptop without its serial number: the cross-field rule lives in the domain.
    body = phone_payload(attributes={"kind": "laptop", "brand": "Lenovo", "model": "X1"})
    r = client.post("/api/v1/listings", json=body, headers=consumer.headers)
    assert r.status_code == 422 and "attributes.serial_number" in r.json["errors"]
    r = client.post("/api/v1/listings", json=car_payload(attributes={**car_payload()["attributes"],
                                                                     "powertrain": "steam"}),
                    headers=consumer.headers)
    assert r.status_code == 422 and "attributes.powertrain" in r.json["errors"]
