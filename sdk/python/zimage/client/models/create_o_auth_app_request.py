from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.o_auth_client_type import OAuthClientType

T = TypeVar("T", bound="CreateOAuthAppRequest")


@_attrs_define
class CreateOAuthAppRequest:
    """`POST /v1/me/oauth-apps`.

    Attributes:
        client_type (OAuthClientType): Whether an app can keep a secret.
        name (str): 1–64 characters on one line, not blank; no control characters; trimmed
        redirect_uris (list[str]): Where users are sent back after consent, compared exactly: `https://` URLs, `http://`
            only on a loopback address (`127.0.0.1`, `[::1]`, `localhost`; any port, RFC 8252), or a
            private-use scheme with a dot for apps on a device (`com.example.app:/callback`). No
            fragments.
    """

    client_type: OAuthClientType
    name: str
    redirect_uris: list[str]

    def to_dict(self) -> dict[str, Any]:
        client_type = self.client_type.value

        name = self.name

        redirect_uris = self.redirect_uris

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "client_type": client_type,
                "name": name,
                "redirect_uris": redirect_uris,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_type = OAuthClientType(d.pop("client_type"))

        name = d.pop("name")

        redirect_uris = cast(list[str], d.pop("redirect_uris"))

        create_o_auth_app_request = cls(
            client_type=client_type,
            name=name,
            redirect_uris=redirect_uris,
        )

        return create_o_auth_app_request
