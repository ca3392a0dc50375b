from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sso_start import SsoStart
from ...models.sso_start_request import SsoStartRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    provider: str,
    *,
    body: None | SsoStartRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/auth/sso/{provider}/start".format(
            provider=quote(str(provider), safe=""),
        ),
    }

    if isinstance(body, SsoStartRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SsoStart | None:
    if response.status_code == 200:
        response_200 = SsoStart.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | SsoStart]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    body: None | SsoStartRequest | Unset = UNSET,
) -> Response[Problem | SsoStart]:
    """Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

     Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

    Args:
        provider (str):
        body (None | SsoStartRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SsoStart]
    """

    kwargs = _get_kwargs(
        provider=provider,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    body: None | SsoStartRequest | Unset = UNSET,
) -> Problem | SsoStart | None:
    """Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

     Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

    Args:
        provider (str):
        body (None | SsoStartRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SsoStart
    """

    return sync_detailed(
        provider=provider,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    body: None | SsoStartRequest | Unset = UNSET,
) -> Response[Problem | SsoStart]:
    """Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

     Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

    Args:
        provider (str):
        body (None | SsoStartRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SsoStart]
    """

    kwargs = _get_kwargs(
        provider=provider,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    body: None | SsoStartRequest | Unset = UNSET,
) -> Problem | SsoStart | None:
    """Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

     Start signing in (or signing up) at an identity provider: answers the address to send the
    browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
    browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.

    Args:
        provider (str):
        body (None | SsoStartRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SsoStart
    """

    return (
        await asyncio_detailed(
            provider=provider,
            client=client,
            body=body,
        )
    ).parsed
