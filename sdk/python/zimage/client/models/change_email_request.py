from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ChangeEmailRequest")


@_attrs_define
class ChangeEmailRequest:
    """`POST /v1/me/email`: move the account to another address.

    Example:
        {'new_email': 'ada@new.example', 'password': 'correct horse battery staple'}

    Attributes:
        new_email (str):
        password (str): The account's current password.
    """

    new_email: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        new_email = self.new_email

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "new_email": new_email,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        new_email = d.pop("new_email")

        password = d.pop("password")

        change_email_request = cls(
            new_email=new_email,
            password=password,
        )

        return change_email_request
