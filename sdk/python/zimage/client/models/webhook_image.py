from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.output_format import OutputFormat

T = TypeVar("T", bound="WebhookImage")


@_attrs_define
class WebhookImage:
    """An image in a `generation.succeeded` event.

    Attributes:
        format_ (OutputFormat): Image file format.
        height (int):
        id (UUID):
        url (str): The file, absolute and signed: it works without a token for 24 hours from the event.
            Later, `GET /v1/images/{id}` gives a fresh one.
        width (int):
    """

    format_: OutputFormat
    height: int
    id: UUID
    url: str
    width: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_.value

        height = self.height

        id = str(self.id)

        url = self.url

        width = self.width

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "format": format_,
                "height": height,
                "id": id,
                "url": url,
                "width": width,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        format_ = OutputFormat(d.pop("format"))

        height = d.pop("height")

        id = UUID(d.pop("id"))

        url = d.pop("url")

        width = d.pop("width")

        webhook_image = cls(
            format_=format_,
            height=height,
            id=id,
            url=url,
            width=width,
        )

        webhook_image.additional_properties = d
        return webhook_image

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
