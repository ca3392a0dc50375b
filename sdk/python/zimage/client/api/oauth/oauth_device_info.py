from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.device_request_info import DeviceRequestInfo
from ...models.problem import Problem
from ...types import UNSET, Response


def _get_kwargs(
    *,
    user_code: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["user_code"] = user_code

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/oauth/device",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeviceRequestInfo | Problem | None:
    if response.status_code == 200:
        response_200 = DeviceRequestInfo.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[DeviceRequestInfo | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    user_code: str,
) -> Response[DeviceRequestInfo | Problem]:
    """For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

     For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

    Args:
        user_code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeviceRequestInfo | Problem]
    """

    kwargs = _get_kwargs(
        user_code=user_code,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    user_code: str,
) -> DeviceRequestInfo | Problem | None:
    """For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

     For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

    Args:
        user_code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeviceRequestInfo | Problem
    """

    return sync_detailed(
        client=client,
        user_code=user_code,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    user_code: str,
) -> Response[DeviceRequestInfo | Problem]:
    """For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

     For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

    Args:
        user_code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeviceRequestInfo | Problem]
    """

    kwargs = _get_kwargs(
        user_code=user_code,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    user_code: str,
) -> DeviceRequestInfo | Problem | None:
    """For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

     For the web app's device page: the app behind a user code and what it asks for. 404 when
    the code is unknown, expired or answered already. A signed-in browser session only.

    Args:
        user_code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeviceRequestInfo | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            user_code=user_code,
        )
    ).parsed
