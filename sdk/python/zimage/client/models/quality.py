from enum import StrEnum


class Quality(StrEnum):
    HIGH = "high"
    STANDARD = "standard"

    def __str__(self) -> str:
        return str(self.value)
