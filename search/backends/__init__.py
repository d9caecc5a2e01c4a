"""Search backends: one protocol (base.py), Elasticsearch and the embedded database backend."""
