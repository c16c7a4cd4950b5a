"""Keeping an operator inside their organisation in the back office.

Every register ModelAdmin inherits OrgScopedAdmin and names, in `org_path`, the lookup from its model to the
Organisation ("organisation", "building__organisation", "premises__building__organisation", ...), or a tuple of
lookups when the model reaches its organisation by more than one road (a meter is in a premises or on a house).
Then the change list, the object URLs (another organisation's object answers 404, exactly like one that does not
exist), the choices of every foreign key (in the form and in its inlines), the autocomplete answers and the
organisation of a new object are all limited to the operator's own. A superuser sees everything; staff with no
organisation who are not superusers see nothing.

The roads from each register model to its organisation are listed once, in ORG_PATHS, so that a foreign key to
any of them (a Premises in a Meter form, a Service in a Tariff form...) is limited the same way wherever it
appears. Apps that add models to the register add their road with `register_org_path`; a model that belongs to
no organisation (the key rate, the roles) is marked with `register_unscoped` and the reason. A model that is
neither is refused: at start-up by the system check `check_admin_scoping` (orgs.E001–E003: `manage.py check`,
`migrate` and every server start; a test runs it too), and at request time by `scope_queryset`, so that a new model added to the back
office without a road can never show one organisation's rows to another.
"""

import datetime as dt

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.sites import all_sites
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.forms.models import _get_foreign_key
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from abonent.lib.admin_numbers import DecimalInput
from abonent.lib.inputs import AsciiDecimalField, AsciiIntegerField, parse_id

from .models import Organisation

# The dates the register may hold: accounts opened last century, meters verified decades ahead, nothing beyond.
ADMIN_DATES = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
NO_ORGANISATION = -1  # staff without an organisation match no row rather than every row

# model label → the lookups (without the trailing "_id") from that model to its organisation.
ORG_PATHS: dict[str, tuple[str, ...]] = {
    "orgs.Organisation": ("pk",),
    "orgs.Supplier": ("organisation",),
    "housing.Building": ("organisation",),
    "housing.Premises": ("building__organisation",),
    "housing.PersonalAccount": ("organisation",),
    "billing.Service": ("organisation",),
    "billing.Tariff": ("service__organisation",),
    "billing.Norm": ("service__organisation",),
    "billing.BillingPeriod": ("organisation",),
    "metering.Meter": ("premises__building__organisation", "building__organisation"),
    "metering.Reading": ("meter__premises__building__organisation", "meter__building__organisation"),
}


# model label → why the back office shows it to an operator without limiting it to an organisation.
UNSCOPED: dict[str, str] = {
    "auth.Group": "роли одни для всех организаций; менять их может только суперпользователь",
    "otp_totp.TOTPDevice": "устройства второго фактора; прав на них у операторов нет",
    "billing.PenaltyRate": "ключевая ставка Банка России одна для всей страны",
    "users.User": (
        "у абонента могут быть счета нескольких организаций: UserAdmin сам показывает оператору абонентов его "
        "организации, а формы, где выбирают пользователя, ограничивают выбор своим правилом "
        "(исполнитель обращения — сотрудник организации)"
    ),
}


def register_org_path(model_label: str, *paths: str) -> None:
    """Tell the back office how a model reaches its organisation (e.g. "payments.Payment", "account__organisation")."""
    ORG_PATHS[model_label] = tuple(paths)


def register_unscoped(model_label: str, why: str) -> None:
    """Mark a model the back office shows whole to every operator, with the reason (it belongs to no organisation)."""
    UNSCOPED[model_label] = why


def user_organisation_id(request) -> int | None:
    """The organisation an operator works for; None for a superuser (who is not limited)."""
    user = request.user
    if user.is_superuser:
        return None
    # getattr: the login page asks too, for an anonymous visitor, who has no organisation
    return getattr(user, "organisation_id", None) or NO_ORGANISATION


