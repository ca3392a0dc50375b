from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.generation_succeeded_data_metadata_type_0 import (
        GenerationSucceededDataMetadataType0,
    )
    from ..models.webhook_image import WebhookImage


T = TypeVar("T", bound="GenerationSucceededData")


@_attrs_define
class GenerationSucceededData:
    """`generation.succeeded`: a task finished with its images.

    Attributes:
        charged (int): Credits spent (fewer than the task's cost when fewer images came back than asked for).
        images (list[WebhookImage]):
        model (str):
        task_id (UUID):
        metadata (GenerationSucceededDataMetadataType0 | None | Unset): Up to 20 keys of 1–40 characters, each a string
            of up to 500; no control characters
    """

    charged: int
    images: list[WebhookImage]
    model: str
    task_id: UUID
    metadata: GenerationSucceededDataMetadataType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.generation_succeeded_data_metadata_type_0 import (
            GenerationSucceededDataMetadataType0,
        )

        charged = self.charged

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_dict()
            images.append(images_item)

        model = self.model

        task_id = str(self.task_id)

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, GenerationSucceededDataMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "charged": charged,
                "images": images,
                "model": model,
                "task_id": task_id,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.generation_succeeded_data_metadata_type_0 import (
            GenerationSucceededDataMetadataType0,
        )
        from ..models.webhook_image import WebhookImage

        d = dict(src_dict)
        charged = d.pop("charged")

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = WebhookImage.from_dict(images_item_data)

            images.append(images_item)

        model = d.pop("model")

        task_id = UUID(d.pop("task_id"))

        def _parse_metadata(
            data: object,
        ) -> GenerationSucceededDataMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = GenerationSucceededDataMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationSucceededDataMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        generation_succeeded_data = cls(
            charged=charged,
            images=images,
            model=model,
            task_id=task_id,
            metadata=metadata,
        )

        generation_succeeded_data.additional_properties = d
        return generation_succeeded_data

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
