"""outage_published(outage): an outage has been saved with its houses and its subscribers are being told (sent by
services.outage_notify, inside the saving transaction; again after an edit that may have added houses). Other
channels (the messenger bots) tell the same people; they keep their own record of whom they told."""

from django.dispatch import Signal

outage_published = Signal()
