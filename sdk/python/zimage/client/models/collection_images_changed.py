from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.collection import Collection


T = TypeVar("T", bound="CollectionImagesChanged")


@_attrs_define
class CollectionImagesChanged:
    """What adding or removing images changed.

    Attributes:
        changed (int): Images added or removed by this request.
        collection (Collection): A collection of the user's images.
    """

    changed: int
    collection: Collection
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        changed = self.changed

        collection = self.collection.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changed": changed,
                "collection": collection,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.collection import Collection

        d = dict(src_dict)
        changed = d.pop("changed")

        collection = Collection.from_dict(d.pop("collection"))

        collection_images_changed = cls(
            changed=changed,
            collection=collection,
        )

        collection_images_changed.additional_properties = d
        return collection_images_changed

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
