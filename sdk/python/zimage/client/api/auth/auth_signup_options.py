from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.signup_options import SignupOptions
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    invitation: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["invitation"] = invitation

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/auth/signup-options",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SignupOptions | None:
    if response.status_code == 200:
        response_200 = SignupOptions.from_dict(response.json())

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
) -> Response[Problem | SignupOptions]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    invitation: str | Unset = UNSET,
) -> Response[Problem | SignupOptions]:
    """Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

     Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

    Args:
        invitation (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SignupOptions]
    """

    kwargs = _get_kwargs(
        invitation=invitation,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    invitation: str | Unset = UNSET,
) -> Problem | SignupOptions | None:
    """Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

     Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

    Args:
        invitation (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SignupOptions
    """

    return sync_detailed(
        client=client,
        invitation=invitation,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    invitation: str | Unset = UNSET,
) -> Response[Problem | SignupOptions]:
    """Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

     Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

    Args:
        invitation (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SignupOptions]
    """

    kwargs = _get_kwargs(
        invitation=invitation,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    invitation: str | Unset = UNSET,
) -> Problem | SignupOptions | None:
    """Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

     Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
    `allowed_domains`), and whether the invitation in a link can still be used and for which
    address.

    Args:
        invitation (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SignupOptions
    """

    return (
        await asyncio_detailed(
            client=client,
            invitation=invitation,
        )
    ).parsed
