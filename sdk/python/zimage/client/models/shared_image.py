from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.output_format import OutputFormat
from ..types import UNSET, Unset

T = TypeVar("T", bound="SharedImage")


@_attrs_define
class SharedImage:
    """What anyone with the link sees (`GET /v1/shared/{token}`).

    Attributes:
        created_at (datetime.datetime):
        format_ (OutputFormat): Image file format.
        height (int):
        image_url (str): The image file (metadata stripped).
        width (int):
        model (None | str | Unset):
        prompt (None | str | Unset): Only when the owner chose to show it.
    """

    created_at: datetime.datetime
    format_: OutputFormat
    height: int
    image_url: str
    width: int
    model: None | str | Unset = UNSET
    prompt: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        format_ = self.format_.value

        height = self.height

        image_url = self.image_url

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "format": format_,
                "height": height,
                "image_url": image_url,
                "width": width,
            }
        )
        if model is not UNSET:
            field_dict["model"] = model
        if prompt is not UNSET:
            field_dict["prompt"] = prompt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        format_ = OutputFormat(d.pop("format"))

        height = d.pop("height")

        image_url = d.pop("image_url")

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

        shared_image = cls(
            created_at=created_at,
            format_=format_,
            height=height,
            image_url=image_url,
            width=width,
            model=model,
            prompt=prompt,
        )

        shared_image.additional_properties = d
        return shared_image

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
