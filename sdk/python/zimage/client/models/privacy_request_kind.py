from enum import StrEnum


class PrivacyRequestKind(StrEnum):
    ERASURE = "erasure"
    EXPORT = "export"
    OBJECTION = "objection"
    RESTRICTION = "restriction"

    def __str__(self) -> str:
        return str(self.value)
