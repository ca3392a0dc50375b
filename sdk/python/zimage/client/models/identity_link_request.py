from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="IdentityLinkRequest")


@_attrs_define
class IdentityLinkRequest:
    """`POST /v1/me/identities`: connect a provider to the signed-in account.

    Example:
        {'password': 'correct horse battery staple', 'provider': 'google'}

    Attributes:
        provider (str): A provider id from `GET /v1/me/identities` (`available`).
        login_hint (None | str | Unset): Suggests the account to the provider.
        password (None | str | Unset): The account's password, when it has one: a new way in is as sensitive as a new
            password.
    """

    provider: str
    login_hint: None | str | Unset = UNSET
    password: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider

        login_hint: None | str | Unset
        if isinstance(self.login_hint, Unset):
            login_hint = UNSET
        else:
            login_hint = self.login_hint

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "provider": provider,
            }
        )
        if login_hint is not UNSET:
            field_dict["login_hint"] = login_hint
        if password is not UNSET:
            field_dict["password"] = password

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        provider = d.pop("provider")

        def _parse_login_hint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        login_hint = _parse_login_hint(d.pop("login_hint", UNSET))

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))

        identity_link_request = cls(
            provider=provider,
            login_hint=login_hint,
            password=password,
        )

        return identity_link_request
