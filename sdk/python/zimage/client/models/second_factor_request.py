from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SecondFactorRequest")


@_attrs_define
class SecondFactorRequest:
    """`POST /v1/auth/login/second-factor`.

    Example:
        {'challenge': 'q3L9…', 'code': '123456'}

    Attributes:
        challenge (str): From the `202` answer of `POST /v1/auth/login`.
        code (str): The 6-digit code the authenticator app shows, or an unused recovery code
            (`xxxx-xxxx-xxxx`; case, spaces and dashes do not matter).
    """

    challenge: str
    code: str

    def to_dict(self) -> dict[str, Any]:
        challenge = self.challenge

        code = self.code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "challenge": challenge,
                "code": code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        challenge = d.pop("challenge")

        code = d.pop("code")

        second_factor_request = cls(
            challenge=challenge,
            code=code,
        )

        return second_factor_request
