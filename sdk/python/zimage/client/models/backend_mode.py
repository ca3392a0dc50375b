from enum import StrEnum


class BackendMode(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    DRAINING = "draining"

    def __str__(self) -> str:
        return str(self.value)
