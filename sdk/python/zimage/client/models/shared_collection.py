from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.shared_collection_image import SharedCollectionImage


T = TypeVar("T", bound="SharedCollection")


@_attrs_define
class SharedCollection:
    """What anyone with a collection's link sees (`GET /v1/shared-collections/{token}`), a page of
    its images at a time, newest first.

        Attributes:
            image_count (int):
            items (list[SharedCollectionImage]):
            name (str):
            description (None | str | Unset):
            next_cursor (None | str | Unset): Pass as `cursor` for the next page; absent on the last.
    """

    image_count: int
    items: list[SharedCollectionImage]
    name: str
    description: None | str | Unset = UNSET
    next_cursor: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        image_count = self.image_count

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        next_cursor: None | str | Unset
        if isinstance(self.next_cursor, Unset):
            next_cursor = UNSET
        else:
            next_cursor = self.next_cursor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "image_count": image_count,
                "items": items,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if next_cursor is not UNSET:
            field_dict["next_cursor"] = next_cursor

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.shared_collection_image import SharedCollectionImage

        d = dict(src_dict)
        image_count = d.pop("image_count")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = SharedCollectionImage.from_dict(items_item_data)

            items.append(items_item)

        name = d.pop("name")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor", UNSET))

        shared_collection = cls(
            image_count=image_count,
            items=items,
            name=name,
            description=description,
            next_cursor=next_cursor,
        )

        shared_collection.additional_properties = d
        return shared_collection

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
