"""Credit portrait callbacks: the list (`portraits`), one portrait (`portrait`), the subject's own page (`me`)."""
from . import me, portrait, portraits  # noqa: F401
