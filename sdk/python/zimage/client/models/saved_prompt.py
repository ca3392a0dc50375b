from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.prompt_parameters import PromptParameters


T = TypeVar("T", bound="SavedPrompt")


@_attrs_define
class SavedPrompt:
    """A saved prompt (`GET /v1/prompts`).

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        parameters (PromptParameters): Generation settings saved with a prompt; every field is optional and absent ones
            are left to
            the model's defaults when the prompt is used.
        prompt (str):
        title (str):
        updated_at (datetime.datetime):
        negative_prompt (None | str | Unset):
    """

    created_at: datetime.datetime
    id: UUID
    parameters: PromptParameters
    prompt: str
    title: str
    updated_at: datetime.datetime
    negative_prompt: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        parameters = self.parameters.to_dict()

        prompt = self.prompt

        title = self.title

        updated_at = self.updated_at.isoformat()

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "parameters": parameters,
                "prompt": prompt,
                "title": title,
                "updated_at": updated_at,
            }
        )
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.prompt_parameters import PromptParameters

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        parameters = PromptParameters.from_dict(d.pop("parameters"))

        prompt = d.pop("prompt")

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        saved_prompt = cls(
            created_at=created_at,
            id=id,
            parameters=parameters,
            prompt=prompt,
            title=title,
            updated_at=updated_at,
            negative_prompt=negative_prompt,
        )

        saved_prompt.additional_properties = d
        return saved_prompt

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
