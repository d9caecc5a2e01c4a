"""Reviews between buyer and seller after a completed order, published blind."""