def org_q(paths: str | tuple[str, ...], org_id: int) -> Q:
    """A filter keeping the rows of one organisation, for a model reaching it by `paths`."""
    if isinstance(paths, str):
        paths = (paths,)
    condition = Q()
    for path in paths:
        condition |= Q(pk=org_id) if path == "pk" else Q(**{f"{path}_id": org_id})
    return condition


def scope_queryset(queryset, request, paths: str | tuple[str, ...] | None = None):
    """`queryset` limited to the requesting operator's organisation; unchanged for a superuser.

    Without `paths` the road is looked up in ORG_PATHS; a model marked unscoped (UNSCOPED: a Group, the key rate)
    is left as it is, and any other is refused: unfiltered, it would show every organisation's rows. The system
    check below finds such a model at start-up; this is the guard for one it could not see.
    """
    org_id = user_organisation_id(request)
    if org_id is None:
        return queryset
    if paths is None:
        label = queryset.model._meta.label
        if label in UNSCOPED:
            return queryset
        if label not in ORG_PATHS:
            raise ImproperlyConfigured(f"{label}: no road to the organisation (register_org_path or register_unscoped)")
        paths = ORG_PATHS[label]
    return queryset.filter(org_q(paths, org_id))


def has_direct_organisation(model) -> bool:
    try:
        field = model._meta.get_field("organisation")
    except FieldDoesNotExist:
        return False
    return getattr(field, "related_model", None) is Organisation


class OrgScopedFormMixin:
    """The form an operator gets: the organisation is theirs before validation, so the database constraints
    that name it (a unique account number within the organisation...) are checked and shown in Russian,
    although the organisation is not a field of the operator's form."""

    scoped_organisation_id: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.scoped_organisation_id is not None and has_direct_organisation(self._meta.model):
            self.instance.organisation_id = self.scoped_organisation_id

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.scoped_organisation_id is not None:
            exclude.discard("organisation")
        return exclude


class SentIdsAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks the submitted value up again to show it (pk__in=[value]) even when the
    form has refused it, so "abc" or a 20-digit id in a refused form became a ValueError/OverflowError instead of
    the form's own "Выберите корректный вариант". Values that cannot be an id are simply not shown."""

    def optgroups(self, name, value, attr=None):
        pk = self.field.remote_field.model._meta.pk
        if isinstance(pk, models.AutoField | models.BigAutoField | models.IntegerField):
            value = [v for v in value if v in (None, "") or parse_id(v) is not None]
        return super().optgroups(name, value, attr)


