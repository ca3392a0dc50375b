from enum import StrEnum


class ModerationKind(StrEnum):
    REGEX = "regex"
    TERM = "term"

    def __str__(self) -> str:
        return str(self.value)
