from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.prompt_parameters import PromptParameters


T = TypeVar("T", bound="UpdatePromptRequest")


@_attrs_define
class UpdatePromptRequest:
    """`PATCH /v1/prompts/{id}`: absent fields stay; `negative_prompt: null` clears it; `parameters`
    replaces all saved settings.

        Attributes:
            negative_prompt (None | str | Unset): Up to 2000 characters; line breaks and tabs allowed, no other control
                characters; trimmed, and blank clears it
            parameters (None | PromptParameters | Unset):
            prompt (None | str | Unset): 1–2000 characters, not blank; line breaks and tabs allowed, no other control
                characters; trimmed
            title (None | str | Unset): 1–120 characters on one line, not blank; no control characters; trimmed
    """

    negative_prompt: None | str | Unset = UNSET
    parameters: None | PromptParameters | Unset = UNSET
    prompt: None | str | Unset = UNSET
    title: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.prompt_parameters import PromptParameters

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        parameters: dict[str, Any] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, PromptParameters):
            parameters = self.parameters.to_dict()
        else:
            parameters = self.parameters

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.prompt_parameters import PromptParameters

        d = dict(src_dict)

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_parameters(data: object) -> None | PromptParameters | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                parameters_type_0 = PromptParameters.from_dict(data)

                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PromptParameters | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))

        def _parse_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        update_prompt_request = cls(
            negative_prompt=negative_prompt,
            parameters=parameters,
            prompt=prompt,
            title=title,
        )

        return update_prompt_request
