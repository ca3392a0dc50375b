from enum import StrEnum


class Capability(StrEnum):
    IMAGE_TO_IMAGE = "image_to_image"
    TEXT_TO_IMAGE = "text_to_image"

    def __str__(self) -> str:
        return str(self.value)
