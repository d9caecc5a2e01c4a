"""Public profiles: who a buyer deals with."""
from __future__ import annotations

from marketplace.api.profiles import schemas as s
from marketplace.auth import public
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from services.profiles import service

blp = Blueprint("profiles", __name__, description="Public profiles: rating, trades, credit band, responsiveness")


@blp.route("/users/<uuid:user_id>/profile", methods=["GET"])
@public
@blp.response(200, s.ProfileSchema)
def profile(user_id):
    """Anyone: display name, member since, real-name and organisation verification, rating,
    completed trades, credit band, response rate and time. Never an ID number, phone, email or
    address."""
    return service.public_profile(db.session, user_id)
