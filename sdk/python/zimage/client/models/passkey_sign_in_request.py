from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.passkey_sign_in_request_credential import (
        PasskeySignInRequestCredential,
    )


T = TypeVar("T", bound="PasskeySignInRequest")


@_attrs_define
class PasskeySignInRequest:
    """`POST /v1/auth/passkey`: finish signing in with a passkey.

    Attributes:
        ceremony (str): `ceremony` from `POST /v1/auth/passkey/options`.
        credential (PasskeySignInRequestCredential): The `PublicKeyCredential` from `navigator.credentials.get()`, as
            its `toJSON()` gives it
            (WebAuthn Level 3 `AuthenticationResponseJSON`: binary fields in base64url).
        challenge (None | str | Unset): The same challenge as for the options, when the passkey is the second step.
        keep_account (bool | Unset): Cancel a scheduled deletion of the account and keep it (as with a password sign-
            in).
    """

    ceremony: str
    credential: PasskeySignInRequestCredential
    challenge: None | str | Unset = UNSET
    keep_account: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        ceremony = self.ceremony

        credential = self.credential.to_dict()

        challenge: None | str | Unset
        if isinstance(self.challenge, Unset):
            challenge = UNSET
        else:
            challenge = self.challenge

        keep_account = self.keep_account

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ceremony": ceremony,
                "credential": credential,
            }
        )
        if challenge is not UNSET:
            field_dict["challenge"] = challenge
        if keep_account is not UNSET:
            field_dict["keep_account"] = keep_account

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey_sign_in_request_credential import (
            PasskeySignInRequestCredential,
        )

        d = dict(src_dict)
        ceremony = d.pop("ceremony")

        credential = PasskeySignInRequestCredential.from_dict(d.pop("credential"))

        def _parse_challenge(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        challenge = _parse_challenge(d.pop("challenge", UNSET))

        keep_account = d.pop("keep_account", UNSET)

        passkey_sign_in_request = cls(
            ceremony=ceremony,
            credential=credential,
            challenge=challenge,
            keep_account=keep_account,
        )

        return passkey_sign_in_request
