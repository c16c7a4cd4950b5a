"""seed_demo and demo_logins on the test database: what a newcomer sees after `make run`."""

import datetime as dt
import hashlib
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from abonent.billing.models import AccountServiceOff, BillingPeriod, Charge, Norm, Service, Tariff
from abonent.demo.logins import ADMIN, DEMO_LOGINS, DEMO_SUBSCRIBER, OPERATOR, VODOKANAL_OPERATOR
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.lib.numbers import money
from abonent.metering.models import Meter, Reading
from abonent.orgs.dates import add_months, month_start
from abonent.orgs.models import Organisation
from abonent.orgs.services import OPERATORS_GROUP
from abonent.testing.factories import OrganisationFactory
from abonent.users.models import AccountLink

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# One month of history keeps these tests quick; the full year is checked once, in test_history.py.
@pytest.fixture
def demo():
    seed("--verbosity", "0", "--months", "1")
    return {org.code: org for org in Organisation.objects.all()}


def digest() -> str:
    """Everything generated, without database ids: equal digests mean equal demo data."""
    rows = []
    for a in PersonalAccount.objects.select_related("organisation", "premises__building").order_by(
        "organisation__code", "number"
    ):
        p = a.premises
        rows.append(
            (a.organisation.code, a.number, a.payer_name, a.activation_code, str(a.opened_on), p.building.address)
            + (p.number, p.kind, str(p.total_area), p.ownership, p.residents)
        )
    for m in Meter.objects.order_by("serial_number"):
        rows.append((m.serial_number, m.resource, str(m.installed_on), str(m.verification_due), str(m.initial_value)))
    for t in Tariff.objects.select_related("service__organisation").order_by("service__organisation__code", "price"):
        rows.append((t.service.organisation.code, t.service.code, str(t.valid_from), str(t.valid_to), str(t.price)))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_two_organisations_with_about_a_hundred_accounts_each(demo):
    assert set(demo) == {"vodokanal", "uk"}
    for org in demo.values():
        org.full_clean()  # requisites, bank keys and the readings window all pass the validators
        count = PersonalAccount.objects.filter(organisation=org).count()
        assert 90 <= count <= 110
        numbers = PersonalAccount.objects.filter(organisation=org).values_list("number", flat=True)
        assert all(re.fullmatch(r"\d{9,10}", n) for n in numbers)
        codes = PersonalAccount.objects.filter(organisation=org).values_list("activation_code", flat=True)
        assert all(re.fullmatch(r"\d{4}-\d{4}-\d{4}", c) for c in codes)
    vodokanal, uk = demo["vodokanal"], demo["uk"]
    assert (vodokanal.timezone, vodokanal.readings_first_day, vodokanal.readings_last_day) == (
        "Europe/Ulyanovsk",
        7,
        25,
    )
    assert vodokanal.receipt_issue_day == 5
    assert "с 8:00 до 18:00" in vodokanal.office_hours
    assert uk.timezone == "Asia/Yekaterinburg" and uk.notice
    # The vodokanal serves mostly private houses, and a few apartment blocks.
    houses = Premises.objects.filter(building__organisation=vodokanal, kind=Premises.Kind.HOUSE).count()
    flats = Premises.objects.filter(building__organisation=vodokanal, kind=Premises.Kind.FLAT).count()
    assert houses > flats > 0
    assert Building.objects.filter(organisation=uk, address__startswith="г. Уфа, ").count() == 4


def test_services_like_the_seeds(demo):
    def methods(org):
        return dict(Service.objects.filter(organisation=org).values_list("code", "method"))

    assert methods(demo["vodokanal"]) == {
        "cold_water": Service.Method.METER,
        "sewerage": Service.Method.SEWERAGE,
        "liquid_waste": Service.Method.SEWERAGE,  # вывоз ЖБО: the volume of the water used, as seed 000 bills it
    }
    uk = methods(demo["uk"])
    assert uk["maintenance"] == uk["repair"] == Service.Method.AREA
    assert Service.objects.get(organisation=demo["uk"], code="heating").unit == Service.Unit.GCAL
    assert [c for c, m in uk.items() if m == Service.Method.COMMON_HOUSE] == [
        "common_cold",
        "common_hot",
        "common_power",
    ]
    for service in Service.objects.all():
        service.full_clean()
    heating_norm = Norm.objects.get(service__organisation=demo["uk"], service__code="heating")
    assert heating_norm.basis == Norm.Basis.PER_M2


