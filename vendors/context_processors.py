"""The signed-in user's roles, for navigation."""

from .permissions import Roles


def roles(request) -> dict:
    return {"roles": Roles(getattr(request, "user", None))}
