"""GET /search documents its query parameters with `documented_arguments` (the OpenAPI entry of
flask-smorest's `arguments`, without webargs' parse: the route parses them itself). The document
must stay what `arguments` writes."""
from marketplace.api.search import routes, schemas
from marketplace.openapi import Blueprint


def _plain(apidoc: dict) -> dict:
    """The arguments' doc with each schema instance named by its class (instances differ)."""
    args = apidoc["arguments"]
    return {"parameters": [{**p, "schema": type(p["schema"])} for p in args["parameters"]],
            "responses": args["responses"]}


def test_search_documents_its_parameters_as_arguments_would():
    blp = Blueprint("probe", __name__)

    @blp.arguments(schemas.SearchArgs, location="query")
    @blp.alt_response(200, schema=schemas.SearchPageSchema, success=True, description="A page of search results")
    def parsed(_args):
        return None

    assert _plain(routes.search._apidoc) == _plain(parsed._apidoc)
    assert set(parsed._apidoc) <= set(routes.search._apidoc)  # arguments and response documented
    assert _plain(routes.search._apidoc)["parameters"][0]["in"] == "query"


def test_the_openapi_document_lists_every_search_parameter(app):
    spec = app.test_client().get("/api/openapi.json").json
    op = spec["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in op["parameters"] if p["in"] == "query"}
    assert names == set(schemas.SearchArgs().fields) and "422" in op["responses"]
