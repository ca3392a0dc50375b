from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.passkey_create_request_credential import (
        PasskeyCreateRequestCredential,
    )


T = TypeVar("T", bound="PasskeyCreateRequest")


@_attrs_define
class PasskeyCreateRequest:
    """`POST /v1/me/passkeys`: finish adding a passkey with what the authenticator made.

    Attributes:
        ceremony (str): `ceremony` from `POST /v1/me/passkey-options`.
        credential (PasskeyCreateRequestCredential): The `PublicKeyCredential` from `navigator.credentials.create()`, as
            its `toJSON()` gives
            it (WebAuthn Level 3 `RegistrationResponseJSON`: binary fields in base64url).
        name (str): 1–64 characters on one line, not blank; no control characters; trimmed
    """

    ceremony: str
    credential: PasskeyCreateRequestCredential
    name: str

    def to_dict(self) -> dict[str, Any]:
        ceremony = self.ceremony

        credential = self.credential.to_dict()

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ceremony": ceremony,
                "credential": credential,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey_create_request_credential import (
            PasskeyCreateRequestCredential,
        )

        d = dict(src_dict)
        ceremony = d.pop("ceremony")

        credential = PasskeyCreateRequestCredential.from_dict(d.pop("credential"))

        name = d.pop("name")

        passkey_create_request = cls(
            ceremony=ceremony,
            credential=credential,
            name=name,
        )

        return passkey_create_request
