"""Interactive API docs that work offline: Swagger UI's assets come from the pinned
flask-swagger-ui package (its `dist/` folder) and are served by the app itself, so /api/docs
never depends on a CDN."""
from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Flask, send_from_directory

ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
ASSETS_URL = "/api/docs/assets/"


def init_app(app: Flask) -> None:
    @app.get(ASSETS_URL + "<path:filename>", endpoint="apidocs_assets")
    def apidocs_assets(filename: str):
        return send_from_directory(ASSETS, filename, max_age=86_400)
