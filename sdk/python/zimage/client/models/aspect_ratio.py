from enum import StrEnum


class AspectRatio(StrEnum):
    VALUE_0 = "1:1"
    VALUE_1 = "4:3"
    VALUE_2 = "3:4"
    VALUE_3 = "16:9"
    VALUE_4 = "9:16"
    VALUE_5 = "3:2"
    VALUE_6 = "2:3"
    VALUE_7 = "21:9"

    def __str__(self) -> str:
        return str(self.value)
