"""Where an import keeps what it has read until the snapshot is written: a temporary SQLite file.

A partner with 100k customers has about as many subscription files, and a customer's parts
(its subscriptions, fraud events, receivables...) come from files read in any order. Held in
Python they would take gigabytes; kept in an on-disk table keyed by customer they take a
bounded cache, and the snapshot is then written customer by customer. The table also keeps
each resource once: the first one read (files are read in sorted order) wins.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

_SCHEMA = """
CREATE TABLE customers (key TEXT PRIMARY KEY, seq INTEGER, body BLOB, file TEXT, pointer TEXT);
CREATE INDEX customers_in_order ON customers (seq);
CREATE TABLE aliases (alias TEXT PRIMARY KEY, key TEXT) WITHOUT ROWID;
CREATE TABLE items (customer TEXT, part TEXT, key TEXT, seq INTEGER, body BLOB, file TEXT,
                    pointer TEXT, PRIMARY KEY (customer, part, key)) WITHOUT ROWID;
CREATE TABLE unmatched (seq INTEGER PRIMARY KEY, customer TEXT, body BLOB);
CREATE TABLE sources (file TEXT PRIMARY KEY, body BLOB);
"""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a stored value was read: a file and a JSON pointer (or CSV row) in it."""

    file: str
    pointer: str


class Store:
    """Customers and their parts, on disk, in the order they were first read."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="checker-import-")
        self._db = sqlite3.connect(Path(self._directory.name) / "import.sqlite3",
                                   isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        # Keys are GUIDs, so inserts land all over the tables: the page cache (32 MiB, the
        # largest part of an import's memory) trades memory for time.
        self._db.execute("PRAGMA cache_size=-32768")
        self._db.executescript(_SCHEMA)
        self._db.execute("BEGIN")
        self._seq = 0

    def close(self) -> None:
        """Drop the table and its folder."""
        self._db.close()
        self._directory.cleanup()

    def _next(self) -> int:
        self._seq += 1
        if self._seq % 20_000 == 0:
            # Committed now and then, so that written pages leave the cache for the file.
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")
        return self._seq

    def add_customer(self, customer_id: str, body: dict[str, Any], origin: Origin) -> bool:
        """Keep a customer resource; False when one with this id was already kept."""
        key = customer_id.lower()
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO customers VALUES (?, ?, ?, ?, ?)",
            (key, self._next(), orjson.dumps(body), origin.file, origin.pointer))
        if cursor.rowcount == 0:
            return False
        profile = body.get("companyProfile")
        aliases = [key]
        if isinstance(profile, dict):
            aliases += [str(profile[k]).lower() for k in ("tenantId", "domain")
                        if isinstance(profile.get(k), str) and profile[k]]
        self._db.executemany("INSERT OR IGNORE INTO aliases VALUES (?, ?)",
                             [(alias, key) for alias in aliases])
        return True

    def resolve(self, reference: str) -> str | None:
        """The key of the customer a tenant id, customer id or domain names, if any."""
        row = self._db.execute("SELECT key FROM aliases WHERE alias = ?",
                               (reference.strip().lower(),)).fetchone()
        return None if row is None else str(row[0])

    def add_item(self, customer: str, part: str, key: str, body: Any, origin: Origin) -> bool:
        """Keep one part of a customer (``key`` unique within the part); False if kept before."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO items VALUES (?, ?, ?, ?, ?, ?, ?)",
            (customer.lower(), part, key, self._next(), orjson.dumps(body), origin.file,
             origin.pointer))
        return cursor.rowcount == 1

    def get_item(self, customer: str, part: str, key: str) -> tuple[Any, Origin] | None:
        """A part kept before, with where it was read."""
        row = self._db.execute(
            "SELECT body, file, pointer FROM items WHERE customer = ? AND part = ? AND key = ?",
            (customer.lower(), part, key)).fetchone()
        return None if row is None else (orjson.loads(row[0]), Origin(row[1], row[2]))

    def replace_item(self, customer: str, part: str, key: str, body: Any,
                     origin: Origin) -> None:
        """Keep this part instead of the one kept before (or for the first time)."""
        self._db.execute(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?)",
            (customer.lower(), part, key, self._next(), orjson.dumps(body), origin.file,
             origin.pointer))

    def add_unmatched(self, customer: str, record: dict[str, Any]) -> None:
        """A record that names a customer the customer list does not have."""
        self._db.execute("INSERT INTO unmatched VALUES (?, ?, ?)",
                         (self._next(), customer.lower(), orjson.dumps(record)))

    def add_source(self, file: str, record: dict[str, Any]) -> None:
        """Record a file read (its hash and what it held)."""
        self._db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)",
                         (file, orjson.dumps(record)))

    def sources(self) -> Iterator[dict[str, Any]]:
        """The files read, by name."""
        for (body,) in self._db.execute("SELECT body FROM sources ORDER BY file"):
            yield orjson.loads(body)

    def partner_items(self, part: str) -> Iterator[Any]:
        """Parts of the partner itself (kept under the empty customer), in reading order."""
        rows = self._db.execute("SELECT body FROM items WHERE customer = '' AND part = ? "
                                "ORDER BY seq", (part,))
        for (body,) in rows:
            yield orjson.loads(body)

    def customer_count(self) -> int:
        """How many customers were kept."""
        return int(self._db.execute("SELECT count(*) FROM customers").fetchone()[0])

    def customers(self) -> Iterator[tuple[str, dict[str, Any], Origin]]:
        """Every customer (key, resource, origin) in the order first read."""
        rows = self._db.execute("SELECT key, body, file, pointer FROM customers ORDER BY seq")
        for key, body, file, pointer in rows:
            yield key, orjson.loads(body), Origin(file, pointer)

    def parts(self, customer: str) -> Iterator[tuple[str, Any, Origin]]:
        """A customer's parts (part, value, origin), by part, in the order first read."""
        rows = self._db.execute(
            "SELECT part, body, file, pointer FROM items WHERE customer = ? "
            "ORDER BY part, seq", (customer,)).fetchall()
        for part, body, file, pointer in rows:
            yield part, orjson.loads(body), Origin(file, pointer)

    def orphans(self) -> Iterator[tuple[str, str, int, Origin]]:
        """Parts kept for customers not in the customer list.

        Yields (customer, part, how many, where the first one was read), by customer and part.
        """
        rows = self._db.execute(
            # SQLite takes the bare columns of an aggregate query from the row with min().
            "SELECT customer, part, count(*), min(seq), file, pointer FROM items WHERE "
            "customer <> '' AND customer NOT IN (SELECT key FROM customers) "
            "GROUP BY customer, part ORDER BY customer, part")
        for customer, part, count, _, file, pointer in rows.fetchall():
            yield str(customer), str(part), int(count), Origin(file, pointer)

    def unmatched(self) -> Iterator[dict[str, Any]]:
        """The unmatched records in the order found."""
        for (body,) in self._db.execute("SELECT body FROM unmatched ORDER BY seq"):
            yield orjson.loads(body)
