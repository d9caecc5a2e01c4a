"""Shipping: a seller's parcel (or a buyer's return) with a carrier and tracking number, and the
tracking events a carrier pushes. Sits above orders: delivery hands the order over."""
