from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.o_auth_client_type import OAuthClientType
from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuthAppSummary")


@_attrs_define
class OAuthAppSummary:
    """What a user is shown about an app asking for access.

    Attributes:
        client_id (str):
        client_type (OAuthClientType): Whether an app can keep a secret.
        name (str):
        developer (None | str | Unset): Who registered it, as they present themselves: their organisation, else their
            display
            name; null when they gave neither.
    """

    client_id: str
    client_type: OAuthClientType
    name: str
    developer: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_type = self.client_type.value

        name = self.name

        developer: None | str | Unset
        if isinstance(self.developer, Unset):
            developer = UNSET
        else:
            developer = self.developer

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "client_type": client_type,
                "name": name,
            }
        )
        if developer is not UNSET:
            field_dict["developer"] = developer

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_type = OAuthClientType(d.pop("client_type"))

        name = d.pop("name")

        def _parse_developer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        developer = _parse_developer(d.pop("developer", UNSET))

        o_auth_app_summary = cls(
            client_id=client_id,
            client_type=client_type,
            name=name,
            developer=developer,
        )

        o_auth_app_summary.additional_properties = d
        return o_auth_app_summary

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
