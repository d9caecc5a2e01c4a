"""Data-wipe certificates: signed, append-only records that a device's storage was sanitised."""
