"""One module per page; importing this package records every callback (see server.callbacks)."""
from . import (  # noqa: F401
    account, admin, asset_growth, assets, cockpit, contracts, disclosure, funds, home,
    meetings, portal, records, resources, screen, supervision, trading,
)
