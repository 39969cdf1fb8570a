"""价格指数 callbacks (pages/prices/): the index page, the valuation helper and the sample of deals."""
from . import index, sales, valuation  # noqa: F401
