from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TicketReply")


@_attrs_define
class TicketReply:
    """`POST /v1/support/tickets/{id}/messages`.

    Attributes:
        body (str): 1–10000 characters, not blank; line breaks and tabs allowed, no other control characters; trimmed
    """

    body: str

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "body": body,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        body = d.pop("body")

        ticket_reply = cls(
            body=body,
        )

        return ticket_reply
