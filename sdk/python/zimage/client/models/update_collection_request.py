from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateCollectionRequest")


@_attrs_define
class UpdateCollectionRequest:
    """`PATCH /v1/collections/{id}`: fields left out stay as they are.

    Attributes:
        cover_image_id (None | Unset | UUID): One of the collection's images.
        description (None | str | Unset): Up to 500 characters; line breaks and tabs allowed, no other control
            characters; trimmed, and blank clears it
        name (None | str | Unset): 1–80 characters on one line, not blank; no control characters; trimmed
    """

    cover_image_id: None | Unset | UUID = UNSET
    description: None | str | Unset = UNSET
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        cover_image_id: None | str | Unset
        if isinstance(self.cover_image_id, Unset):
            cover_image_id = UNSET
        elif isinstance(self.cover_image_id, UUID):
            cover_image_id = str(self.cover_image_id)
        else:
            cover_image_id = self.cover_image_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if cover_image_id is not UNSET:
            field_dict["cover_image_id"] = cover_image_id
        if description is not UNSET:
            field_dict["description"] = description
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

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

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        update_collection_request = cls(
            cover_image_id=cover_image_id,
            description=description,
            name=name,
        )

        return update_collection_request
