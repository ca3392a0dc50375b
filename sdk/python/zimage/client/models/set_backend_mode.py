from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.backend_mode import BackendMode

T = TypeVar("T", bound="SetBackendMode")


@_attrs_define
class SetBackendMode:
    """`PUT /v1/admin/backends/{provider}`.

    Attributes:
        mode (BackendMode): What the operator lets a generation backend do.
    """

    mode: BackendMode

    def to_dict(self) -> dict[str, Any]:
        mode = self.mode.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mode": mode,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        mode = BackendMode(d.pop("mode"))

        set_backend_mode = cls(
            mode=mode,
        )

        return set_backend_mode
