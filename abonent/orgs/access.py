"""Who works for an organisation: the one rule every back-office check outside the admin's own scoping asks.

The user is passed in and only read (`is_staff`, `organisation_id`): orgs is the lowest layer and knows nothing of
the users app, whose User carries these fields.
"""


def works_in_back_office(user) -> bool:
    """An active superuser, or an active operator (staff with an organisation). Staff with no organisation are
    operators of none: they were let in by mistake or have left, and see nothing."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.organisation_id is not None


def is_operator_of(user, organisation_id: int | None) -> bool:
    """May `user` act for the organisation in the back office: an active staff member of it, or a superuser."""
    if not works_in_back_office(user):
        return False
    return user.is_superuser or user.organisation_id == organisation_id


def is_staff_of(user, organisation_id: int | None) -> bool:
    """Is `user` a colleague in the organisation (someone an appeal or a request may be given to). A superuser
    is not everyone's colleague: work is assigned inside the organisation."""
    return bool(user.is_staff) and user.organisation_id is not None and user.organisation_id == organisation_id


def operator_organisation_filter(user) -> dict:
    """The filter keeping the rows an operator may open (by their `organisation`): none for a superuser, and an
    impossible one for staff without an organisation (organisation_id=None matches no account)."""
    return {} if user.is_superuser else {"organisation_id": user.organisation_id}
