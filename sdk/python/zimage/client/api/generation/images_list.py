import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.images_list_aspect import ImagesListAspect
from ...models.images_list_sort import ImagesListSort
from ...models.page_gallery_image import PageGalleryImage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    favorite: bool | Unset = UNSET,
    model: str | Unset = UNSET,
    q: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    collection: UUID | Unset = UNSET,
    aspect: ImagesListAspect | Unset = UNSET,
    sort: ImagesListSort | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["limit"] = limit

    params["favorite"] = favorite

    params["model"] = model

    params["q"] = q

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    json_collection: str | Unset = UNSET
    if not isinstance(collection, Unset):
        json_collection = str(collection)
    params["collection"] = json_collection

    json_aspect: str | Unset = UNSET
    if not isinstance(aspect, Unset):
        json_aspect = aspect.value

    params["aspect"] = json_aspect

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/images",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageGalleryImage | Problem | None:
    if response.status_code == 200:
        response_200 = PageGalleryImage.from_dict(response.json())

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
) -> Response[PageGalleryImage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    favorite: bool | Unset = UNSET,
    model: str | Unset = UNSET,
    q: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    collection: UUID | Unset = UNSET,
    aspect: ImagesListAspect | Unset = UNSET,
    sort: ImagesListSort | Unset = UNSET,
) -> Response[PageGalleryImage | Problem]:
    """Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

     Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        favorite (bool | Unset):
        model (str | Unset):
        q (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        collection (UUID | Unset):
        aspect (ImagesListAspect | Unset): The shape of an image, for the gallery's filter.
        sort (ImagesListSort | Unset): The gallery's order.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageGalleryImage | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        favorite=favorite,
        model=model,
        q=q,
        from_=from_,
        to=to,
        collection=collection,
        aspect=aspect,
        sort=sort,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    favorite: bool | Unset = UNSET,
    model: str | Unset = UNSET,
    q: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    collection: UUID | Unset = UNSET,
    aspect: ImagesListAspect | Unset = UNSET,
    sort: ImagesListSort | Unset = UNSET,
) -> PageGalleryImage | Problem | None:
    """Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

     Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        favorite (bool | Unset):
        model (str | Unset):
        q (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        collection (UUID | Unset):
        aspect (ImagesListAspect | Unset): The shape of an image, for the gallery's filter.
        sort (ImagesListSort | Unset): The gallery's order.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageGalleryImage | Problem
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        limit=limit,
        favorite=favorite,
        model=model,
        q=q,
        from_=from_,
        to=to,
        collection=collection,
        aspect=aspect,
        sort=sort,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    favorite: bool | Unset = UNSET,
    model: str | Unset = UNSET,
    q: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    collection: UUID | Unset = UNSET,
    aspect: ImagesListAspect | Unset = UNSET,
    sort: ImagesListSort | Unset = UNSET,
) -> Response[PageGalleryImage | Problem]:
    """Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

     Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        favorite (bool | Unset):
        model (str | Unset):
        q (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        collection (UUID | Unset):
        aspect (ImagesListAspect | Unset): The shape of an image, for the gallery's filter.
        sort (ImagesListSort | Unset): The gallery's order.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageGalleryImage | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        favorite=favorite,
        model=model,
        q=q,
        from_=from_,
        to=to,
        collection=collection,
        aspect=aspect,
        sort=sort,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    favorite: bool | Unset = UNSET,
    model: str | Unset = UNSET,
    q: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    collection: UUID | Unset = UNSET,
    aspect: ImagesListAspect | Unset = UNSET,
    sort: ImagesListSort | Unset = UNSET,
) -> PageGalleryImage | Problem | None:
    """Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

     Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
    range, collection and shape, or list oldest first. Every filter narrows the others.

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        favorite (bool | Unset):
        model (str | Unset):
        q (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        collection (UUID | Unset):
        aspect (ImagesListAspect | Unset): The shape of an image, for the gallery's filter.
        sort (ImagesListSort | Unset): The gallery's order.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageGalleryImage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            limit=limit,
            favorite=favorite,
            model=model,
            q=q,
            from_=from_,
            to=to,
            collection=collection,
            aspect=aspect,
            sort=sort,
        )
    ).parsed
