from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AdminReason")


@_attrs_define
class AdminReason:
    """Body of `POST /v1/admin/users/{id}/disable` and `POST /v1/admin/tasks/{id}/refund`.

    Attributes:
        reason (str): Why (kept in the audit log; 1–500 characters).
    """

    reason: str

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reason = d.pop("reason")

        admin_reason = cls(
            reason=reason,
        )

        return admin_reason
