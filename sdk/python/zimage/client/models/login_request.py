from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LoginRequest")


@_attrs_define
class LoginRequest:
    """`POST /v1/auth/login`.

    Example:
        {'email': 'ada@example.org', 'password': 'correct horse battery staple'}

    Attributes:
        email (str):
        password (str):
        keep_account (bool | Unset): Cancels a confirmed account deletion that is still in its grace period (otherwise
            such a
            sign-in answers 403 `erasure_pending`).
    """

    email: str
    password: str
    keep_account: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        keep_account = self.keep_account

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
            }
        )
        if keep_account is not UNSET:
            field_dict["keep_account"] = keep_account

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        keep_account = d.pop("keep_account", UNSET)

        login_request = cls(
            email=email,
            password=password,
            keep_account=keep_account,
        )

        return login_request
