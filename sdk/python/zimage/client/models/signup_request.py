from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SignupRequest")


@_attrs_define
class SignupRequest:
    """`POST /v1/auth/signup`.

    Example:
        {'accept_terms': True, 'age_confirmed': True, 'display_name': 'Ada', 'email': 'ada@example.org', 'locale': 'en',
            'password': 'correct horse battery staple'}

    Attributes:
        accept_terms (bool): Must be `true`.
        age_confirmed (bool): Must be `true`.
        email (str): E-mail address; compared case-insensitively.
        password (str): At least 10 characters, not the e-mail, not a common password.
        display_name (None | str | Unset): Up to 80 characters on one line; no control characters; trimmed, and blank
            clears it
        invitation (None | str | Unset): The token from an invitation link (`/signup?invitation=…`). Needed where sign-
            up is
            invite-only, unless the address is at one of the allowed domains (`GET
            /v1/auth/signup-options`).
        locale (None | str | Unset): `en` or `zh-CN`; defaults to `en`.
        referral_code (None | str | Unset): Another user's referral code.
    """

    accept_terms: bool
    age_confirmed: bool
    email: str
    password: str
    display_name: None | str | Unset = UNSET
    invitation: None | str | Unset = UNSET
    locale: None | str | Unset = UNSET
    referral_code: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accept_terms = self.accept_terms

        age_confirmed = self.age_confirmed

        email = self.email

        password = self.password

        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        invitation: None | str | Unset
        if isinstance(self.invitation, Unset):
            invitation = UNSET
        else:
            invitation = self.invitation

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        else:
            locale = self.locale

        referral_code: None | str | Unset
        if isinstance(self.referral_code, Unset):
            referral_code = UNSET
        else:
            referral_code = self.referral_code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "accept_terms": accept_terms,
                "age_confirmed": age_confirmed,
                "email": email,
                "password": password,
            }
        )
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if invitation is not UNSET:
            field_dict["invitation"] = invitation
        if locale is not UNSET:
            field_dict["locale"] = locale
        if referral_code is not UNSET:
            field_dict["referral_code"] = referral_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        accept_terms = d.pop("accept_terms")

        age_confirmed = d.pop("age_confirmed")

        email = d.pop("email")

        password = d.pop("password")

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))

        def _parse_invitation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invitation = _parse_invitation(d.pop("invitation", UNSET))

        def _parse_locale(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locale = _parse_locale(d.pop("locale", UNSET))

        def _parse_referral_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        referral_code = _parse_referral_code(d.pop("referral_code", UNSET))

        signup_request = cls(
            accept_terms=accept_terms,
            age_confirmed=age_confirmed,
            email=email,
            password=password,
            display_name=display_name,
            invitation=invitation,
            locale=locale,
            referral_code=referral_code,
        )

        return signup_request
