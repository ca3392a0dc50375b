from enum import StrEnum


class OrderStatus(StrEnum):
    CREATED = "created"
    EXPIRED = "expired"
    FAILED = "failed"
    PAID = "paid"
    REFUNDED = "refunded"

    def __str__(self) -> str:
        return str(self.value)
