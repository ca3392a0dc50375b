from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateTicket")


@_attrs_define
class CreateTicket:
    """`POST /v1/support/tickets`.

    Attributes:
        body (str): 1–10000 characters, not blank; line breaks and tabs allowed, no other control characters; trimmed
        subject (str): 1–200 characters on one line, not blank; no control characters; trimmed
        task_id (None | Unset | UUID): One of your generation tasks this is about.
    """

    body: str
    subject: str
    task_id: None | Unset | UUID = UNSET

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        subject = self.subject

        task_id: None | str | Unset
        if isinstance(self.task_id, Unset):
            task_id = UNSET
        elif isinstance(self.task_id, UUID):
            task_id = str(self.task_id)
        else:
            task_id = self.task_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "body": body,
                "subject": subject,
            }
        )
        if task_id is not UNSET:
            field_dict["task_id"] = task_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        body = d.pop("body")

        subject = d.pop("subject")

        def _parse_task_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                task_id_type_0 = UUID(data)

                return task_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        task_id = _parse_task_id(d.pop("task_id", UNSET))

        create_ticket = cls(
            body=body,
            subject=subject,
            task_id=task_id,
        )

        return create_ticket
