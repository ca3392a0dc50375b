from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="ImageSelection")


@_attrs_define
class ImageSelection:
    """Several of your images, for one action on all of them (download as a ZIP, delete).

    Attributes:
        image_ids (list[UUID]): 1–500 ids of your images; an id named twice counts once.
    """

    image_ids: list[UUID]

    def to_dict(self) -> dict[str, Any]:
        image_ids = []
        for image_ids_item_data in self.image_ids:
            image_ids_item = str(image_ids_item_data)
            image_ids.append(image_ids_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "image_ids": image_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        image_ids = []
        _image_ids = d.pop("image_ids")
        for image_ids_item_data in _image_ids:
            image_ids_item = UUID(image_ids_item_data)

            image_ids.append(image_ids_item)

        image_selection = cls(
            image_ids=image_ids,
        )

        return image_selection
