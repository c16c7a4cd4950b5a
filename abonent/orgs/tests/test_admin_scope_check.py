"""The back office refuses a model it does not know how to keep inside an organisation.

A model added to the admin without a road to its organisation (register_org_path) or a reason to be shown whole
(register_unscoped) would list every organisation's rows to every operator. The system check names it at
start-up, and scope_queryset refuses it at request time.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from abonent.housing.models import Building, PersonalAccount
from abonent.orgs import admin_scope
from abonent.orgs.admin_scope import OrgScopedAdmin, check_admin_scoping, scope_queryset
from abonent.testing import factories as f

# A model the back office does not show (and that has no organisation): the dummy admins below register it.
DUMMY = "auth.Permission"


@pytest.fixture
def dummy_site():
    site = admin.AdminSite(name="dummy_scope_check")
    yield site
    for model in list(site._registry):
        site.unregister(model)


def _errors_about(label: str) -> list[tuple[str, str]]:
    return [(e.id, e.msg) for e in check_admin_scoping() if label in e.msg]


def test_every_model_of_the_back_office_has_a_road_or_a_reason():
    assert check_admin_scoping() == []


def test_a_plain_admin_of_an_unknown_model_is_an_error(dummy_site):
    assert DUMMY not in admin_scope.ORG_PATHS and DUMMY not in admin_scope.UNSCOPED
    dummy_site.register(Permission)
    ids = {error_id for error_id, _ in _errors_about(DUMMY)}
    assert ids == {"orgs.E001", "orgs.E003"}


def test_a_scoped_admin_with_a_road_that_leads_nowhere_is_an_error(dummy_site):
    class PermissionAdmin(OrgScopedAdmin):
        org_path = "organisation"  # the default road; a permission has no organisation

    dummy_site.register(Permission, PermissionAdmin)
    errors = _errors_about(DUMMY)
    assert [error_id for error_id, _ in errors] == ["orgs.E002"]
    assert "нет поля «organisation»" in errors[0][1]


def test_a_scoped_admin_with_a_real_road_passes(dummy_site):
    class HouseAdmin(OrgScopedAdmin):
        org_path = "organisation"

    dummy_site.register(Building, HouseAdmin)
    assert _errors_about("housing.Building") == []


def test_a_model_marked_unscoped_with_a_reason_passes(dummy_site, monkeypatch):
    monkeypatch.setitem(admin_scope.UNSCOPED, DUMMY, "для проверки")
    dummy_site.register(Permission)
    assert _errors_about(DUMMY) == []


def test_a_road_registered_with_a_typo_is_an_error(monkeypatch):
    monkeypatch.setitem(admin_scope.ORG_PATHS, DUMMY, ("content_type__organisation",))
    assert [error_id for error_id, _ in _errors_about(DUMMY)] == ["orgs.E002"]


@pytest.mark.django_db
def test_scope_queryset_refuses_an_unknown_model_for_an_operator(monkeypatch):
    request = RequestFactory().get("/admin/")
    request.user = f.OperatorFactory()
    with pytest.raises(ImproperlyConfigured, match=DUMMY):
        scope_queryset(Permission.objects.all(), request)
    monkeypatch.setitem(admin_scope.UNSCOPED, DUMMY, "для проверки")
    assert scope_queryset(Permission.objects.all(), request).query.where.children == []


@pytest.mark.django_db
def test_scope_queryset_limits_a_known_model_to_the_operators_organisation():
    operator = f.OperatorFactory()
    mine = f.PersonalAccountFactory(premises__building__organisation=operator.organisation)
    other = f.PersonalAccountFactory()
    request = RequestFactory().get("/admin/")
    request.user = operator
    accounts = scope_queryset(PersonalAccount.objects.filter(pk__in=[mine.pk, other.pk]), request)
    assert list(accounts) == [mine]
