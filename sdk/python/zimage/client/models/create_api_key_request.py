from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.api_key_scope import ApiKeyScope
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateApiKeyRequest")


@_attrs_define
class CreateApiKeyRequest:
    """`POST /v1/me/api-keys`.

    Attributes:
        name (str): 1–64 characters on one line, not blank; no control characters; trimmed
        allowed_models (list[str] | None | Unset): The models (ids from `GET /v1/models`) the key may generate with; any
            when absent.
        daily_credit_limit (int | None | Unset): Most credits the key may spend in a UTC day (on generations it starts);
            no cap when
            absent.
        expires_at (datetime.datetime | None | Unset): When the key stops working (in the future, at most a year ahead);
            never when absent.
        monthly_credit_limit (int | None | Unset): Most credits the key may spend in a UTC calendar month; no cap when
            absent.
        scopes (list[ApiKeyScope] | Unset):
    """

    name: str
    allowed_models: list[str] | None | Unset = UNSET
    daily_credit_limit: int | None | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    monthly_credit_limit: int | None | Unset = UNSET
    scopes: list[ApiKeyScope] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        allowed_models: list[str] | None | Unset
        if isinstance(self.allowed_models, Unset):
            allowed_models = UNSET
        elif isinstance(self.allowed_models, list):
            allowed_models = self.allowed_models

        else:
            allowed_models = self.allowed_models

        daily_credit_limit: int | None | Unset
        if isinstance(self.daily_credit_limit, Unset):
            daily_credit_limit = UNSET
        else:
            daily_credit_limit = self.daily_credit_limit

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        monthly_credit_limit: int | None | Unset
        if isinstance(self.monthly_credit_limit, Unset):
            monthly_credit_limit = UNSET
        else:
            monthly_credit_limit = self.monthly_credit_limit

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = []
            for scopes_item_data in self.scopes:
                scopes_item = scopes_item_data.value
                scopes.append(scopes_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if allowed_models is not UNSET:
            field_dict["allowed_models"] = allowed_models
        if daily_credit_limit is not UNSET:
            field_dict["daily_credit_limit"] = daily_credit_limit
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if monthly_credit_limit is not UNSET:
            field_dict["monthly_credit_limit"] = monthly_credit_limit
        if scopes is not UNSET:
            field_dict["scopes"] = scopes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_allowed_models(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_models_type_0 = cast(list[str], data)

                return allowed_models_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        allowed_models = _parse_allowed_models(d.pop("allowed_models", UNSET))

        def _parse_daily_credit_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        daily_credit_limit = _parse_daily_credit_limit(
            d.pop("daily_credit_limit", UNSET)
        )

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_monthly_credit_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_credit_limit = _parse_monthly_credit_limit(
            d.pop("monthly_credit_limit", UNSET)
        )

        _scopes = d.pop("scopes", UNSET)
        scopes: list[ApiKeyScope] | Unset = UNSET
        if _scopes is not UNSET:
            scopes = []
            for scopes_item_data in _scopes:
                scopes_item = ApiKeyScope(scopes_item_data)

                scopes.append(scopes_item)

        create_api_key_request = cls(
            name=name,
            allowed_models=allowed_models,
            daily_credit_limit=daily_credit_limit,
            expires_at=expires_at,
            monthly_credit_limit=monthly_credit_limit,
            scopes=scopes,
        )

        return create_api_key_request
