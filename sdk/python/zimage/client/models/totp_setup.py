from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TotpSetup")


@_attrs_define
class TotpSetup:
    """`POST /v1/me/two-factor/totp`: the new secret, shown once. Add it to an authenticator app
    (scan `otpauth_uri` as a QR code, or type `secret`), then confirm with a code it shows.

        Attributes:
            otpauth_uri (str): `otpauth://totp/…` (SHA-1, 6 digits, 30 s), for a QR code.
            secret (str): The shared secret, base32 (RFC 4648, no padding).
    """

    otpauth_uri: str
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        otpauth_uri = self.otpauth_uri

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "otpauth_uri": otpauth_uri,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        otpauth_uri = d.pop("otpauth_uri")

        secret = d.pop("secret")

        totp_setup = cls(
            otpauth_uri=otpauth_uri,
            secret=secret,
        )

        totp_setup.additional_properties = d
        return totp_setup

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
