from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.o_auth_client_type import OAuthClientType

T = TypeVar("T", bound="OAuthApp")


@_attrs_define
class OAuthApp:
    """An app as its owner sees it.

    Attributes:
        authorized_users (int): Users who have it authorized now.
        client_id (str): Sent by the app as `client_id`.
        client_type (OAuthClientType): Whether an app can keep a secret.
        created_at (datetime.datetime):
        id (UUID): Identifies an OAuth app a user registered.
        name (str):
        redirect_uris (list[str]):
    """

    authorized_users: int
    client_id: str
    client_type: OAuthClientType
    created_at: datetime.datetime
    id: UUID
    name: str
    redirect_uris: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorized_users = self.authorized_users

        client_id = self.client_id

        client_type = self.client_type.value

        created_at = self.created_at.isoformat()

        id = str(self.id)

        name = self.name

        redirect_uris = self.redirect_uris

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "authorized_users": authorized_users,
                "client_id": client_id,
                "client_type": client_type,
                "created_at": created_at,
                "id": id,
                "name": name,
                "redirect_uris": redirect_uris,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        authorized_users = d.pop("authorized_users")

        client_id = d.pop("client_id")

        client_type = OAuthClientType(d.pop("client_type"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        name = d.pop("name")

        redirect_uris = cast(list[str], d.pop("redirect_uris"))

        o_auth_app = cls(
            authorized_users=authorized_users,
            client_id=client_id,
            client_type=client_type,
            created_at=created_at,
            id=id,
            name=name,
            redirect_uris=redirect_uris,
        )

        o_auth_app.additional_properties = d
        return o_auth_app

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