def test_some_accounts_do_not_receive_a_service_and_the_history_does_not_charge_it(demo):
    rows = AccountServiceOff.objects.select_related("account__premises", "service")
    vodokanal = [r for r in rows if r.service.organisation_id == demo["vodokanal"].pk]
    uk = [r for r in rows if r.service.organisation_id == demo["uk"].pk]
    # private houses without sewerage (one connected since), a flat without hot water, one off the heating
    no_sewer = [r for r in vodokanal if r.service.code == "sewerage"]
    assert len(no_sewer) == 5 and all(r.account.premises.kind == Premises.Kind.HOUSE for r in no_sewer)
    # вывоз ЖБО off everywhere but at the four septic tanks (and at the connected house since its connection)
    accounts = PersonalAccount.objects.filter(organisation=demo["vodokanal"])
    no_tank = [r for r in vodokanal if r.service.code == "liquid_waste"]
    assert len(no_tank) == accounts.count() - 4 and len(vodokanal) == len(no_sewer) + len(no_tank)
    connected = next(r for r in no_sewer if r.until is not None)
    assert [r.since for r in no_tank if r.account_id == connected.account_id] == [connected.until + dt.timedelta(1)]
    assert sorted(r.service.code for r in uk) == ["heating", "hot_water"]
    published = BillingPeriod.objects.filter(state=BillingPeriod.State.PUBLISHED)
    for row in rows:
        row.full_clean()
        if row.until is None:
            charged = Charge.objects.filter(account=row.account, period__in=published)
            assert charged.exists()  # the account's other services are charged
            assert not charged.filter(service=row.service, period__month__gte=month_start(row.since)).exists()


def test_septic_tank_houses_pay_liquid_waste_by_their_water_and_see_it_like_other_services(demo, client):
    septic = [
        r.account
        for r in AccountServiceOff.objects.filter(service__code="sewerage", until__isnull=True).select_related(
            "account"
        )
    ]
    period = BillingPeriod.objects.get(organisation=demo["vodokanal"], state=BillingPeriod.State.PUBLISHED)
    lines = Charge.objects.filter(period=period).select_related("service")
    for account in septic:
        mine = {c.service.code: c for c in lines.filter(account=account)}
        assert set(mine) == {"cold_water", "liquid_waste"}
        waste, water = mine["liquid_waste"], mine["cold_water"]
        # the water used, without the multiplying factor of a house without a meter (none on ЖБО, ПП РФ № 354)
        used = water.volume / water.factor if water.basis == Charge.Basis.NORM_FACTOR else water.volume
        assert waste.volume == used and waste.amount == (waste.volume * waste.price).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    # nobody on the sewer pays вывоз ЖБО
    waste_payers = set(lines.filter(service__code="liquid_waste").values_list("account_id", flat=True))
    assert waste_payers == {a.pk for a in septic}

    account = septic[0]
    waste = lines.get(account=account, service__code="liquid_waste")
    user = User.objects.create_user("septic", password="x")
    AccountLink.objects.create(user=user, account=account, method=AccountLink.Method.OPERATOR)
    client.force_login(user)
    shown = money(waste.amount)
    for url in (
        reverse("billing:card", args=[account.pk]),
        reverse("billing:debt", args=[account.pk]),
        reverse("receipts:print", args=[account.pk, f"{period.month:%Y-%m}"]),
    ):
        page = client.get(url).content.decode()
        assert "Вывоз ЖБО" in page and shown in page, url


def test_tariffs_change_on_first_of_july_and_do_not_overlap(demo):
    for service in Service.objects.all():
        year = service.organisation.today().year
        tariffs = list(service.tariffs.order_by("valid_from"))
        assert [(t.valid_from, t.valid_to) for t in tariffs] == [
            (dt.date(year, 1, 1), dt.date(year, 6, 30)),
            (dt.date(year, 7, 1), None),
        ]
        assert tariffs[1].price > tariffs[0].price
        for tariff in tariffs:
            tariff.full_clean()  # the overlap check of the model finds no clash


def test_meters_realistic_some_expired_some_missing(demo):
    for code, org in demo.items():
        today = org.today()
        meters = Meter.objects.filter(premises__building__organisation=org)
        assert meters.filter(verification_due__lt=today).exists(), code
        assert meters.filter(verification_due__gte=today, verification_due__lte=today + dt.timedelta(days=365)).exists()
        assert not meters.filter(installed_on__gt=today).exists()
        # Some premises have no cold water meter and are billed by the norm.
        without = Premises.objects.filter(building__organisation=org).exclude(meters__resource="cold_water")
        assert without.exists(), code
    water = Meter.objects.filter(resource="cold_water").first()
    assert (water.digits_before, water.digits_after) == (5, 3)
    assert Meter.objects.filter(building__organisation=demo["uk"]).count() == 4 * 4  # ОДПУ on every building
    for meter in Meter.objects.all()[:50]:
        meter.full_clean()


def test_open_period_is_the_current_month_of_each_organisation(demo):
    for org in demo.values():
        current = month_start(org.today())
        periods = list(BillingPeriod.objects.filter(organisation=org).order_by("month"))
        # The month before the current one is the history's, closed and published by the engine.
        assert [(p.month, p.state) for p in periods] == [
            (add_months(current, -1), BillingPeriod.State.PUBLISHED),
            (current, BillingPeriod.State.OPEN),
        ]


