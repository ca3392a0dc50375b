from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.generation_failed_data_metadata_type_0 import (
        GenerationFailedDataMetadataType0,
    )


T = TypeVar("T", bound="GenerationFailedData")


@_attrs_define
class GenerationFailedData:
    """`generation.failed`: a task failed; its credits came back.

    Attributes:
        message (str):
        model (str):
        refunded (int): Credits returned: the whole cost.
        task_id (UUID):
        metadata (GenerationFailedDataMetadataType0 | None | Unset): Up to 20 keys of 1–40 characters, each a string of
            up to 500; no control characters
        reason (None | str | Unset): A stable reason code (`provider_unavailable`, `generation_failed`, `timed_out`, …).
    """

    message: str
    model: str
    refunded: int
    task_id: UUID
    metadata: GenerationFailedDataMetadataType0 | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.generation_failed_data_metadata_type_0 import (
            GenerationFailedDataMetadataType0,
        )

        message = self.message

        model = self.model

        refunded = self.refunded

        task_id = str(self.task_id)

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, GenerationFailedDataMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "model": model,
                "refunded": refunded,
                "task_id": task_id,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.generation_failed_data_metadata_type_0 import (
            GenerationFailedDataMetadataType0,
        )

        d = dict(src_dict)
        message = d.pop("message")

        model = d.pop("model")

        refunded = d.pop("refunded")

        task_id = UUID(d.pop("task_id"))

        def _parse_metadata(
            data: object,
        ) -> GenerationFailedDataMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = GenerationFailedDataMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationFailedDataMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        generation_failed_data = cls(
            message=message,
            model=model,
            refunded=refunded,
            task_id=task_id,
            metadata=metadata,
            reason=reason,
        )

        generation_failed_data.additional_properties = d
        return generation_failed_data

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
