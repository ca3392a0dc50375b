from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskEvent")


@_attrs_define
class TaskEvent:
    """A change of a task's status or progress, as sent by the live-status streams
    (`GET /v1/events`, `GET /v1/generations/{id}/events`) in the `data` of a `task` event.
    Fetch the task for its images or failure reason once `status` is final.

        Attributes:
            at (datetime.datetime):
            status (TaskStatus): Where a generation task stands. New statuses may be added within `v1`: treat one you do not
                know as not final.
            task_id (UUID):
            progress (float | None | Unset): 0.0 to 1.0 while running, when the provider reports it.
    """

    at: datetime.datetime
    status: TaskStatus
    task_id: UUID
    progress: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        status = self.status.value

        task_id = str(self.task_id)

        progress: float | None | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        else:
            progress = self.progress

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "status": status,
                "task_id": task_id,
            }
        )
        if progress is not UNSET:
            field_dict["progress"] = progress

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        status = TaskStatus(d.pop("status"))

        task_id = UUID(d.pop("task_id"))

        def _parse_progress(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        progress = _parse_progress(d.pop("progress", UNSET))

        task_event = cls(
            at=at,
            status=status,
            task_id=task_id,
            progress=progress,
        )

        task_event.additional_properties = d
        return task_event

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
