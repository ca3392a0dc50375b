from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.provider_stats import ProviderStats
    from ..models.revenue import Revenue
    from ..models.unmatched_refund import UnmatchedRefund


T = TypeVar("T", bound="Dashboard")


@_attrs_define
class Dashboard:
    """`GET /v1/admin/dashboard`: the period's figures. Usage figures leave out accounts that
    restricted or objected to processing; money figures are bookkeeping and count everyone.

        Attributes:
            credits_sold (int):
            credits_spent (int):
            excluded_accounts (int): Accounts left out of the usage figures.
            from_ (datetime.datetime):
            generations (int):
            generations_failed (int):
            providers (list[ProviderStats]):
            revenue (list[Revenue]):
            signups (int):
            to (datetime.datetime):
            unmatched_refunds (list[UnmatchedRefund]): Refunds Stripe reported that have matched no payment here for more
                than a day (at most
                50, oldest first): made outside this platform, or for a payment it never recorded. They
                are dropped after 90 days.
    """

    credits_sold: int
    credits_spent: int
    excluded_accounts: int
    from_: datetime.datetime
    generations: int
    generations_failed: int
    providers: list[ProviderStats]
    revenue: list[Revenue]
    signups: int
    to: datetime.datetime
    unmatched_refunds: list[UnmatchedRefund]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        credits_sold = self.credits_sold

        credits_spent = self.credits_spent

        excluded_accounts = self.excluded_accounts

        from_ = self.from_.isoformat()

        generations = self.generations

        generations_failed = self.generations_failed

        providers = []
        for providers_item_data in self.providers:
            providers_item = providers_item_data.to_dict()
            providers.append(providers_item)

        revenue = []
        for revenue_item_data in self.revenue:
            revenue_item = revenue_item_data.to_dict()
            revenue.append(revenue_item)

        signups = self.signups

        to = self.to.isoformat()

        unmatched_refunds = []
        for unmatched_refunds_item_data in self.unmatched_refunds:
            unmatched_refunds_item = unmatched_refunds_item_data.to_dict()
            unmatched_refunds.append(unmatched_refunds_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credits_sold": credits_sold,
                "credits_spent": credits_spent,
                "excluded_accounts": excluded_accounts,
                "from": from_,
                "generations": generations,
                "generations_failed": generations_failed,
                "providers": providers,
                "revenue": revenue,
                "signups": signups,
                "to": to,
                "unmatched_refunds": unmatched_refunds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.provider_stats import ProviderStats
        from ..models.revenue import Revenue
        from ..models.unmatched_refund import UnmatchedRefund

        d = dict(src_dict)
        credits_sold = d.pop("credits_sold")

        credits_spent = d.pop("credits_spent")

        excluded_accounts = d.pop("excluded_accounts")

        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        generations = d.pop("generations")

        generations_failed = d.pop("generations_failed")

        providers = []
        _providers = d.pop("providers")
        for providers_item_data in _providers:
            providers_item = ProviderStats.from_dict(providers_item_data)

            providers.append(providers_item)

        revenue = []
        _revenue = d.pop("revenue")
        for revenue_item_data in _revenue:
            revenue_item = Revenue.from_dict(revenue_item_data)

            revenue.append(revenue_item)

        signups = d.pop("signups")

        to = datetime.datetime.fromisoformat(d.pop("to"))

        unmatched_refunds = []
        _unmatched_refunds = d.pop("unmatched_refunds")
        for unmatched_refunds_item_data in _unmatched_refunds:
            unmatched_refunds_item = UnmatchedRefund.from_dict(
                unmatched_refunds_item_data
            )

            unmatched_refunds.append(unmatched_refunds_item)

        dashboard = cls(
            credits_sold=credits_sold,
            credits_spent=credits_spent,
            excluded_accounts=excluded_accounts,
            from_=from_,
            generations=generations,
            generations_failed=generations_failed,
            providers=providers,
            revenue=revenue,
            signups=signups,
            to=to,
            unmatched_refunds=unmatched_refunds,
        )

        dashboard.additional_properties = d
        return dashboard

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
