from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.aspect_ratio import AspectRatio
from ..models.output_format import OutputFormat
from ..models.quality import Quality
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_generation_request_metadata_type_0 import (
        CreateGenerationRequestMetadataType0,
    )


T = TypeVar("T", bound="CreateGenerationRequest")


@_attrs_define
class CreateGenerationRequest:
    """`POST /v1/generations`. Give an aspect ratio, or an explicit width and height.

    Example:
        {'aspect_ratio': '16:9', 'metadata': {'order': 'A-17'}, 'model': 'z-image-local', 'num_images': 2,
            'output_format': 'webp', 'prompt': 'a glass lighthouse at dusk, volumetric light', 'webhook_url':
            'https://hooks.example.com/zimage'}

    Attributes:
        model (str): A model id from `GET /v1/models`.
        prompt (str): 1–2000 characters, not blank; line breaks and tabs allowed, no other control characters; trimmed
        aspect_ratio (AspectRatio | None | Unset):
        height (int | None | Unset): A multiple of 8 within the model's `min_side`–`max_side`.
        metadata (CreateGenerationRequestMetadataType0 | None | Unset): Up to 20 keys of 1–40 characters, each a string
            of up to 500; no control characters
        negative_prompt (None | str | Unset): Up to 2000 characters; line breaks and tabs allowed, no other control
            characters; trimmed, and blank clears it
        num_images (int | Unset): 1 up to the model's `max_images`.
        output_format (OutputFormat | Unset): Image file format.
        quality (Quality | Unset): Rendering quality; `high` costs more credits.
        reference_upload_id (None | Unset | UUID): One of your uploads (`POST /v1/uploads`) as the starting image, for
            models that can do
            image-to-image.
        seed (int | None | Unset): Chosen at random (and recorded) when absent; 0 to 2^53 − 1. Only for models whose
            `supports.seed` is true.
        strength (float | None | Unset): How far to move away from the reference image, above 0 up to 1 (default 0.6).
        webhook_url (None | str | Unset): Where to send this task's `generation.succeeded` or `generation.failed` event,
            besides
            your registered endpoints: `https://` on a public address. Signed (Standard Webhooks)
            with your account's request secret, `GET /v1/me/webhook-secret`.
        width (int | None | Unset): A multiple of 8 within the model's `min_side`–`max_side`.
    """

    model: str
    prompt: str
    aspect_ratio: AspectRatio | None | Unset = UNSET
    height: int | None | Unset = UNSET
    metadata: CreateGenerationRequestMetadataType0 | None | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    num_images: int | Unset = UNSET
    output_format: OutputFormat | Unset = UNSET
    quality: Quality | Unset = UNSET
    reference_upload_id: None | Unset | UUID = UNSET
    seed: int | None | Unset = UNSET
    strength: float | None | Unset = UNSET
    webhook_url: None | str | Unset = UNSET
    width: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_generation_request_metadata_type_0 import (
            CreateGenerationRequestMetadataType0,
        )

        model = self.model

        prompt = self.prompt

        aspect_ratio: None | str | Unset
        if isinstance(self.aspect_ratio, Unset):
            aspect_ratio = UNSET
        elif isinstance(self.aspect_ratio, AspectRatio):
            aspect_ratio = self.aspect_ratio.value
        else:
            aspect_ratio = self.aspect_ratio

        height: int | None | Unset
        if isinstance(self.height, Unset):
            height = UNSET
        else:
            height = self.height

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateGenerationRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        num_images = self.num_images

        output_format: str | Unset = UNSET
        if not isinstance(self.output_format, Unset):
            output_format = self.output_format.value

        quality: str | Unset = UNSET
        if not isinstance(self.quality, Unset):
            quality = self.quality.value

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

        strength: float | None | Unset
        if isinstance(self.strength, Unset):
            strength = UNSET
        else:
            strength = self.strength

        webhook_url: None | str | Unset
        if isinstance(self.webhook_url, Unset):
            webhook_url = UNSET
        else:
            webhook_url = self.webhook_url

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
                "prompt": prompt,
            }
        )
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if height is not UNSET:
            field_dict["height"] = height
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if num_images is not UNSET:
            field_dict["num_images"] = num_images
        if output_format is not UNSET:
            field_dict["output_format"] = output_format
        if quality is not UNSET:
            field_dict["quality"] = quality
        if reference_upload_id is not UNSET:
            field_dict["reference_upload_id"] = reference_upload_id
        if seed is not UNSET:
            field_dict["seed"] = seed
        if strength is not UNSET:
            field_dict["strength"] = strength
        if webhook_url is not UNSET:
            field_dict["webhook_url"] = webhook_url
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.create_generation_request_metadata_type_0 import (
            CreateGenerationRequestMetadataType0,
        )

        d = dict(src_dict)
        model = d.pop("model")

        prompt = d.pop("prompt")

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

        def _parse_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        height = _parse_height(d.pop("height", UNSET))

        def _parse_metadata(
            data: object,
        ) -> CreateGenerationRequestMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateGenerationRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateGenerationRequestMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        num_images = d.pop("num_images", UNSET)

        _output_format = d.pop("output_format", UNSET)
        output_format: OutputFormat | Unset
        if isinstance(_output_format, Unset):
            output_format = UNSET
        else:
            output_format = OutputFormat(_output_format)

        _quality = d.pop("quality", UNSET)
        quality: Quality | Unset
        if isinstance(_quality, Unset):
            quality = UNSET
        else:
            quality = Quality(_quality)

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

        def _parse_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        strength = _parse_strength(d.pop("strength", UNSET))

        def _parse_webhook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_url = _parse_webhook_url(d.pop("webhook_url", UNSET))

        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))

        create_generation_request = cls(
            model=model,
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            height=height,
            metadata=metadata,
            negative_prompt=negative_prompt,
            num_images=num_images,
            output_format=output_format,
            quality=quality,
            reference_upload_id=reference_upload_id,
            seed=seed,
            strength=strength,
            webhook_url=webhook_url,
            width=width,
        )

        return create_generation_request
