"""Services an account does not receive («услуга не оказывается»): the close charges none of them for a month the
row touches, sewerage counts only the water charged, common-house needs go with the resource; the register refuses
reversed dates, overlaps and a service of another organisation, in Russian, in the model, the database and the back
office."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from abonent.billing import calculations as calc
from abonent.billing import cycle
from abonent.billing.models import AccountBalance, AccountServiceOff, Charge, Norm, Service
from abonent.billing.tests.test_close import service
from abonent.housing.models import PersonalAccount
from abonent.metering.models import Reading, Resource
from abonent.orgs.tests.test_admin_scope import form_data, url
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
M = Service.Method
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def metered(premises, resource, before, now):
    meter = f.MeterFactory(premises=premises, resource=resource)
    for month, value, status in ((MARCH, before, Reading.Status.ACCEPTED), (APRIL, now, Reading.Status.PENDING)):
        Reading.objects.create(
            meter=meter,
            period=month,
            value=D(value),
            submitted_at=dt.datetime(month.year, month.month, 20, 12, tzinfo=dt.UTC),
            channel=Reading.Channel.PORTAL,
            status=status,
        )
    return meter


def lines(account, month):
    return {c.service.code: c for c in Charge.objects.filter(account=account, period__month=month).select_related()}


@pytest.fixture
def house():
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)  # 3000 m² of premises, 600 m² common
    flat = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)  # 54.30 m², 2
    neighbour = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)
    return org, flat, neighbour


def test_account_without_hot_water_gets_no_hot_water_line_and_its_sewerage_counts_cold_water_only(house):
    # given a flat with 6.5 m³ of cold and 3 m³ of hot water on its meters, whose hot water this supplier
    # does not provide since January, and a neighbour who receives both
    org, flat, neighbour = house
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    hot = service(org, "hot", M.METER, "200.00", Resource.HOT_WATER, norm="3.5")
    service(org, "sewer", M.SEWERAGE, "30.00", multiplying_factor_applies=False)
    service(org, "odn_hot", M.COMMON_HOUSE, "200.00", Resource.HOT_WATER, norm="0.011", basis=Norm.Basis.PER_M2)
    metered(flat.premises, Resource.COLD_WATER, "112", "118.5")
    metered(flat.premises, Resource.HOT_WATER, "50", "53")
    metered(neighbour.premises, Resource.COLD_WATER, "10", "14")
    metered(neighbour.premises, Resource.HOT_WATER, "20", "22")
    f.AccountServiceOffFactory(account=flat, service=hot, since=dt.date(2026, 1, 1))

    # when April is closed
    period = cycle.period_close(organisation=org, month=APRIL)

    # then the flat has no hot-water line, no hot-water ОДН, and its sewerage is the cold water alone
    got = lines(flat, APRIL)
    assert set(got) == {"cold", "sewer"}
    assert (got["cold"].volume, got["cold"].amount) == (D("6.5"), D("294.26"))
    assert (got["sewer"].volume, got["sewer"].amount) == (D("6.5"), D("195.00"))
    assert AccountBalance.objects.get(account=flat, period=period).closing == D("489.26")
    # and the neighbour is charged as before: hot water, sewerage of both, its area's share of the ОДН
    theirs = lines(neighbour, APRIL)
    assert (theirs["hot"].volume, theirs["hot"].amount) == (D("2"), D("400.00"))
    assert (theirs["sewer"].volume, theirs["sewer"].amount) == (D("6"), D("180.00"))
    assert theirs["odn_hot"].volume == D("0.11946")  # 0.011 × 600 × 54.3 / 3000


def test_exclusion_that_ended_last_month_charges_this_month(house):
    # given a house without sewerage until 15 March (connected since): sewerage by норматив, 8.35 × 2 residents
    org, flat, _ = house
    sewer = service(org, "sewer", M.SEWERAGE, "30.00", norm="8.35", multiplying_factor_applies=False)
    f.AccountServiceOffFactory(account=flat, service=sewer, since=dt.date(2025, 6, 1), until=dt.date(2026, 3, 15))

    # when March and April are closed
    cycle.period_close(organisation=org, month=MARCH)
    cycle.period_close(organisation=org, month=APRIL)

    # then March is charged for the 16 days from the 16th: 16.7 × 16 / 31 = 8.6193548… → 8.619355 m³ × 30.00 =
    # 258.58065 → 258.58; April is charged in full
    march = lines(flat, MARCH)["sewer"]
    assert (march.volume, march.amount, march.price) == (D("8.619355"), D("258.58"), D("30"))
    assert (lines(flat, APRIL)["sewer"].volume, lines(flat, APRIL)["sewer"].amount) == (D("16.7"), D("501.00"))


def test_common_house_needs_go_with_the_resource_the_account_does_not_receive(house):
    # given cold water on the house meter (40 m³ in April) and a flat that does not receive cold water
    org, flat, neighbour = house
    cold = service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    service(org, "odn", M.COMMON_HOUSE, "45.27", Resource.COLD_WATER, common_house_capped=False)
    metered(flat.premises, Resource.COLD_WATER, "100", "106")  # read, but not this supplier's water
    metered(neighbour.premises, Resource.COLD_WATER, "10", "14")
    house_meter = f.MeterFactory(premises=None, building=flat.premises.building, resource=Resource.COLD_WATER)
    for month, value in ((MARCH, "5000"), (APRIL, "5040")):
        Reading.objects.create(
            meter=house_meter,
            period=month,
            value=D(value),
            submitted_at=dt.datetime(month.year, month.month, 20, 12, tzinfo=dt.UTC),
            channel=Reading.Channel.OPERATOR,
            status=Reading.Status.ACCEPTED,
        )
    f.AccountServiceOffFactory(account=flat, service=cold, since=dt.date(2026, 4, 1), reason="Своя скважина")

    # when April is closed
    cycle.period_close(organisation=org, month=APRIL)

    # then the flat has neither cold water nor its ОДН; the house's common volume is 40 − the neighbour's 4 only,
    # and the neighbour pays its area's share of it
    assert lines(flat, APRIL) == {}
    odn = lines(neighbour, APRIL)["odn"]
    assert (odn.house_volume, odn.volume) == (D("36"), D("0.6516"))  # 36 × 54.3 / 3000


def test_the_month_rule():
    march_end = dt.date(2026, 3, 31)
    assert calc.service_off_in_month(dt.date(2026, 3, 31), None, MARCH, march_end)  # from its last day
    assert calc.service_off_in_month(dt.date(2026, 1, 1), MARCH, MARCH, march_end)  # until its first day
    assert not calc.service_off_in_month(dt.date(2026, 4, 1), None, MARCH, march_end)
    assert not calc.service_off_in_month(dt.date(2026, 1, 1), dt.date(2026, 2, 28), MARCH, march_end)
    # an individual service off takes its resource's common-house needs with it, and nothing else
    given = [(1, "meter", "cold_water"), (2, "common", "cold_water"), (3, "common", "hot_water"), (4, "sewerage", "")]
    assert calc.services_off_with_common([(10, 1), (11, 4)], given) == {(10, 1), (10, 2), (11, 4)}


# --- the register refuses ---


@pytest.fixture
def hot_off():
    return f.AccountServiceOffFactory(since=dt.date(2026, 1, 1), until=dt.date(2026, 6, 30))


def refused_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def messages(row) -> str:
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    return " ".join(error.value.messages)


def test_until_before_since_is_refused(hot_off):
    row = AccountServiceOff(account=hot_off.account, service=hot_off.service, since=dt.date(2027, 3, 1))
    row.until = dt.date(2027, 2, 1)
    assert "Дата окончания раньше даты начала." in messages(row)
    refused_by_database(row.save)
    assert AccountServiceOff.objects.count() == 1


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (dt.date(2026, 6, 30), None),  # from the last day of the first
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1)),  # until its first day
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),  # inside it
    ],
)
def test_an_overlap_is_refused(hot_off, since, until):
    row = AccountServiceOff(account=hot_off.account, service=hot_off.service, since=since, until=until)
    assert "Период пересекается с другой записью об этой услуге по этому лицевому счёту." in messages(row)
    assert "с 01.01.2026 по 30.06.2026" in messages(row)
    refused_by_database(row.save)
    assert AccountServiceOff.objects.count() == 1


def test_adjacent_rows_and_other_accounts_are_fine(hot_off):
    later = AccountServiceOff(account=hot_off.account, service=hot_off.service, since=dt.date(2026, 7, 1))
    later.full_clean()
    later.save()
    other = f.PersonalAccountFactory(organisation=hot_off.account.organisation)
    AccountServiceOff.objects.create(account=other, service=hot_off.service, since=hot_off.since)
    assert AccountServiceOff.objects.count() == 3


def test_a_service_of_another_organisation_is_refused(hot_off):
    foreign = f.ServiceFactory(name="Водоотведение", method=M.SEWERAGE, resource="")
    row = AccountServiceOff(account=hot_off.account, service=foreign, since=dt.date(2026, 1, 1))
    assert "Услуга другой организации" in messages(row)
    assert AccountServiceOff.objects.count() == 1


# --- the back office ---

PREFIX = "services_off"


@pytest.fixture
def operator(client):
    user = f.OperatorFactory()
    client.force_login(user)
    return user


def add_row(client, account, **values):
    data = form_data(client.get(url(PersonalAccount, "change", account.pk)))
    index = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data[f"{PREFIX}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{PREFIX}-{index}-{name}": value for name, value in values.items()})
    data[f"{PREFIX}-{index}-account"] = str(account.pk)
    return client.post(url(PersonalAccount, "change", account.pk), data)


def test_operator_adds_a_service_the_account_does_not_receive(operator, client):
    # given an account of the operator's organisation, its sewerage and another organisation's service
    account = f.PersonalAccountFactory(premises__building__organisation=operator.organisation)
    sewer = f.ServiceFactory(organisation=operator.organisation, name="Водоотведение", method=M.SEWERAGE)
    foreign = f.ServiceFactory(name="Чужое водоотведение", method=M.SEWERAGE)
    page = client.get(url(PersonalAccount, "change", account.pk)).content.decode()
    assert "Услуги, которые не оказываются" in page
    assert "Водоотведение" in page and "Чужое водоотведение" not in page

    # when the operator adds "no sewerage from 1 May"
    response = add_row(client, account, service=sewer.pk, since="01.05.2026", until="", reason="Частный дом")

    # then it is saved
    assert response.status_code == 302
    row = AccountServiceOff.objects.get()
    assert (row.account, row.service, row.since, row.until, row.reason) == (
        account,
        sewer,
        dt.date(2026, 5, 1),
        None,
        "Частный дом",
    )
    # and another organisation's service is not a choice
    response = add_row(client, account, service=foreign.pk, since="01.01.2025", until="31.01.2025")
    assert "Выберите корректный вариант" in response.content.decode()
    assert AccountServiceOff.objects.count() == 1


def test_a_bad_row_in_the_back_office_shows_the_russian_error_and_saves_nothing(operator, client):
    account = f.PersonalAccountFactory(premises__building__organisation=operator.organisation)
    sewer = f.ServiceFactory(organisation=operator.organisation, name="Водоотведение", method=M.SEWERAGE)

    # when the row ends before it starts
    response = add_row(client, account, service=sewer.pk, since="01.05.2026", until="30.04.2026")

    # then the page says so in Russian and nothing is saved
    assert response.status_code == 200
    assert "Дата окончания раньше даты начала." in response.content.decode()
    assert not AccountServiceOff.objects.exists()

    # and two new rows that overlap each other are refused in Russian as well, not by the database
    data = form_data(client.get(url(PersonalAccount, "change", account.pk)))
    data[f"{PREFIX}-TOTAL_FORMS"] = "2"
    for index, since in enumerate(["01.01.2026", "01.03.2026"]):
        data.update(
            {
                f"{PREFIX}-{index}-service": str(sewer.pk),
                f"{PREFIX}-{index}-since": since,
                f"{PREFIX}-{index}-until": "",
            }
        )
    response = client.post(url(PersonalAccount, "change", account.pk), data)
    assert response.status_code == 200
    assert "Пересекаются периоды с 01.01.2026 бессрочно и с 01.03.2026 бессрочно." in response.content.decode()
    assert not AccountServiceOff.objects.exists()
