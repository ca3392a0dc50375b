from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Consents")


@_attrs_define
class Consents:
    """Optional uses of your data (`GET/PUT /v1/me/consents`); both off unless you turn them on.

    Attributes:
        marketing_email (bool): News and offers by e-mail (transactional mail is always sent).
        product_analytics (bool): Anonymous product usage statistics.
    """

    marketing_email: bool
    product_analytics: bool

    def to_dict(self) -> dict[str, Any]:
        marketing_email = self.marketing_email

        product_analytics = self.product_analytics

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "marketing_email": marketing_email,
                "product_analytics": product_analytics,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        marketing_email = d.pop("marketing_email")

        product_analytics = d.pop("product_analytics")

        consents = cls(
            marketing_email=marketing_email,
            product_analytics=product_analytics,
        )

        return consents
