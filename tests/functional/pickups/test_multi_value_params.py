"""One style for multi-valued query parameters across the API: comma-separated or repeated,
checked on the OpenAPI document and on the pickups availability endpoint that used to refuse
the comma form (`items.0: String does not match expected pattern`)."""
from marketplace.fields import MULTI


def test_every_array_query_parameter_takes_both_forms(client):
    spec = client.get("/api/openapi.json").json
    arrays = [(path, p["name"], p.get("description", "")) for path, ops in spec["paths"].items()
              for op in ops.values() if isinstance(op, dict) for p in op.get("parameters", [])
              if p.get("in") == "query" and p.get("schema", {}).get("type") == "array"]
    assert arrays, "no array query parameter found: the walk is broken"
    assert [a for a in arrays if MULTI not in a[2]] == []
    search = next(op for op in spec["paths"]["/api/v1/search"].values() if isinstance(op, dict))
    for name in ("category", "kind", "condition", "energy_grade", "storage_gb"):
        param = next(p for p in search["parameters"] if p["name"] == name)
        assert MULTI in param["description"], name


def test_availability_items_comma_and_repeated_mean_the_same(client, recycler, offer):
    base = "/api/v1/pickups/availability?region_code=140105"
    repeated = client.get(f"{base}&items=appliance:refrigerator&items=other")
    comma = client.get(f"{base}&items=appliance:refrigerator,other")
    assert repeated.status_code == comma.status_code == 200, comma.json
    assert repeated.json == comma.json
    bad = client.get(f"{base}&items=appliance:refrigerator,Bad Kind")
    assert bad.status_code == 422 and "items" in str(bad.json["errors"])
