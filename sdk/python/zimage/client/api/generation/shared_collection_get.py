from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.shared_collection import SharedCollection
from ...types import UNSET, Response, Unset


def _get_kwargs(
    token: str,
    *,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/shared-collections/{token}".format(
            token=quote(str(token), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SharedCollection | None:
    if response.status_code == 200:
        response_200 = SharedCollection.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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
) -> Response[Problem | SharedCollection]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[Problem | SharedCollection]:
    """A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

     A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

    Args:
        token (str):
        cursor (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SharedCollection]
    """

    kwargs = _get_kwargs(
        token=token,
        cursor=cursor,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Problem | SharedCollection | None:
    """A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

     A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

    Args:
        token (str):
        cursor (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SharedCollection
    """

    return sync_detailed(
        token=token,
        client=client,
        cursor=cursor,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[Problem | SharedCollection]:
    """A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

     A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

    Args:
        token (str):
        cursor (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SharedCollection]
    """

    kwargs = _get_kwargs(
        token=token,
        cursor=cursor,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Problem | SharedCollection | None:
    """A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

     A shared collection as anyone with its link sees it: name, description, image count and a
    page of its images (newest first; prompts only if the owner opted in). No account needed.
    Unknown and revoked links answer 404 alike.

    Args:
        token (str):
        cursor (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SharedCollection
    """

    return (
        await asyncio_detailed(
            token=token,
            client=client,
            cursor=cursor,
            limit=limit,
        )
    ).parsed
