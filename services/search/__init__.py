"""Tables of the embedded search backend (written only by search/, the backend-neutral layer)."""
