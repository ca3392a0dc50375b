from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.locale import Locale
from ..models.role import Role
from ..models.theme import Theme
from ..types import UNSET, Unset

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """The signed-in user as returned by `GET /v1/me`.

    Attributes:
        created_at (datetime.datetime):
        email (str):
        email_verified (bool):
        id (UUID): Identifies a user account.
        locale (Locale): A supported interface language.
        referral_code (str): Share this code; sign-ups through it are credited to you.
        role (Role): Account role.
        theme (Theme): Colour scheme preference.
        avatar_url (None | str | Unset): The profile picture: the signed URL of the one uploaded with `PUT
            /v1/me/avatar` (valid
            for an hour or more; read the account again for a fresh one), or a linked `https://` URL.
        display_name (None | str | Unset):
        organization (None | str | Unset):
    """

    created_at: datetime.datetime
    email: str
    email_verified: bool
    id: UUID
    locale: Locale
    referral_code: str
    role: Role
    theme: Theme
    avatar_url: None | str | Unset = UNSET
    display_name: None | str | Unset = UNSET
    organization: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        email = self.email

        email_verified = self.email_verified

        id = str(self.id)

        locale = self.locale.value

        referral_code = self.referral_code

        role = self.role.value

        theme = self.theme.value

        avatar_url: None | str | Unset
        if isinstance(self.avatar_url, Unset):
            avatar_url = UNSET
        else:
            avatar_url = self.avatar_url

        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        organization: None | str | Unset
        if isinstance(self.organization, Unset):
            organization = UNSET
        else:
            organization = self.organization

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "email": email,
                "email_verified": email_verified,
                "id": id,
                "locale": locale,
                "referral_code": referral_code,
                "role": role,
                "theme": theme,
            }
        )
        if avatar_url is not UNSET:
            field_dict["avatar_url"] = avatar_url
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if organization is not UNSET:
            field_dict["organization"] = organization

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        email = d.pop("email")

        email_verified = d.pop("email_verified")

        id = UUID(d.pop("id"))

        locale = Locale(d.pop("locale"))

        referral_code = d.pop("referral_code")

        role = Role(d.pop("role"))

        theme = Theme(d.pop("theme"))

        def _parse_avatar_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        avatar_url = _parse_avatar_url(d.pop("avatar_url", UNSET))

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))

        def _parse_organization(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        organization = _parse_organization(d.pop("organization", UNSET))

        user = cls(
            created_at=created_at,
            email=email,
            email_verified=email_verified,
            id=id,
            locale=locale,
            referral_code=referral_code,
            role=role,
            theme=theme,
            avatar_url=avatar_url,
            display_name=display_name,
            organization=organization,
        )

        user.additional_properties = d
        return user

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
