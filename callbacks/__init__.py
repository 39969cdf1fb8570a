"""One module per page; importing this package records every callback (see server.callbacks)."""
from . import cockpit, home  # noqa: F401
