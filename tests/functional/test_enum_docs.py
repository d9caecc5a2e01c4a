"""Every enum in the OpenAPI document, in schemas and parameters alike, lists its values and says
what it means."""


def _enums(node, path=""):
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield path, node
        for k, v in node.items():
            yield from _enums(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _enums(v, f"{path}[{i}]")


def test_every_enum_has_values_and_a_description(client):
    doc = client.get("/api/openapi.json").json
    found = list(_enums(doc))
    assert len(found) > 50
    bare = [path for path, schema in found if not (schema.get("description") or "").strip()]
    assert not bare, "enums without a description:\n" + "\n".join(bare)
    assert all([v for v in schema["enum"] if v is not None] for _, schema in found)


def test_device_kind_aliases_are_documented(client):
    device = client.get("/api/openapi.json").json["components"]["schemas"]["DeviceIn"]["properties"]["kind"]
    assert device["x-aliases"] == {"phone": "mobile_phone", "drive": "storage_drive"}
    assert "phone" in device["description"] and "mobile_phone" in device["enum"]
