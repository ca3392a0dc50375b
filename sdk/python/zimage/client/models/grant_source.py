from enum import StrEnum


class GrantSource(StrEnum):
    ADMIN = "admin"
    PURCHASE = "purchase"
    REFERRAL = "referral"
    REFUND_ADJUSTMENT = "refund_adjustment"
    SIGNUP_BONUS = "signup_bonus"
    SUBSCRIPTION = "subscription"

    def __str__(self) -> str:
        return str(self.value)
