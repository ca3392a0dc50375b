from enum import StrEnum


class ProductKind(StrEnum):
    PACK = "pack"
    PLAN = "plan"

    def __str__(self) -> str:
        return str(self.value)
