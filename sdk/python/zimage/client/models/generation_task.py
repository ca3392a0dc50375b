from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aspect_ratio import AspectRatio
from ..models.output_format import OutputFormat
from ..models.quality import Quality
from ..models.task_status import TaskStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.generated_image_info import GeneratedImageInfo
    from ..models.generation_task_metadata_type_0 import GenerationTaskMetadataType0


T = TypeVar("T", bound="GenerationTask")


@_attrs_define
class GenerationTask:
    """A generation task (`GET /v1/generations/{id}`).

    Attributes:
        charged (int): Credits actually spent (equal to `cost` on success).
        cost (int): Credits this task costs.
        created_at (datetime.datetime):
        height (int):
        id (UUID):
        images (list[GeneratedImageInfo]):
        model (str):
        num_images (int):
        output_format (OutputFormat): Image file format.
        prompt (str):
        provider (str):
        quality (Quality): Rendering quality; `high` costs more credits.
        refunded (int): Credits returned (equal to `cost` on failure or cancellation).
        status (TaskStatus): Where a generation task stands. New statuses may be added within `v1`: treat one you do not
            know as not final.
        width (int):
        aspect_ratio (AspectRatio | None | Unset):
        failure_message (None | str | Unset):
        failure_reason (None | str | Unset): Stable reason code when failed (`provider_unavailable`, …).
        finished_at (datetime.datetime | None | Unset):
        metadata (GenerationTaskMetadataType0 | None | Unset): Up to 20 keys of 1–40 characters, each a string of up to
            500; no control characters
        negative_prompt (None | str | Unset):
        progress (float | None | Unset): 0.0–1.0 while running, when the provider reports it.
        reference_upload_id (None | Unset | UUID): The upload this task started from (image-to-image); it may since have
            been deleted.
        seed (int | None | Unset): The seed the model was given; null when the model takes none (the task cannot be
            reproduced exactly).
        started_at (datetime.datetime | None | Unset):
        strength (float | None | Unset):
    """

    charged: int
    cost: int
    created_at: datetime.datetime
    height: int
    id: UUID
    images: list[GeneratedImageInfo]
    model: str
    num_images: int
    output_format: OutputFormat
    prompt: str
    provider: str
    quality: Quality
    refunded: int
    status: TaskStatus
    width: int
    aspect_ratio: AspectRatio | None | Unset = UNSET
    failure_message: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    metadata: GenerationTaskMetadataType0 | None | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    progress: float | None | Unset = UNSET
    reference_upload_id: None | Unset | UUID = UNSET
    seed: int | None | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    strength: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.generation_task_metadata_type_0 import GenerationTaskMetadataType0

        charged = self.charged

        cost = self.cost

        created_at = self.created_at.isoformat()

        height = self.height

        id = str(self.id)

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_dict()
            images.append(images_item)

        model = self.model

        num_images = self.num_images

        output_format = self.output_format.value

        prompt = self.prompt

        provider = self.provider

        quality = self.quality.value

        refunded = self.refunded

        status = self.status.value

        width = self.width

        aspect_ratio: None | str | Unset
        if isinstance(self.aspect_ratio, Unset):
            aspect_ratio = UNSET
        elif isinstance(self.aspect_ratio, AspectRatio):
            aspect_ratio = self.aspect_ratio.value
        else:
            aspect_ratio = self.aspect_ratio

        failure_message: None | str | Unset
        if isinstance(self.failure_message, Unset):
            failure_message = UNSET
        else:
            failure_message = self.failure_message

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, GenerationTaskMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        progress: float | None | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        else:
            progress = self.progress

        reference_upload_id: None | str | Unset
        if isinstance(self.reference_upload_id, Unset):
            reference_upload_id = UNSET
        elif isinstance(self.reference_upload_id, UUID):
            reference_upload_id = str(self.reference_upload_id)
        else:
            reference_upload_id = self.reference_upload_id

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        strength: float | None | Unset
        if isinstance(self.strength, Unset):
            strength = UNSET
        else:
            strength = self.strength

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "charged": charged,
                "cost": cost,
                "created_at": created_at,
                "height": height,
                "id": id,
                "images": images,
                "model": model,
                "num_images": num_images,
                "output_format": output_format,
                "prompt": prompt,
                "provider": provider,
                "quality": quality,
                "refunded": refunded,
                "status": status,
                "width": width,
            }
        )
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if failure_message is not UNSET:
            field_dict["failure_message"] = failure_message
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if progress is not UNSET:
            field_dict["progress"] = progress
        if reference_upload_id is not UNSET:
            field_dict["reference_upload_id"] = reference_upload_id
        if seed is not UNSET:
            field_dict["seed"] = seed
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if strength is not UNSET:
            field_dict["strength"] = strength

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.generated_image_info import GeneratedImageInfo
        from ..models.generation_task_metadata_type_0 import GenerationTaskMetadataType0

        d = dict(src_dict)
        charged = d.pop("charged")

        cost = d.pop("cost")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        height = d.pop("height")

        id = UUID(d.pop("id"))

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = GeneratedImageInfo.from_dict(images_item_data)

            images.append(images_item)

        model = d.pop("model")

        num_images = d.pop("num_images")

        output_format = OutputFormat(d.pop("output_format"))

        prompt = d.pop("prompt")

        provider = d.pop("provider")

        quality = Quality(d.pop("quality"))

        refunded = d.pop("refunded")

        status = TaskStatus(d.pop("status"))

        width = d.pop("width")

        def _parse_aspect_ratio(data: object) -> AspectRatio | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                aspect_ratio_type_0 = AspectRatio(data)

                return aspect_ratio_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AspectRatio | None | Unset, data)

        aspect_ratio = _parse_aspect_ratio(d.pop("aspect_ratio", UNSET))

        def _parse_failure_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_message = _parse_failure_message(d.pop("failure_message", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        def _parse_metadata(data: object) -> GenerationTaskMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = GenerationTaskMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationTaskMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_progress(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        progress = _parse_progress(d.pop("progress", UNSET))

        def _parse_reference_upload_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                reference_upload_id_type_0 = UUID(data)

                return reference_upload_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        reference_upload_id = _parse_reference_upload_id(
            d.pop("reference_upload_id", UNSET)
        )

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))

        def _parse_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        strength = _parse_strength(d.pop("strength", UNSET))

        generation_task = cls(
            charged=charged,
            cost=cost,
            created_at=created_at,
            height=height,
            id=id,
            images=images,
            model=model,
            num_images=num_images,
            output_format=output_format,
            prompt=prompt,
            provider=provider,
            quality=quality,
            refunded=refunded,
            status=status,
            width=width,
            aspect_ratio=aspect_ratio,
            failure_message=failure_message,
            failure_reason=failure_reason,
            finished_at=finished_at,
            metadata=metadata,
            negative_prompt=negative_prompt,
            progress=progress,
            reference_upload_id=reference_upload_id,
            seed=seed,
            started_at=started_at,
            strength=strength,
        )

        generation_task.additional_properties = d
        return generation_task

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