def test_demo_logins_work_and_are_scoped(demo):
    for login in DEMO_LOGINS:
        # Through the real backends, with a request as a login form passes one.
        user = authenticate(RequestFactory().post("/admin/login/"), username=login.username, password=login.password)
        assert user is not None, login.username
        assert not user.check_password(login.password + "x")
    admin = User.objects.get(username=ADMIN.username)
    assert admin.is_superuser and admin.is_staff
    for login, code in ((OPERATOR, "uk"), (VODOKANAL_OPERATOR, "vodokanal")):
        user = User.objects.get(username=login.username)
        assert user.is_staff and not user.is_superuser and user.is_operator
        assert user.organisation == demo[code]
        assert user.groups.filter(name=OPERATORS_GROUP).exists()
        assert user.has_perm("billing.change_tariff")
    subscriber = User.objects.get(username=DEMO_SUBSCRIBER.username)
    assert not subscriber.is_staff
    links = AccountLink.objects.filter(user=subscriber)
    assert sorted(link.account.organisation.code for link in links) == ["uk", "vodokanal"]
    assert {link.method for link in links} == {AccountLink.Method.OPERATOR}


def test_demo_logins_command_prints_logins_urls_and_accounts(demo):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/admin/" in text
    for login in DEMO_LOGINS:
        assert f"{login.username:<10} / {login.password}" in text
    for link in AccountLink.objects.filter(user__username="demo"):
        assert link.account.number in text
    assert "нет в базе" not in text


def test_demo_logins_on_an_empty_database_says_what_to_do():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "нет в базе: запустите seed_demo" in out.getvalue()


def test_if_empty_does_nothing_the_second_time(demo):
    before = digest()
    out = seed("--if-empty")
    assert "демо-данные не создаются" in out
    assert digest() == before and Organisation.objects.count() == 2


def test_refuses_a_non_empty_database_without_reset(demo):
    before = digest()
    with pytest.raises(CommandError, match="База не пуста.*--reset"):
        seed()
    assert digest() == before


def test_refuses_when_a_demo_username_is_taken():
    User.objects.create_user(username="admin", password="своё-2026")
    with pytest.raises(CommandError, match="База не пуста"):
        seed()
    assert not Organisation.objects.exists()
    assert seed("--if-empty").startswith("В базе уже есть данные")


def test_reset_gives_the_same_data_even_with_dependent_rows(demo):
    before = digest()
    # Rows other features hang on the demo data (PROTECT foreign keys) must not block a reset.
    meter = Meter.objects.filter(premises__isnull=False).first()
    Reading.objects.create(
        meter=meter, period=dt.date(2026, 1, 1), value=1, submitted_at=timezone.now(), channel="portal"
    )
    admin = User.objects.get(username="admin")
    LogEntry.objects.create(user=admin, object_repr="x", action_flag=ADDITION)
    other = OrganisationFactory()
    readings = Reading.objects.count()
    seed("--reset", "--verbosity", "0", "--months", "1")
    assert digest() == before
    assert Reading.objects.count() == readings - 1  # the history's readings again, not the extra one
    assert Organisation.objects.filter(pk=other.pk).exists()  # not demo data: kept


def test_accounts_builds_a_city_in_batches():
    out = seed("--accounts", "250", "--batch-size", "120", "--verbosity", "0")
    assert "лицевых счетов 250" in out
    city = Organisation.objects.get(code="city")
    city.full_clean()
    accounts = PersonalAccount.objects.filter(organisation=city)
    assert accounts.count() == 250
    assert Building.objects.filter(organisation=city).count() == 3  # 100 + 100 + 50 flats
    per_premises = Meter.objects.values_list("premises_id", flat=True)
    counts = {}
    for premises_id in per_premises:
        counts[premises_id] = counts.get(premises_id, 0) + 1
    assert len(counts) == 250 and set(counts.values()) <= {1, 2, 3}
    assert len(set(Meter.objects.values_list("serial_number", flat=True))) == Meter.objects.count()
    assert BillingPeriod.objects.filter(organisation=city, state=BillingPeriod.State.OPEN).count() == 1


def test_accounts_500_quickly_and_refuses_a_second_city():
    seed("--accounts", "500", "--verbosity", "0")
    assert PersonalAccount.objects.count() == 500
    assert Meter.objects.filter(premises__building__organisation__code="city").count() >= 500
    with pytest.raises(CommandError, match="уже создан"):
        seed("--accounts", "500", "--verbosity", "0")
    with pytest.raises(CommandError, match="положительным"):
        seed("--accounts", "0", "--reset")
    assert PersonalAccount.objects.count() == 500
    seed("--accounts", "300", "--reset", "--verbosity", "0")
    assert PersonalAccount.objects.count() == 300


def test_accounts_leaves_postgresql_its_statistics():
    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE is PostgreSQL's")
    seed("--accounts", "300", "--verbosity", "0")
    with connection.cursor() as cursor:
        for model in (Building, Premises, PersonalAccount, Meter):
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
            # Never analyzed, a table says -1 (PostgreSQL 14+) and the planner guesses.
            assert cursor.fetchone()[0] == model.objects.count(), model.__name__
