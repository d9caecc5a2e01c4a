"""A query parameter the endpoint does not know is refused by name, never ignored: a buyer's
`price_max` that the listing index does not offer used to answer the whole catalogue as if it had
filtered it (GET /search already refused such parameters)."""
import pytest


@pytest.mark.parametrize("path", ["/api/v1/listings?price_max=100", "/api/v1/listings?q=iphone&limit=5",
                                  "/api/v1/listings?limit=5&cursr=abc"])
def test_an_unknown_query_parameter_is_a_422_naming_it(client, path):
    r = client.get(path)
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json")
    unknown = [k for k in r.json["errors"]]
    assert unknown and all(k in path for k in unknown), r.json


def test_known_parameters_still_filter(client):
    assert client.get("/api/v1/listings?limit=5&category=appliance").status_code == 200
