from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.prompt_parameters import PromptParameters


T = TypeVar("T", bound="CreatePromptRequest")


@_attrs_define
class CreatePromptRequest:
    """`POST /v1/prompts`.

    Attributes:
        prompt (str): 1–2000 characters, not blank; line breaks and tabs allowed, no other control characters; trimmed
        title (str): 1–120 characters on one line, not blank; no control characters; trimmed
        negative_prompt (None | str | Unset): Up to 2000 characters; line breaks and tabs allowed, no other control
            characters; trimmed, and blank clears it
        parameters (PromptParameters | Unset): Generation settings saved with a prompt; every field is optional and
            absent ones are left to
            the model's defaults when the prompt is used.
    """

    prompt: str
    title: str
    negative_prompt: None | str | Unset = UNSET
    parameters: PromptParameters | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        title = self.title

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
                "title": title,
            }
        )
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.prompt_parameters import PromptParameters

        d = dict(src_dict)
        prompt = d.pop("prompt")

        title = d.pop("title")

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        _parameters = d.pop("parameters", UNSET)
        parameters: PromptParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = PromptParameters.from_dict(_parameters)

        create_prompt_request = cls(
            prompt=prompt,
            title=title,
            negative_prompt=negative_prompt,
            parameters=parameters,
        )

        return create_prompt_request
