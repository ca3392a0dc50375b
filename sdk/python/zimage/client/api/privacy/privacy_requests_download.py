from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["expires"] = expires

    params["signature"] = signature

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/privacy/requests/{id}/download".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[File | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
) -> Response[File | Problem]:
    """Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

     Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        expires=expires,
        signature=signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
) -> File | Problem | None:
    """Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

     Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        expires=expires,
        signature=signature,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
) -> Response[File | Problem]:
    """Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

     Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        expires=expires,
        signature=signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
) -> File | Problem | None:
    """Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

     Download a finished export (ZIP), signed in or through its signed `download_url` (which works
    for 10 minutes after it was listed; list the request again for a fresh one). The archive is
    kept for 7 days, then deleted.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            expires=expires,
            signature=signature,
        )
    ).parsed
