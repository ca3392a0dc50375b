from enum import StrEnum


class PrivacyRequestStatus(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    CANCELED = "canceled"
    COMPLETED = "completed"
    EXPIRED = "expired"
    FAILED = "failed"
    PENDING = "pending"
    PROCESSING = "processing"
    SCHEDULED = "scheduled"

    def __str__(self) -> str:
        return str(self.value)
