from enum import StrEnum


class ImagesFileGetMetadata(StrEnum):
    KEEP = "keep"
    STRIP = "strip"

    def __str__(self) -> str:
        return str(self.value)
