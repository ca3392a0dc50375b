from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SsoSignupDetails")


@_attrs_define
class SsoSignupDetails:
    """`POST /v1/auth/sso/signup/details`: the account a sign-in at a provider would create.

    Attributes:
        email (str): The address the provider confirmed; the account's address.
        expires_at (datetime.datetime): When this offer ends (sign in at the provider again after).
        provider (str): The provider's id and name.
        provider_name (str):
        display_name (None | str | Unset): The name the provider gave, as a suggestion.
    """

    email: str
    expires_at: datetime.datetime
    provider: str
    provider_name: str
    display_name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        expires_at = self.expires_at.isoformat()

        provider = self.provider

        provider_name = self.provider_name

        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "expires_at": expires_at,
                "provider": provider,
                "provider_name": provider_name,
            }
        )
        if display_name is not UNSET:
            field_dict["display_name"] = display_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        provider = d.pop("provider")

        provider_name = d.pop("provider_name")

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))

        sso_signup_details = cls(
            email=email,
            expires_at=expires_at,
            provider=provider,
            provider_name=provider_name,
            display_name=display_name,
        )

        sso_signup_details.additional_properties = d
        return sso_signup_details

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
