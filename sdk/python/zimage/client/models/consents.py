from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Consents")


@_attrs_define
class Consents:
    """Optional uses of your data (`GET/PUT /v1/me/consents`); both off unless you turn them on.
    Each answer is kept with its time; a change (given or withdrawn) is also logged as a security
    event.

        Attributes:
            marketing_email (bool): News and offers by e-mail (transactional mail is always sent).
            product_analytics (bool): Anonymous product usage statistics.
            answered_at (datetime.datetime | None | Unset): When you last answered (absent until you have): apps ask once
                per account, not once per
                browser. Read-only: ignored when sent.
    """

    marketing_email: bool
    product_analytics: bool
    answered_at: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        marketing_email = self.marketing_email

        product_analytics = self.product_analytics

        answered_at: None | str | Unset
        if isinstance(self.answered_at, Unset):
            answered_at = UNSET
        elif isinstance(self.answered_at, datetime.datetime):
            answered_at = self.answered_at.isoformat()
        else:
            answered_at = self.answered_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "marketing_email": marketing_email,
                "product_analytics": product_analytics,
            }
        )
        if answered_at is not UNSET:
            field_dict["answered_at"] = answered_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        marketing_email = d.pop("marketing_email")

        product_analytics = d.pop("product_analytics")

        def _parse_answered_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                answered_at_type_0 = datetime.datetime.fromisoformat(data)

                return answered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        answered_at = _parse_answered_at(d.pop("answered_at", UNSET))

        consents = cls(
            marketing_email=marketing_email,
            product_analytics=product_analytics,
            answered_at=answered_at,
        )

        return consents
