from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.passkey_options_public_key import PasskeyOptionsPublicKey


T = TypeVar("T", bound="PasskeyOptions")


@_attrs_define
class PasskeyOptions:
    """What the browser needs for a WebAuthn ceremony (adding a passkey, or signing in with one).

    Attributes:
        ceremony (str): Names this ceremony in the request that finishes it; it works once, within `expires_in`.
        expires_in (int): Seconds the ceremony stays open.
        public_key (PasskeyOptionsPublicKey): WebAuthn Level 3 `PublicKeyCredentialCreationOptionsJSON` (adding) or
            `PublicKeyCredentialRequestOptionsJSON` (signing in): give it to
            `PublicKeyCredential.parseCreationOptionsFromJSON()` or `parseRequestOptionsFromJSON()`,
            then to `navigator.credentials.create()` or `get()` as `publicKey`.
    """

    ceremony: str
    expires_in: int
    public_key: PasskeyOptionsPublicKey
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ceremony = self.ceremony

        expires_in = self.expires_in

        public_key = self.public_key.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ceremony": ceremony,
                "expires_in": expires_in,
                "public_key": public_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey_options_public_key import PasskeyOptionsPublicKey

        d = dict(src_dict)
        ceremony = d.pop("ceremony")

        expires_in = d.pop("expires_in")

        public_key = PasskeyOptionsPublicKey.from_dict(d.pop("public_key"))

        passkey_options = cls(
            ceremony=ceremony,
            expires_in=expires_in,
            public_key=public_key,
        )

        passkey_options.additional_properties = d
        return passkey_options

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
