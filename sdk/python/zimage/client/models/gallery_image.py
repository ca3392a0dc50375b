from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.output_format import OutputFormat
from ..types import UNSET, Unset

T = TypeVar("T", bound="GalleryImage")


@_attrs_define
class GalleryImage:
    """An image in the gallery (`GET /v1/images`).

    Attributes:
        bytes_ (int):
        created_at (datetime.datetime):
        favorite (bool):
        format_ (OutputFormat): Image file format.
        height (int):
        id (UUID):
        thumbnail_url (str): A WebP preview, at most 384 px on its longer side.
        url (str): The original file.
        width (int):
        model (None | str | Unset):
        prompt (None | str | Unset):
        task_id (None | Unset | UUID): The generation it came from (`null` once that task is gone).
    """

    bytes_: int
    created_at: datetime.datetime
    favorite: bool
    format_: OutputFormat
    height: int
    id: UUID
    thumbnail_url: str
    url: str
    width: int
    model: None | str | Unset = UNSET
    prompt: None | str | Unset = UNSET
    task_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bytes_ = self.bytes_

        created_at = self.created_at.isoformat()

        favorite = self.favorite

        format_ = self.format_.value

        height = self.height

        id = str(self.id)

        thumbnail_url = self.thumbnail_url

        url = self.url

        width = self.width

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        task_id: None | str | Unset
        if isinstance(self.task_id, Unset):
            task_id = UNSET
        elif isinstance(self.task_id, UUID):
            task_id = str(self.task_id)
        else:
            task_id = self.task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bytes": bytes_,
                "created_at": created_at,
                "favorite": favorite,
                "format": format_,
                "height": height,
                "id": id,
                "thumbnail_url": thumbnail_url,
                "url": url,
                "width": width,
            }
        )
        if model is not UNSET:
            field_dict["model"] = model
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if task_id is not UNSET:
            field_dict["task_id"] = task_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        bytes_ = d.pop("bytes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        favorite = d.pop("favorite")

        format_ = OutputFormat(d.pop("format"))

        height = d.pop("height")

        id = UUID(d.pop("id"))

        thumbnail_url = d.pop("thumbnail_url")

        url = d.pop("url")

        width = d.pop("width")

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        def _parse_task_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                task_id_type_0 = UUID(data)

                return task_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        task_id = _parse_task_id(d.pop("task_id", UNSET))

        gallery_image = cls(
            bytes_=bytes_,
            created_at=created_at,
            favorite=favorite,
            format_=format_,
            height=height,
            id=id,
            thumbnail_url=thumbnail_url,
            url=url,
            width=width,
            model=model,
            prompt=prompt,
            task_id=task_id,
        )

        gallery_image.additional_properties = d
        return gallery_image

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
