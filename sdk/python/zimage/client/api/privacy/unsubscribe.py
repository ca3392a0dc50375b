from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response


def _get_kwargs(
    *,
    token: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["token"] = token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/unsubscribe",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    token: str,
) -> Response[Any | Problem]:
    """One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

     One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        token=token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    token: str,
) -> Any | Problem | None:
    """One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

     One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        client=client,
        token=token,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    token: str,
) -> Response[Any | Problem]:
    """One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

     One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        token=token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    token: str,
) -> Any | Problem | None:
    """One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

     One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
    sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            token=token,
        )
    ).parsed
