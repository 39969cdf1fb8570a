"""One module per page; importing this package records every callback (see server.callbacks)."""
from . import (  # noqa: F401
    account, admin, asset_growth, assets, basedata, cockpit, contracts, credit_records, credit_requests, credit_uses,
    disclosure, funds, home, imports, meetings, ops, portal, records, registers, resources, screen, supervision, trading,
)
from . import credit_repair  # noqa: F401 - issue 15 lane A
