"""The four register pages' callbacks (domain.registers.kinds)."""
from __future__ import annotations

from domain.permissions import Action
from domain.registers import kinds

from callbacks.registers.common import CALLBACKS, wire

VIEW = {"incident": Action.INCIDENT_VIEW, "destruction": Action.REGISTER_VIEW, "access": Action.REGISTER_VIEW,
        "device": Action.REGISTER_VIEW}

for _key, _register in kinds.REGISTERS.items():
    wire(_register, VIEW[_key])

__all__ = ["CALLBACKS", "VIEW"]
