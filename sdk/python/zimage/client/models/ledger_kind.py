from enum import StrEnum


class LedgerKind(StrEnum):
    ADMIN_ADJUST = "admin_adjust"
    CLAWBACK = "clawback"
    EXPIRE = "expire"
    GRANT = "grant"
    HOLD = "hold"
    RELEASE = "release"
    SETTLE = "settle"

    def __str__(self) -> str:
        return str(self.value)
