from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LegalDocument")


@_attrs_define
class LegalDocument:
    """A legal page (`GET /v1/legal/documents/{name}`), written by the operator in Markdown.

    Attributes:
        html (str): The page as HTML (raw HTML in the Markdown is escaped, not passed through).
        name (str): `privacy` or `terms`.
        title (str): The first heading.
    """

    html: str
    name: str
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        html = self.html

        name = self.name

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "html": html,
                "name": name,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        html = d.pop("html")

        name = d.pop("name")

        title = d.pop("title")

        legal_document = cls(
            html=html,
            name=name,
            title=title,
        )

        legal_document.additional_properties = d
        return legal_document

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
