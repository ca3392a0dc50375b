from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CollectionShareInfo")


@_attrs_define
class CollectionShareInfo:
    """The public link to one of your collections.

    Attributes:
        collection_id (UUID):
        created_at (datetime.datetime):
        include_prompts (bool):
        token (str): The secret part of the link; anyone holding it sees the collection.
        url (str): The page to send people (`{public_url}/c/{token}`).
        views (int): Times the public page was opened.
    """

    collection_id: UUID
    created_at: datetime.datetime
    include_prompts: bool
    token: str
    url: str
    views: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        collection_id = str(self.collection_id)

        created_at = self.created_at.isoformat()

        include_prompts = self.include_prompts

        token = self.token

        url = self.url

        views = self.views

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "collection_id": collection_id,
                "created_at": created_at,
                "include_prompts": include_prompts,
                "token": token,
                "url": url,
                "views": views,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        collection_id = UUID(d.pop("collection_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        include_prompts = d.pop("include_prompts")

        token = d.pop("token")

        url = d.pop("url")

        views = d.pop("views")

        collection_share_info = cls(
            collection_id=collection_id,
            created_at=created_at,
            include_prompts=include_prompts,
            token=token,
            url=url,
            views=views,
        )

        collection_share_info.additional_properties = d
        return collection_share_info

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
