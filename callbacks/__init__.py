"""One module per page; importing this package records every callback (see server.callbacks)."""
from . import (  # noqa: F401
    account, admin, asset_growth, assets, basedata, cockpit, contracts, credit_portrait, credit_records, credit_repair,
    credit_requests, credit_stats, credit_uses, disclosure, funds, home, imports, meetings, ops, portal, prices, records,
    registers, resources, screen, supervision, trading,
)
