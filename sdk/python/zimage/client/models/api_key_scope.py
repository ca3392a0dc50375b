from enum import StrEnum


class ApiKeyScope(StrEnum):
    CREDITSREAD = "credits:read"
    GENERATIONSREAD = "generations:read"
    GENERATIONSWRITE = "generations:write"
    PROFILEWRITE = "profile:write"
    WEBHOOKSWRITE = "webhooks:write"

    def __str__(self) -> str:
        return str(self.value)
