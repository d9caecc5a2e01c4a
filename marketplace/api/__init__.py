"""One package per resource (routes.py + schemas.py, or blueprint.py + route modules); they are
listed, with their wiring hooks, in marketplace/resources.py."""
