from enum import StrEnum


class WebhookEvent(StrEnum):
    CREDITS_LOW = "credits.low"
    GENERATION_FAILED = "generation.failed"
    GENERATION_SUCCEEDED = "generation.succeeded"

    def __str__(self) -> str:
        return str(self.value)
