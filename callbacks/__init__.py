"""One module per page; importing this package records every callback (see server.callbacks)."""
from . import (  # noqa: F401
    account, admin, asset_growth, assets, basedata, cockpit, contracts, credit_stats, disclosure, funds, home, imports, ops,
    meetings, portal, records, registers, resources, screen, supervision, trading,
)
