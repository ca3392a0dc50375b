from enum import StrEnum


class InvitationStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"

    def __str__(self) -> str:
        return str(self.value)
