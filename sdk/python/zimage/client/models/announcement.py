from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Announcement")


@_attrs_define
class Announcement:
    """`POST /v1/admin/announcements`: a marketing e-mail to everyone who opted in.

    Attributes:
        body (str): Plain text, 1–5,000 characters.
        subject (str): 1–150 characters.
    """

    body: str
    subject: str

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        subject = self.subject

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "body": body,
                "subject": subject,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        body = d.pop("body")

        subject = d.pop("subject")

        announcement = cls(
            body=body,
            subject=subject,
        )

        return announcement
