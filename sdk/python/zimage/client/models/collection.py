from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Collection")


@_attrs_define
class Collection:
    """A collection of the user's images.

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        image_count (int):
        name (str):
        updated_at (datetime.datetime):
        cover_image_id (None | Unset | UUID): The cover the owner chose, if it is still in the collection.
        cover_thumbnail_url (None | str | Unset): A preview of the cover, or of the newest image when no cover is
            chosen; null when empty.
        description (None | str | Unset):
    """

    created_at: datetime.datetime
    id: UUID
    image_count: int
    name: str
    updated_at: datetime.datetime
    cover_image_id: None | Unset | UUID = UNSET
    cover_thumbnail_url: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        image_count = self.image_count

        name = self.name

        updated_at = self.updated_at.isoformat()

        cover_image_id: None | str | Unset
        if isinstance(self.cover_image_id, Unset):
            cover_image_id = UNSET
        elif isinstance(self.cover_image_id, UUID):
            cover_image_id = str(self.cover_image_id)
        else:
            cover_image_id = self.cover_image_id

        cover_thumbnail_url: None | str | Unset
        if isinstance(self.cover_thumbnail_url, Unset):
            cover_thumbnail_url = UNSET
        else:
            cover_thumbnail_url = self.cover_thumbnail_url

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "image_count": image_count,
                "name": name,
                "updated_at": updated_at,
            }
        )
        if cover_image_id is not UNSET:
            field_dict["cover_image_id"] = cover_image_id
        if cover_thumbnail_url is not UNSET:
            field_dict["cover_thumbnail_url"] = cover_thumbnail_url
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        image_count = d.pop("image_count")

        name = d.pop("name")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_cover_image_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cover_image_id_type_0 = UUID(data)

                return cover_image_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        cover_image_id = _parse_cover_image_id(d.pop("cover_image_id", UNSET))

        def _parse_cover_thumbnail_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cover_thumbnail_url = _parse_cover_thumbnail_url(
            d.pop("cover_thumbnail_url", UNSET)
        )

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        collection = cls(
            created_at=created_at,
            id=id,
            image_count=image_count,
            name=name,
            updated_at=updated_at,
            cover_image_id=cover_image_id,
            cover_thumbnail_url=cover_thumbnail_url,
            description=description,
        )

        collection.additional_properties = d
        return collection

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
