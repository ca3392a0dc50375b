from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.passkey_step_up_request_credential import (
        PasskeyStepUpRequestCredential,
    )


T = TypeVar("T", bound="PasskeyStepUpRequest")


@_attrs_define
class PasskeyStepUpRequest:
    """`POST /v1/me/two-factor/passkey`: confirm it is you with a passkey instead of a code, before
    a sensitive action.

        Attributes:
            ceremony (str): `ceremony` from `POST /v1/me/two-factor/passkey-options`.
            credential (PasskeyStepUpRequestCredential): The `PublicKeyCredential` from `navigator.credentials.get()`, as
                its `toJSON()` gives it
                (WebAuthn Level 3 `AuthenticationResponseJSON`: binary fields in base64url).
    """

    ceremony: str
    credential: PasskeyStepUpRequestCredential

    def to_dict(self) -> dict[str, Any]:
        ceremony = self.ceremony

        credential = self.credential.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ceremony": ceremony,
                "credential": credential,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey_step_up_request_credential import (
            PasskeyStepUpRequestCredential,
        )

        d = dict(src_dict)
        ceremony = d.pop("ceremony")

        credential = PasskeyStepUpRequestCredential.from_dict(d.pop("credential"))

        passkey_step_up_request = cls(
            ceremony=ceremony,
            credential=credential,
        )

        return passkey_step_up_request
