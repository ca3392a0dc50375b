from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sso_kind import SsoKind

T = TypeVar("T", bound="SsoProviderInfo")


@_attrs_define
class SsoProviderInfo:
    """An identity provider people may sign in with.

    Attributes:
        id (str): The operator's id for it, in `/v1/auth/sso/{provider}/…`.
        kind (SsoKind): How an identity provider is spoken to.
        name (str): What the button says: "Continue with {name}".
    """

    id: str
    kind: SsoKind
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        kind = SsoKind(d.pop("kind"))

        name = d.pop("name")

        sso_provider_info = cls(
            id=id,
            kind=kind,
            name=name,
        )

        sso_provider_info.additional_properties = d
        return sso_provider_info

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
