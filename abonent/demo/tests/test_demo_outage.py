import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from abonent.demo.logins import DEMO_SUBSCRIBER
from abonent.outages.models import Outage

pytestmark = pytest.mark.django_db


def _seed(*args):
    call_command("seed_demo", "--verbosity", "0", "--months", "0", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_demo_has_an_upcoming_outage_at_the_subscribers_house_and_resets(client):
    _seed()
    outage = Outage.objects.get()
    assert outage.organisation.code == "vodokanal" and outage.buildings.count() == 3
    client.force_login(get_user_model().objects.get(username=DEMO_SUBSCRIBER.username))
    assert "Замена задвижки" in client.get(reverse("users:cabinet")).content.decode()
    assert "Замена задвижки" in client.get(reverse("outages:list")).content.decode()
    _seed("--reset")
    assert Outage.objects.count() == 1