class OrgScopedFieldsMixin:
    """What forms and inlines share: foreign-key and many-to-many choices limited to the operator's organisation."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Russian operators write 45,27: money, areas and volumes are read and shown with the decimal comma.
        if isinstance(db_field, models.DecimalField):
            kwargs.setdefault("localize", True)
            kwargs.setdefault("form_class", AsciiDecimalField)  # «４５,２７» is no price
            kwargs.setdefault("widget", DecimalInput(db_field.decimal_places))
        elif isinstance(db_field, models.IntegerField) and not db_field.choices:
            kwargs.setdefault("form_class", AsciiIntegerField)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if type(db_field) is models.DateField and formfield is not None:
            # 31.12.9999 or 01.01.0001 is a slip of the keyboard, not a tariff's end or a meter's installation.
            formfield.validators += [MinValueValidator(ADMIN_DATES[0]), MaxValueValidator(ADMIN_DATES[1])]
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SentIdsAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope_queryset(formfield.queryset, request)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope_queryset(formfield.queryset, request)
        return formfield

    def _is_unassigned_staff(self, request) -> bool:
        return user_organisation_id(request) == NO_ORGANISATION

    def has_view_permission(self, request, obj=None):
        return not self._is_unassigned_staff(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return not self._is_unassigned_staff(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not self._is_unassigned_staff(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_unassigned_staff(request) and super().has_delete_permission(request, obj)


class InRangeChangeList(ChangeList):
    """Django reads ?paid_on__year=… with datetime(int(year), …) and turns only ValueError into "bad lookup";
    a 20-digit year is an OverflowError there (and in the database for any huge number), i.e. a 500. Here both are
    a bad lookup: the change list answers with Django's own "?e=1" page."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        try:
            return super().get_results(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


class OrgScopedAdmin(OrgScopedFieldsMixin, admin.ModelAdmin):
    org_path: str | tuple[str, ...] = "organisation"
    # The list filter by organisation a superuser gets (operators have one organisation): a lookup or None.
    org_list_filter: str | None = None
    # A column with the organisation in a superuser's change list: a field name or None.
    org_list_display: str | None = None

    def get_org_paths(self) -> tuple[str, ...]:
        if self.model is Organisation:
            return ("pk",)
        return (self.org_path,) if isinstance(self.org_path, str) else tuple(self.org_path)

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request, self.get_org_paths())

    def get_changelist(self, request, **kwargs):
        return InRangeChangeList

    def get_object(self, request, object_id, from_field=None):
        # Another organisation's object is not there for an operator: 404, never a hint that it exists.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("Запись не найдена."))
        return obj

    def has_module_permission(self, request):
        return not self._is_unassigned_staff(request) and super().has_module_permission(request)

    # --- the organisation of a new object is the operator's, and not a choice ---
    def _hides_organisation(self, request) -> bool:
        return user_organisation_id(request) is not None and has_direct_organisation(self.model)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self._hides_organisation(request) and "organisation" not in exclude:
            exclude.append("organisation")
        return exclude

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._hides_organisation(request):
            return fieldsets
        return [
            (name, {**options, "fields": _without(options.get("fields", ()), "organisation")})
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        org_id = user_organisation_id(request)
        if org_id is None:
            return form
        return type(form.__name__, (OrgScopedFormMixin, form), {"scoped_organisation_id": org_id})

    def save_model(self, request, obj, form, change):
        if self._hides_organisation(request):
            obj.organisation_id = user_organisation_id(request)
        super().save_model(request, obj, form, change)

    # --- a superuser, who sees every organisation, gets a column and a filter for it ---
    def get_list_display(self, request):
        list_display = list(super().get_list_display(request))
        if request.user.is_superuser and self.org_list_display and self.org_list_display not in list_display:
            list_display.append(self.org_list_display)
        return list_display

    def get_list_filter(self, request):
        list_filter = list(super().get_list_filter(request))
        if request.user.is_superuser and self.org_list_filter:
            list_filter.insert(0, self.org_list_filter)
        return list_filter


class OrgScopedInline(OrgScopedFieldsMixin):
    """Mix into an InlineModelAdmin: its rows and the choices of its foreign keys stay in the organisation, and a
    row with an organisation of its own gets the operator's, not a choice."""

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request)

    def _hides_organisation(self, request) -> bool:
        return user_organisation_id(request) is not None and has_direct_organisation(self.model)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self._hides_organisation(request) and "organisation" not in exclude:
            exclude.append("organisation")
        return exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return _without(fields, "organisation") if self._hides_organisation(request) else fields

    # A bound formset builds as many forms as its TOTAL_FORMS says, up to absolute_max (Django's default: 2 000):
    # a forged TOTAL_FORMS=99999999999999999999 made one request build 2 000 forms (≈ 10 s). The rows there are,
    # plus this many new ones at a time, is all a page can send; more is the formset's own "не больше N форм".
    NEW_ROWS_MAX = 100

    def _rows_limit(self, obj) -> int:
        if obj is None or obj.pk is None:
            return self.NEW_ROWS_MAX
        fk = _get_foreign_key(self.parent_model, self.model, fk_name=self.fk_name)
        return self.model._default_manager.filter(**{fk.name: obj}).count() + self.NEW_ROWS_MAX

    def get_formset(self, request, obj=None, **kwargs):
        limit = self._rows_limit(obj)
        max_num = self.get_max_num(request, obj, **kwargs)
        kwargs.setdefault("max_num", limit if max_num is None else min(max_num, limit))
        kwargs.setdefault("absolute_max", limit)
        formset = super().get_formset(request, obj, **kwargs)
        org_id = user_organisation_id(request)
        if org_id is not None:
            formset.form = type(
                formset.form.__name__, (OrgScopedFormMixin, formset.form), {"scoped_organisation_id": org_id}
            )
        return formset


