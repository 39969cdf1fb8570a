"""One module per page; importing this package records every callback (see server.callbacks)."""
from . import account, admin_audit, admin_maintenance, admin_sharing, admin_users, cockpit, home  # noqa: F401
