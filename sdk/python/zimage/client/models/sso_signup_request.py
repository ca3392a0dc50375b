from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SsoSignupRequest")


@_attrs_define
class SsoSignupRequest:
    """`POST /v1/auth/sso/signup`: creates the account a sign-in at a provider offered, once the
    person confirmed their age and accepted the terms.

        Attributes:
            accept_terms (bool): Must be `true`.
            age_confirmed (bool): Must be `true`.
            token (str): The token the way back from the provider put in the page address
                (`/signup/finish#token=…`).
            display_name (None | str | Unset): Up to 80 characters on one line; no control characters; trimmed, and blank
                clears it
            locale (None | str | Unset): `en` or `zh-CN`; defaults to `en`.
            referral_code (None | str | Unset): Another user's referral code.
    """

    accept_terms: bool
    age_confirmed: bool
    token: str
    display_name: None | str | Unset = UNSET
    locale: None | str | Unset = UNSET
    referral_code: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accept_terms = self.accept_terms

        age_confirmed = self.age_confirmed

        token = self.token

        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

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
                "token": token,
            }
        )
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
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

        token = d.pop("token")

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))

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

        sso_signup_request = cls(
            accept_terms=accept_terms,
            age_confirmed=age_confirmed,
            token=token,
            display_name=display_name,
            locale=locale,
            referral_code=referral_code,
        )

        return sso_signup_request
