"""价格指数 callbacks (pages/prices/): the index page and the valuation helper."""
from . import index, valuation  # noqa: F401
