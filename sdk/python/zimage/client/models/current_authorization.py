from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_key_scope import ApiKeyScope
from ..types import UNSET, Unset

T = TypeVar("T", bound="CurrentAuthorization")


@_attrs_define
class CurrentAuthorization:
    """What a user has allowed an app so far.

    Attributes:
        scopes (list[ApiKeyScope]): Every scope allowed so far (each sign-in's tokens keep to what was allowed for it).
        monthly_credit_limit (int | None | Unset):
    """

    scopes: list[ApiKeyScope]
    monthly_credit_limit: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        monthly_credit_limit: int | None | Unset
        if isinstance(self.monthly_credit_limit, Unset):
            monthly_credit_limit = UNSET
        else:
            monthly_credit_limit = self.monthly_credit_limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scopes": scopes,
            }
        )
        if monthly_credit_limit is not UNSET:
            field_dict["monthly_credit_limit"] = monthly_credit_limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ApiKeyScope(scopes_item_data)

            scopes.append(scopes_item)

        def _parse_monthly_credit_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_credit_limit = _parse_monthly_credit_limit(
            d.pop("monthly_credit_limit", UNSET)
        )

        current_authorization = cls(
            scopes=scopes,
            monthly_credit_limit=monthly_credit_limit,
        )

        current_authorization.additional_properties = d
        return current_authorization

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
