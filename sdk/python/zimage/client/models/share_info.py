from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ShareInfo")


@_attrs_define
class ShareInfo:
    """A public link to one of your images.

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        image_id (UUID):
        include_prompt (bool):
        thumbnail_url (str): A preview for your own lists (signed, works without a token for one to two hours).
        token (str): The unguessable token in the link.
        url (str): The public page, for people without an account.
        views (int): How often the public card was opened.
    """

    created_at: datetime.datetime
    id: UUID
    image_id: UUID
    include_prompt: bool
    thumbnail_url: str
    token: str
    url: str
    views: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        image_id = str(self.image_id)

        include_prompt = self.include_prompt

        thumbnail_url = self.thumbnail_url

        token = self.token

        url = self.url

        views = self.views

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "image_id": image_id,
                "include_prompt": include_prompt,
                "thumbnail_url": thumbnail_url,
                "token": token,
                "url": url,
                "views": views,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        image_id = UUID(d.pop("image_id"))

        include_prompt = d.pop("include_prompt")

        thumbnail_url = d.pop("thumbnail_url")

        token = d.pop("token")

        url = d.pop("url")

        views = d.pop("views")

        share_info = cls(
            created_at=created_at,
            id=id,
            image_id=image_id,
            include_prompt=include_prompt,
            thumbnail_url=thumbnail_url,
            token=token,
            url=url,
            views=views,
        )

        share_info.additional_properties = d
        return share_info

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
