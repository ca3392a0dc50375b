from enum import StrEnum


class EventsStreamResponse200Type1Event(StrEnum):
    TASK = "task"

    def __str__(self) -> str:
        return str(self.value)
