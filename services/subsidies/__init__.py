"""Trade-in subsidy money: budget pools, reservations, till sales, campaigns and claims.

The rules themselves live in the pure engine (`subsidies/`); this package stores what was
applied and moves the money atomically."""
