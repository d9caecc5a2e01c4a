"""Backend-neutral listing search: text pipeline, query objects, backends and index sync."""
