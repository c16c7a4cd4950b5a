"""Removing demo data for `seed_demo --reset`, whatever later features have hung on it.

Billing, receipts, payments and appeals keep their rows with PROTECT foreign keys to accounts and users,
so deleting an organisation means deleting, children first, every row that depends on it. `purge` walks the
reverse relations of a queryset's model (the ones Django's delete collector would look at) and deletes in
sets with subqueries: no rows are loaded, so a synthetic city of 100 000 accounts goes as fast as a small one.
"""

from django.db import connections, models

MAX_DEPTH = 12


def purge(queryset: models.QuerySet, *, depth: int = 0, tables: set[str] | None = None) -> int:
    """Delete the rows of `queryset` and everything that depends on them; returns how many rows of it went."""
    if tables is None:
        # A model whose migration has not run yet (an app being written) has no table and so no rows to delete.
        tables = set(connections[queryset.db].introspection.table_names())
    if depth > MAX_DEPTH:
        raise RuntimeError(f"purge: too deep at {queryset.model.__name__} (a cycle of foreign keys?)")
    model = queryset.model
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if relation.related_model._meta.db_table not in tables:
            continue
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": queryset})
        on_delete = relation.on_delete
        if on_delete is models.DO_NOTHING:
            continue
        if on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        elif relation.related_model is model:
            # A tree inside one table (a reply to an appeal): detach it first so one statement removes it.
            if relation.field.null:
                related.update(**{relation.field.name: None})
        else:
            purge(related, depth=depth + 1, tables=tables)
    return queryset._raw_delete(queryset.db)
