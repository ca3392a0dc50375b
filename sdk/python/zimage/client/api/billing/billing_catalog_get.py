from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.catalog import Catalog
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    accept_language: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept_language, Unset):
        headers["Accept-Language"] = accept_language

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/billing/catalog",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Catalog | Problem | None:
    if response.status_code == 200:
        response_200 = Catalog.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Catalog | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    accept_language: None | str | Unset = UNSET,
) -> Response[Catalog | Problem]:
    """Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

     Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

    Args:
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Catalog | Problem]
    """

    kwargs = _get_kwargs(
        accept_language=accept_language,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    accept_language: None | str | Unset = UNSET,
) -> Catalog | Problem | None:
    """Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

     Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

    Args:
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Catalog | Problem
    """

    return sync_detailed(
        client=client,
        accept_language=accept_language,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    accept_language: None | str | Unset = UNSET,
) -> Response[Catalog | Problem]:
    """Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

     Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

    Args:
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Catalog | Problem]
    """

    kwargs = _get_kwargs(
        accept_language=accept_language,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    accept_language: None | str | Unset = UNSET,
) -> Catalog | Problem | None:
    """Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

     Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
    installation takes no payments. Names and descriptions come in the language of
    `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.

    Args:
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Catalog | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            accept_language=accept_language,
        )
    ).parsed
