from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.identity import Identity
    from ..models.sso_provider_info import SsoProviderInfo


T = TypeVar("T", bound="SignInMethods")


@_attrs_define
class SignInMethods:
    """`GET /v1/me/identities`: the ways this account signs in.

    Attributes:
        available (list[SsoProviderInfo]): Providers this installation offers that are not linked yet.
        identities (list[Identity]): Identities at providers the account signs in with.
        password (bool): The account has a password (accounts made at a provider have none until one is set
            through "forgot password").
    """

    available: list[SsoProviderInfo]
    identities: list[Identity]
    password: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        available = []
        for available_item_data in self.available:
            available_item = available_item_data.to_dict()
            available.append(available_item)

        identities = []
        for identities_item_data in self.identities:
            identities_item = identities_item_data.to_dict()
            identities.append(identities_item)

        password = self.password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "available": available,
                "identities": identities,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.identity import Identity
        from ..models.sso_provider_info import SsoProviderInfo

        d = dict(src_dict)
        available = []
        _available = d.pop("available")
        for available_item_data in _available:
            available_item = SsoProviderInfo.from_dict(available_item_data)

            available.append(available_item)

        identities = []
        _identities = d.pop("identities")
        for identities_item_data in _identities:
            identities_item = Identity.from_dict(identities_item_data)

            identities.append(identities_item)

        password = d.pop("password")

        sign_in_methods = cls(
            available=available,
            identities=identities,
            password=password,
        )

        sign_in_methods.additional_properties = d
        return sign_in_methods

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
