from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SsoStartRequest")


@_attrs_define
class SsoStartRequest:
    """`POST /v1/auth/sso/{provider}/start`.

    Attributes:
        invitation (None | str | Unset): The token of an invitation link, for sign-ups where sign-up is invite-only.
        login_hint (None | str | Unset): Suggests the account to the provider (its `login_hint`; GitHub's `login`).
        return_to (None | str | Unset): A path on this site to land on after signing in (default `/create`).
    """

    invitation: None | str | Unset = UNSET
    login_hint: None | str | Unset = UNSET
    return_to: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        invitation: None | str | Unset
        if isinstance(self.invitation, Unset):
            invitation = UNSET
        else:
            invitation = self.invitation

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

        field_dict.update({})
        if invitation is not UNSET:
            field_dict["invitation"] = invitation
        if login_hint is not UNSET:
            field_dict["login_hint"] = login_hint
        if return_to is not UNSET:
            field_dict["return_to"] = return_to

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_invitation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invitation = _parse_invitation(d.pop("invitation", UNSET))

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

        sso_start_request = cls(
            invitation=invitation,
            login_hint=login_hint,
            return_to=return_to,
        )

        return sso_start_request
