from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SecondFactorChallenge")


@_attrs_define
class SecondFactorChallenge:
    """`202` from `POST /v1/auth/login` when the account has two-factor authentication on: the
    password was right, and the sign-in ends with `POST /v1/auth/login/second-factor`.

        Attributes:
            challenge (str): Single-use token naming this sign-in attempt, for the second step.
            expires_in (int): Seconds the challenge stays valid.
            methods (list[str]): What the second step accepts: `totp` (a code from the authenticator app),
                `recovery_code`, and `passkey` when the account has one (`POST /v1/auth/passkey/options`
                with this challenge).
    """

    challenge: str
    expires_in: int
    methods: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        challenge = self.challenge

        expires_in = self.expires_in

        methods = self.methods

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge": challenge,
                "expires_in": expires_in,
                "methods": methods,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        challenge = d.pop("challenge")

        expires_in = d.pop("expires_in")

        methods = cast(list[str], d.pop("methods"))

        second_factor_challenge = cls(
            challenge=challenge,
            expires_in=expires_in,
            methods=methods,
        )

        second_factor_challenge.additional_properties = d
        return second_factor_challenge

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
