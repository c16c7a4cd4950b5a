"""factory_boy factories for the register: valid requisites by default, so a test changes only what it tests."""

import datetime as dt
from decimal import Decimal

import factory

from abonent.billing.models import AccountServiceOff, BillingPeriod, Norm, Service, Tariff
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.metering.models import Meter, Resource
from abonent.orgs.models import Organisation, Supplier
from abonent.orgs.services import operators_group
from abonent.orgs.validators import account_with_key, inn_with_check
from abonent.users.models import AccountLink, User

BIK = "047308602"  # a real БИК (Ульяновское отделение Сбербанка); accounts are keyed against it


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"org{n}")
    name = factory.Sequence(lambda n: f"Общество с ограниченной ответственностью «Управляющая компания {n}»")
    short_name = factory.Sequence(lambda n: f"УК {n}")
    inn = factory.Sequence(lambda n: inn_with_check(f"7325{n:05d}"))
    kpp = "732501001"
    legal_address = "г. Ульяновск, ул. Федерации, д. 31"
    phone = "+7 (8422) 00-00-00"
    email = "info@example.ru"
    office_hours = "пн–пт 8:00–18:00, обед 12:00–13:00"
    bank_name = "Ульяновское отделение № 8588 ПАО Сбербанк"
    bik = BIK
    correspondent_account = "30101810000000000602"
    settlement_account = factory.Sequence(lambda n: account_with_key(BIK, f"407028106900{n:08d}"))
    timezone = "Europe/Ulyanovsk"
    readings_first_day = 7
    readings_last_day = 25


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Акционерное общество «Ресурс {n}»")
    short_name = factory.Sequence(lambda n: f"АО «Ресурс {n}»")
    inn = factory.Sequence(lambda n: inn_with_check(f"7326{n:05d}"))
    kpp = "732601001"
    bank_name = "Ульяновское отделение № 8588 ПАО Сбербанк"
    bik = BIK
    correspondent_account = "30101810000000000602"
    settlement_account = factory.Sequence(lambda n: account_with_key(BIK, f"407028106900{n + 5000:08d}"))


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    organisation = factory.SubFactory(OrganisationFactory)
    address = factory.Sequence(lambda n: f"г. Ульяновск, ул. Гончарова, д. {n + 1}")
    total_area = Decimal("3000.00")
    common_area = Decimal("600.00")


class PremisesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premises

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    total_area = Decimal("54.30")
    residents = 2


class PersonalAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonalAccount

    premises = factory.SubFactory(PremisesFactory)
    organisation = factory.LazyAttribute(lambda o: o.premises.building.organisation)
    number = factory.Sequence(lambda n: f"{820000000 + n}")
    payer_name = "Иванов Иван Иванович"
    opened_on = dt.date(2020, 1, 1)
    activation_code = "1234-5678-9012"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"svc{n}")
    name = "Холодное водоснабжение"
    unit = Service.Unit.M3
    method = Service.Method.METER
    resource = Resource.COLD_WATER


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    service = factory.SubFactory(ServiceFactory)
    valid_from = dt.date(2026, 1, 1)
    valid_to = dt.date(2026, 6, 30)
    price = Decimal("45.2700")


class NormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Norm

    service = factory.SubFactory(ServiceFactory)
    valid_from = dt.date(2020, 1, 1)
    value = Decimal("4.850000")


class AccountServiceOffFactory(factory.django.DjangoModelFactory):
    """A service the account does not receive; by default hot water of the account's organisation, off for good."""

    class Meta:
        model = AccountServiceOff

    account = factory.SubFactory(PersonalAccountFactory)
    service = factory.SubFactory(
        ServiceFactory,
        organisation=factory.SelfAttribute("..account.organisation"),
        name="Горячее водоснабжение",
        resource=Resource.HOT_WATER,
    )
    since = dt.date(2026, 1, 1)
    reason = "Нет подключения к горячему водоснабжению"


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meter

    premises = factory.SubFactory(PremisesFactory)
    resource = Resource.COLD_WATER
    serial_number = factory.Sequence(lambda n: f"{40_000_000 + n}")
    place = "Ванная"
    installed_on = dt.date(2022, 3, 1)
    sealed_on = dt.date(2022, 3, 10)
    verification_due = dt.date(2028, 3, 1)


class BillingPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingPeriod

    organisation = factory.SubFactory(OrganisationFactory)
    month = dt.date(2026, 10, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ru")
    password = factory.PostGenerationMethodCall("set_password", "pass-2026-word")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OperatorFactory(UserFactory):
    """A staff member of one organisation with the operators' permissions."""

    is_staff = True
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def _operators_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(operators_group())


class AccountLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountLink

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(PersonalAccountFactory)
    method = AccountLink.Method.OPERATOR
