"""The suite's PostgreSQL backend: Django's, except that a flush deletes rows instead of truncating.

pytest-django empties every table after each ``django_db(transaction=True)`` test with
Django's ``flush``, which on PostgreSQL is one TRUNCATE of all ~100 tables: about 0.6 s,
whatever they hold, because each truncated table gets new files. A test leaves a handful
of rows, and ``DELETE FROM`` each table takes about 0.05 s for them. The foreign keys
Django makes are DEFERRABLE INITIALLY DEFERRED and the flush runs in one transaction, so
the order of the deletes does not matter: at the commit every table is empty.
Sequences are not reset, as the flush pytest-django asks for does not reset them either.
"""

from __future__ import annotations

from django.db.backends.postgresql import base, operations

# What every test starts with anyway, made again by post_migrate after each flush when gone
# (about 0.1 s): content types and permissions are kept, then post_migrate finds them there.
KEPT = {"django_content_type", "auth_permission"}


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        delete = style.SQL_KEYWORD("DELETE FROM")
        # One statement string, one round trip (psycopg runs several when there are no parameters).
        return [" ".join(f"{delete} {style.SQL_FIELD(self.quote_name(t))};" for t in tables if t not in KEPT)]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