def _without(fields, name):
    result = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            inner = [f for f in field if f != name]
            if inner:
                result.append(tuple(inner))
        elif field != name:
            result.append(field)
    return tuple(result)


# --- the start-up check: every model the back office shows or offers has a road to its organisation ---


def road_error(model, path: str) -> str | None:
    """Why `path` does not lead from `model` to an Organisation, or None when it does."""
    if path == "pk":
        return None if model is Organisation else "«pk» годится только для самой организации"
    current = model
    for name in path.split("__"):
        try:
            current = current._meta.get_field(name).related_model
        except FieldDoesNotExist:
            return f"у {current._meta.label} нет поля «{name}»"
        if current is None:
            return f"«{name}» — не связь с другой моделью"
    return None if current is Organisation else f"путь ведёт к {current._meta.label}, а не к организации"


def _shown_models(model_admin) -> list:
    """The registered model, the models of its inlines and, for forms whose choices are scoped, the models those
    forms offer as choices (the targets of their foreign keys and many-to-many fields)."""
    inlines = [inline for inline in model_admin.inlines]
    shown = [model_admin.model, *(inline.model for inline in inlines)]
    scoped = [model_admin.model] if isinstance(model_admin, OrgScopedFieldsMixin) else []
    scoped += [inline.model for inline in inlines if issubclass(inline, OrgScopedFieldsMixin)]
    for model in scoped:
        for field in model._meta.get_fields():
            if field.concrete and (field.many_to_one or field.many_to_many) and field.related_model is not None:
                shown.append(field.related_model)
    return shown


def _admin_errors(model_admin) -> list[checks.CheckMessage]:
    errors = []
    model = model_admin.model
    label = model._meta.label
    if isinstance(model_admin, OrgScopedAdmin):
        for path in model_admin.get_org_paths():
            problem = road_error(model, path)
            if problem:
                errors.append(checks.Error(f"{label}: org_path «{path}»: {problem}", obj=model_admin, id="orgs.E002"))
    elif label not in UNSCOPED and type(model_admin).get_queryset is admin.ModelAdmin.get_queryset:
        # Not an OrgScopedAdmin and not unscoped: it must limit its rows itself (users' AccountLinkAdmin does).
        errors.append(
            checks.Error(
                f"{label}: {type(model_admin).__name__} показывает строки всех организаций",
                hint="Наследуйте OrgScopedAdmin или отметьте модель register_unscoped(label, причина).",
                obj=model_admin,
                id="orgs.E003",
            )
        )
    known = set(ORG_PATHS) | set(UNSCOPED)
    for shown in _shown_models(model_admin):
        if shown._meta.label not in known and not (shown is model and isinstance(model_admin, OrgScopedAdmin)):
            errors.append(
                checks.Error(
                    f"{shown._meta.label} (в {type(model_admin).__name__}): не указан путь к организации",
                    hint="register_org_path(label, путь) или register_unscoped(label, причина).",
                    obj=model_admin,
                    id="orgs.E001",
                )
            )
    return errors


def check_admin_scoping(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Registered in OrgsConfig.ready(): run by `manage.py check`, `migrate` and every server start."""
    errors = []
    for label, paths in ORG_PATHS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            errors.append(checks.Error(f"ORG_PATHS: нет модели {label}", id="orgs.E002"))
            continue
        errors += [
            checks.Error(f"{label}: путь «{path}»: {problem}", id="orgs.E002")
            for path in paths
            if (problem := road_error(model, path))
        ]
    for site in all_sites:
        for model_admin in site._registry.values():
            errors += _admin_errors(model_admin)
    return errors
