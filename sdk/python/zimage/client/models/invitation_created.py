from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.invitation import Invitation


T = TypeVar("T", bound="InvitationCreated")


@_attrs_define
class InvitationCreated:
    """`201` answer of `POST /v1/admin/invitations`: the link is shown this once.

    Attributes:
        invitation (Invitation): An invitation as administrators see it (`GET /v1/admin/invitations`).
        link (str): The sign-up link carrying the invitation; only its SHA-256 is kept.
        mailed (bool): Whether the link was mailed to `email`.
    """

    invitation: Invitation
    link: str
    mailed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        invitation = self.invitation.to_dict()

        link = self.link

        mailed = self.mailed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "invitation": invitation,
                "link": link,
                "mailed": mailed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.invitation import Invitation

        d = dict(src_dict)
        invitation = Invitation.from_dict(d.pop("invitation"))

        link = d.pop("link")

        mailed = d.pop("mailed")

        invitation_created = cls(
            invitation=invitation,
            link=link,
            mailed=mailed,
        )

        invitation_created.additional_properties = d
        return invitation_created

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
