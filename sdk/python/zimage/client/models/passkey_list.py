from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.passkey import Passkey


T = TypeVar("T", bound="PasskeyList")


@_attrs_define
class PasskeyList:
    """`GET /v1/me/passkeys`: the account's passkeys, oldest first.

    Attributes:
        available (bool): Whether this installation offers passkeys at all (its public address must be HTTPS or
            `localhost`, and a name rather than an IP address).
        items (list[Passkey]):
        limit (int): How many passkeys an account may keep.
    """

    available: bool
    items: list[Passkey]
    limit: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        available = self.available

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        limit = self.limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "available": available,
                "items": items,
                "limit": limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey import Passkey

        d = dict(src_dict)
        available = d.pop("available")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = Passkey.from_dict(items_item_data)

            items.append(items_item)

        limit = d.pop("limit")

        passkey_list = cls(
            available=available,
            items=items,
            limit=limit,
        )

        passkey_list.additional_properties = d
        return passkey_list

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
