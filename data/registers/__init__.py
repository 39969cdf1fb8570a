"""The security registers in the system of record (domain.registers declares them)."""
