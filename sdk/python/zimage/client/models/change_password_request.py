from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ChangePasswordRequest")


@_attrs_define
class ChangePasswordRequest:
    """`POST /v1/me/password`.

    Attributes:
        current_password (str):
        new_password (str):
        lock_down (bool | Unset): Also revoke every API key and pause every webhook endpoint (as a password reset does):
            for when someone else may have known the old password.
    """

    current_password: str
    new_password: str
    lock_down: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        current_password = self.current_password

        new_password = self.new_password

        lock_down = self.lock_down

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "current_password": current_password,
                "new_password": new_password,
            }
        )
        if lock_down is not UNSET:
            field_dict["lock_down"] = lock_down

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        current_password = d.pop("current_password")

        new_password = d.pop("new_password")

        lock_down = d.pop("lock_down", UNSET)

        change_password_request = cls(
            current_password=current_password,
            new_password=new_password,
            lock_down=lock_down,
        )

        return change_password_request
