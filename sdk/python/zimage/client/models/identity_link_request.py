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
        {'provider': 'google'}

    Attributes:
        provider (str): A provider id from `GET /v1/me/identities` (`available`).
        login_hint (None | str | Unset): Suggests the account to the provider.
        return_to (None | str | Unset): A path on this site to land on afterwards (default `/security`).
    """

    provider: str
    login_hint: None | str | Unset = UNSET
    return_to: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider

        login_hint: None | str | Unset
        if isinstance(self.login_hint, Unset):
            login_hint = UNSET
        else:
            login_hint = self.login_hint

        return_to: None | str | Unset
        if isinstance(self.return_to, Unset):
            return_to = UNSET
        else:
            return_to = self.return_to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "provider": provider,
            }
        )
        if login_hint is not UNSET:
            field_dict["login_hint"] = login_hint
        if return_to is not UNSET:
            field_dict["return_to"] = return_to

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

        def _parse_return_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        return_to = _parse_return_to(d.pop("return_to", UNSET))

        identity_link_request = cls(
            provider=provider,
            login_hint=login_hint,
            return_to=return_to,
        )

        return identity_link_request
