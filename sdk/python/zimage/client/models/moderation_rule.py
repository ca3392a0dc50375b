from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.moderation_kind import ModerationKind

T = TypeVar("T", bound="ModerationRule")


@_attrs_define
class ModerationRule:
    """A rule that refuses matching prompts before anything is charged.

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        kind (ModerationKind): How a moderation rule matches.
        pattern (str):
    """

    created_at: datetime.datetime
    id: UUID
    kind: ModerationKind
    pattern: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        kind = self.kind.value

        pattern = self.pattern

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "pattern": pattern,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        kind = ModerationKind(d.pop("kind"))

        pattern = d.pop("pattern")

        moderation_rule = cls(
            created_at=created_at,
            id=id,
            kind=kind,
            pattern=pattern,
        )

        moderation_rule.additional_properties = d
        return moderation_rule

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
