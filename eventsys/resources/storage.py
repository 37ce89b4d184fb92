"""Where file bytes live. One small interface, so a deployment can move files to an
object store later; the default keeps them in the database (`stored_blobs`), so every
app host behind the load balancer sees the same files and one database backup holds
them. `EVENTSYS_FILE_STORAGE` picks the storage; only `database` exists today."""

from __future__ import annotations

import secrets
from typing import Protocol

from flask import current_app

from eventsys.extensions import db
from eventsys.resources.models import StoredBlob


class Storage(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...


class DatabaseStorage:
    """Bytes in a table, written in the request's transaction: a file and its record
    are committed (or rolled back) together."""

    def put(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        db.session.add(StoredBlob(key=key, data=data, size=len(data)))
        return key

    def get(self, key: str) -> bytes | None:
        blob = db.session.get(StoredBlob, key)
        return None if blob is None else blob.data

    def delete(self, key: str) -> None:
        blob = db.session.get(StoredBlob, key)
        if blob is not None:
            db.session.delete(blob)


STORAGES = {"database": DatabaseStorage}


def storage() -> Storage:
    return STORAGES[current_app.config.get("FILE_STORAGE", "database")]()
