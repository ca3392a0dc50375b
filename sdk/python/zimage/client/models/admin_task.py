from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AdminTask")


@_attrs_define
class AdminTask:
    """A generation task with what operators need to investigate it.

    Attributes:
        charged (int):
        cost (int):
        created_at (datetime.datetime):
        id (UUID):
        model (str):
        prompt (str):
        provider (str):
        refunded (int):
        status (TaskStatus): Where a generation task stands. New statuses may be added within `v1`: treat one you do not
            know as not final.
        user_email (str):
        user_id (UUID):
        failure_message (None | str | Unset):
        failure_reason (None | str | Unset):
        finished_at (datetime.datetime | None | Unset):
        provider_task_id (None | str | Unset):
    """

    charged: int
    cost: int
    created_at: datetime.datetime
    id: UUID
    model: str
    prompt: str
    provider: str
    refunded: int
    status: TaskStatus
    user_email: str
    user_id: UUID
    failure_message: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    provider_task_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        charged = self.charged

        cost = self.cost

        created_at = self.created_at.isoformat()

        id = str(self.id)

        model = self.model

        prompt = self.prompt

        provider = self.provider

        refunded = self.refunded

        status = self.status.value

        user_email = self.user_email

        user_id = str(self.user_id)

        failure_message: None | str | Unset
        if isinstance(self.failure_message, Unset):
            failure_message = UNSET
        else:
            failure_message = self.failure_message

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        provider_task_id: None | str | Unset
        if isinstance(self.provider_task_id, Unset):
            provider_task_id = UNSET
        else:
            provider_task_id = self.provider_task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "charged": charged,
                "cost": cost,
                "created_at": created_at,
                "id": id,
                "model": model,
                "prompt": prompt,
                "provider": provider,
                "refunded": refunded,
                "status": status,
                "user_email": user_email,
                "user_id": user_id,
            }
        )
        if failure_message is not UNSET:
            field_dict["failure_message"] = failure_message
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if provider_task_id is not UNSET:
            field_dict["provider_task_id"] = provider_task_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        charged = d.pop("charged")

        cost = d.pop("cost")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        model = d.pop("model")

        prompt = d.pop("prompt")

        provider = d.pop("provider")

        refunded = d.pop("refunded")

        status = TaskStatus(d.pop("status"))

        user_email = d.pop("user_email")

        user_id = UUID(d.pop("user_id"))

        def _parse_failure_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_message = _parse_failure_message(d.pop("failure_message", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        def _parse_provider_task_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_task_id = _parse_provider_task_id(d.pop("provider_task_id", UNSET))

        admin_task = cls(
            charged=charged,
            cost=cost,
            created_at=created_at,
            id=id,
            model=model,
            prompt=prompt,
            provider=provider,
            refunded=refunded,
            status=status,
            user_email=user_email,
            user_id=user_id,
            failure_message=failure_message,
            failure_reason=failure_reason,
            finished_at=finished_at,
            provider_task_id=provider_task_id,
        )

        admin_task.additional_properties = d
        return admin_task

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
