from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.moderation_kind import ModerationKind

T = TypeVar("T", bound="CreateModerationRule")


@_attrs_define
class CreateModerationRule:
    """`POST /v1/admin/moderation/rules`.

    Attributes:
        kind (ModerationKind): How a moderation rule matches.
        pattern (str): 1–500 characters; a regex must compile.
    """

    kind: ModerationKind
    pattern: str

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        pattern = self.pattern

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "pattern": pattern,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = ModerationKind(d.pop("kind"))

        pattern = d.pop("pattern")

        create_moderation_rule = cls(
            kind=kind,
            pattern=pattern,
        )

        return create_moderation_rule
