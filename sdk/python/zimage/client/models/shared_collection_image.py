from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.output_format import OutputFormat
from ..types import UNSET, Unset

T = TypeVar("T", bound="SharedCollectionImage")


@_attrs_define
class SharedCollectionImage:
    """One image of a shared collection. Its URLs work without an account for an hour or two.

    Attributes:
        created_at (datetime.datetime):
        format_ (OutputFormat): Image file format.
        height (int):
        thumbnail_url (str):
        url (str): The image without metadata.
        width (int):
        prompt (None | str | Unset): Only when the owner chose to show prompts.
    """

    created_at: datetime.datetime
    format_: OutputFormat
    height: int
    thumbnail_url: str
    url: str
    width: int
    prompt: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        format_ = self.format_.value

        height = self.height

        thumbnail_url = self.thumbnail_url

        url = self.url

        width = self.width

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "format": format_,
                "height": height,
                "thumbnail_url": thumbnail_url,
                "url": url,
                "width": width,
            }
        )
        if prompt is not UNSET:
            field_dict["prompt"] = prompt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        format_ = OutputFormat(d.pop("format"))

        height = d.pop("height")

        thumbnail_url = d.pop("thumbnail_url")

        url = d.pop("url")

        width = d.pop("width")

        def _parse_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        shared_collection_image = cls(
            created_at=created_at,
            format_=format_,
            height=height,
            thumbnail_url=thumbnail_url,
            url=url,
            width=width,
            prompt=prompt,
        )

        shared_collection_image.additional_properties = d
        return shared_collection_image

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
