from http import HTTPStatus
from io import BytesIO
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.images_file_get_metadata import ImagesFileGetMetadata
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    metadata: ImagesFileGetMetadata | Unset = UNSET,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    if not isinstance(range_, Unset):
        headers["Range"] = range_

    params: dict[str, Any] = {}

    json_metadata: str | Unset = UNSET
    if not isinstance(metadata, Unset):
        json_metadata = metadata.value

    params["metadata"] = json_metadata

    params["expires"] = expires

    params["signature"] = signature

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/images/{id}/file".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 206:
        response_206 = File(payload=BytesIO(response.content))

        return response_206

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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

    if response.status_code == 416:
        response_416 = cast(Any, None)
        return response_416

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | File | Problem]:
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
    metadata: ImagesFileGetMetadata | Unset = UNSET,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

     Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

    Args:
        id (UUID):
        metadata (ImagesFileGetMetadata | Unset): What a downloaded original carries besides its
            pixels.
        expires (int | Unset):
        signature (str | Unset):
        if_none_match (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        metadata=metadata,
        expires=expires,
        signature=signature,
        if_none_match=if_none_match,
        range_=range_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    metadata: ImagesFileGetMetadata | Unset = UNSET,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

     Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

    Args:
        id (UUID):
        metadata (ImagesFileGetMetadata | Unset): What a downloaded original carries besides its
            pixels.
        expires (int | Unset):
        signature (str | Unset):
        if_none_match (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        metadata=metadata,
        expires=expires,
        signature=signature,
        if_none_match=if_none_match,
        range_=range_,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    metadata: ImagesFileGetMetadata | Unset = UNSET,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

     Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

    Args:
        id (UUID):
        metadata (ImagesFileGetMetadata | Unset): What a downloaded original carries besides its
            pixels.
        expires (int | Unset):
        signature (str | Unset):
        if_none_match (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        metadata=metadata,
        expires=expires,
        signature=signature,
        if_none_match=if_none_match,
        range_=range_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    metadata: ImagesFileGetMetadata | Unset = UNSET,
    expires: int | Unset = UNSET,
    signature: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

     Download an image's original file. With a bearer token it is recorded in your download
    history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
    token) it is always the file without metadata and is not recorded. Another user's id answers
    404.

    Args:
        id (UUID):
        metadata (ImagesFileGetMetadata | Unset): What a downloaded original carries besides its
            pixels.
        expires (int | Unset):
        signature (str | Unset):
        if_none_match (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            metadata=metadata,
            expires=expires,
            signature=signature,
            if_none_match=if_none_match,
            range_=range_,
        )
    ).parsed
