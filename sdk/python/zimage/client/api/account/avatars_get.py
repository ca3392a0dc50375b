from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


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
        "url": "/v1/avatars/{id}".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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
) -> Response[Any | Problem]:
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
) -> Response[Any | Problem]:
    """A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

     A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
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
) -> Any | Problem | None:
    """A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

     A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
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
) -> Response[Any | Problem]:
    """A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

     A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
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
) -> Any | Problem | None:
    """A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

     A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
    works without a bearer token; with one, only the caller's own picture.

    Args:
        id (UUID):
        expires (int | Unset):
        signature (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            expires=expires,
            signature=signature,
        )
    ).parsed
