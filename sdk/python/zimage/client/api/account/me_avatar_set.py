from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.upload_form import UploadForm
from ...models.user import User
from ...types import Response


def _get_kwargs(
    *,
    body: UploadForm,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/me/avatar",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | User | None:
    if response.status_code == 200:
        response_200 = User.from_dict(response.json())

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
) -> Response[Problem | User]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadForm,
) -> Response[Problem | User]:
    """Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

     Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

    Args:
        body (UploadForm): The multipart form of an upload (a reference image, or a profile
            picture).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | User]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: UploadForm,
) -> Problem | User | None:
    """Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

     Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

    Args:
        body (UploadForm): The multipart form of an upload (a reference image, or a profile
            picture).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | User
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadForm,
) -> Response[Problem | User]:
    """Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

     Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

    Args:
        body (UploadForm): The multipart form of an upload (a reference image, or a profile
            picture).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | User]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: UploadForm,
) -> Problem | User | None:
    """Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

     Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
    is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
    re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
    is its signed URL. API keys need `profile:write`; pictures count against the upload budget
    (60 an hour).

    Args:
        body (UploadForm): The multipart form of an upload (a reference image, or a profile
            picture).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | User
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
