"""Who may do what: decorators for views."""

from functools import wraps

from flask import abort
from flask_login import current_user

from eventsys.auth.models import Role


def role_required(*roles: Role):
    """Logged in with one of the roles (an admin may do everything)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from eventsys.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
