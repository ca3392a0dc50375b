from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.privacy_request_kind import PrivacyRequestKind
from ..models.privacy_request_status import PrivacyRequestStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="PrivacyRequest")


@_attrs_define
class PrivacyRequest:
    """A data-rights request and its deadline.

    Attributes:
        due_at (datetime.datetime): We answer by this time: 30 days after the request arrived.
        id (UUID):
        kind (PrivacyRequestKind): What a data-rights request asks for.
        received_at (datetime.datetime):
        status (PrivacyRequestStatus): Where a data-rights request stands.
        archive_bytes (int | None | Unset): Export: the archive's size in bytes once built.
        completed_at (datetime.datetime | None | Unset):
        download_expires_at (datetime.datetime | None | Unset): Export: when the archive is deleted.
        download_url (None | str | Unset): Export: a link that downloads the archive without a token, valid for 10
            minutes (fetch the
            request again for a fresh one).
        error (None | str | Unset): Why the request failed, if it did.
        note (None | str | Unset):
        purge_after (datetime.datetime | None | Unset): Erasure: when the account will be deleted (sign in with
            `keep_account` before to cancel).
    """

    due_at: datetime.datetime
    id: UUID
    kind: PrivacyRequestKind
    received_at: datetime.datetime
    status: PrivacyRequestStatus
    archive_bytes: int | None | Unset = UNSET
    completed_at: datetime.datetime | None | Unset = UNSET
    download_expires_at: datetime.datetime | None | Unset = UNSET
    download_url: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    note: None | str | Unset = UNSET
    purge_after: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        due_at = self.due_at.isoformat()

        id = str(self.id)

        kind = self.kind.value

        received_at = self.received_at.isoformat()

        status = self.status.value

        archive_bytes: int | None | Unset
        if isinstance(self.archive_bytes, Unset):
            archive_bytes = UNSET
        else:
            archive_bytes = self.archive_bytes

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        download_expires_at: None | str | Unset
        if isinstance(self.download_expires_at, Unset):
            download_expires_at = UNSET
        elif isinstance(self.download_expires_at, datetime.datetime):
            download_expires_at = self.download_expires_at.isoformat()
        else:
            download_expires_at = self.download_expires_at

        download_url: None | str | Unset
        if isinstance(self.download_url, Unset):
            download_url = UNSET
        else:
            download_url = self.download_url

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        purge_after: None | str | Unset
        if isinstance(self.purge_after, Unset):
            purge_after = UNSET
        elif isinstance(self.purge_after, datetime.datetime):
            purge_after = self.purge_after.isoformat()
        else:
            purge_after = self.purge_after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "due_at": due_at,
                "id": id,
                "kind": kind,
                "received_at": received_at,
                "status": status,
            }
        )
        if archive_bytes is not UNSET:
            field_dict["archive_bytes"] = archive_bytes
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if download_expires_at is not UNSET:
            field_dict["download_expires_at"] = download_expires_at
        if download_url is not UNSET:
            field_dict["download_url"] = download_url
        if error is not UNSET:
            field_dict["error"] = error
        if note is not UNSET:
            field_dict["note"] = note
        if purge_after is not UNSET:
            field_dict["purge_after"] = purge_after

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        id = UUID(d.pop("id"))

        kind = PrivacyRequestKind(d.pop("kind"))

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        status = PrivacyRequestStatus(d.pop("status"))

        def _parse_archive_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        archive_bytes = _parse_archive_bytes(d.pop("archive_bytes", UNSET))

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_download_expires_at(
            data: object,
        ) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                download_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return download_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        download_expires_at = _parse_download_expires_at(
            d.pop("download_expires_at", UNSET)
        )

        def _parse_download_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        download_url = _parse_download_url(d.pop("download_url", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        def _parse_purge_after(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                purge_after_type_0 = datetime.datetime.fromisoformat(data)

                return purge_after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        purge_after = _parse_purge_after(d.pop("purge_after", UNSET))

        privacy_request = cls(
            due_at=due_at,
            id=id,
            kind=kind,
            received_at=received_at,
            status=status,
            archive_bytes=archive_bytes,
            completed_at=completed_at,
            download_expires_at=download_expires_at,
            download_url=download_url,
            error=error,
            note=note,
            purge_after=purge_after,
        )

        privacy_request.additional_properties = d
        return privacy_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
