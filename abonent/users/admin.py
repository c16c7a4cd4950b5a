"""Back office for subscriber access: users and operators, account links, issuing access with a printed slip,
the "сброс регистрации" and the audit log. An operator sees only what touches their organisation's accounts."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from abonent.housing.admin import PersonalAccountAdmin, add_action
from abonent.housing.models import PersonalAccount
from abonent.orgs.access import works_in_back_office
from abonent.orgs.admin_scope import register_org_path, scope_queryset, user_organisation_id
from abonent.orgs.models import Organisation
from abonent.orgs.services import operators_group

from . import services
from .forms import AdminLoginForm
from .models import AccountLink, AuditEvent, User
from .usernames import username_single_script

register_org_path("users.AccountLink", "account__organisation")
register_org_path("users.AuditEvent", "account__organisation")


def is_back_office(request) -> bool:
    """A superuser, or an operator (staff with an organisation): who may work with subscriber access."""
    return works_in_back_office(request.user)


class BackOfficeOnly:
    """Operators have no model permissions on users' tables; access here is by being an operator at all,
    and what they see is limited to their organisation by the querysets."""

    def has_module_permission(self, request):
        return is_back_office(request)

    def has_view_permission(self, request, obj=None):
        return is_back_office(request)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Сброс регистрации: отключить всех пользователей и выдать новый код активации"))
def reset_registration(modeladmin, request, queryset):
    """For PersonalAccount rows or AccountLink rows: every account they name gets a registration reset."""
    if queryset.model is PersonalAccount:
        accounts = scope_queryset(queryset, request, ("organisation",))
    else:
        ids = scope_queryset(queryset, request, ("account__organisation",)).values("account_id")
        accounts = PersonalAccount.objects.filter(pk__in=ids)
    done = 0
    for account in accounts:
        services.account_registration_reset(account=account, actor=request.user)
        done += 1
    modeladmin.message_user(
        request, _("Регистрация сброшена для лицевых счетов: %(n)s. Новые коды активации выданы.") % {"n": done}
    )


# Seed 002's "сброс регистрации" on the account list too: every user unlinked, a new activation code, an audit row.
add_action(PersonalAccountAdmin, reset_registration)


class IssueAccessForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Организация"), queryset=Organisation.objects.none())
    account_number = forms.CharField(label=_("Номер лицевого счёта"), max_length=30)
    login = forms.CharField(
        label=_("Логин"),
        max_length=150,
        required=False,
        help_text=_("Пусто — логином будет номер лицевого счёта."),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = scope_queryset(Organisation.objects.order_by("short_name"), request, ("pk",))
        self.fields["organisation"].queryset = orgs
        if user_organisation_id(request) is not None:
            self.fields["organisation"].initial = request.user.organisation_id
            self.fields["organisation"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        organisation, number = data.get("organisation"), (data.get("account_number") or "").strip()
        if organisation and number:
            account = (
                PersonalAccount.objects.select_related("premises__building", "organisation")
                .filter(organisation=organisation, number=number)
                .first()
            )
            if account is None:
                self.add_error("account_number", _("Лицевой счёт с таким номером в организации не найден."))
            data["account"] = account
        return data


@admin.register(AccountLink)
class AccountLinkAdmin(BackOfficeOnly, admin.ModelAdmin):
    list_display = ("account", "address", "organisation", "user", "method", "receipts_by_email", "created_at")
    list_select_related = ("account__organisation", "account__premises__building", "user")
    list_filter = ("method",)
    search_fields = ("account__number", "user__username", "user__email")
    actions = [reset_registration]
    change_list_template = "users/admin/accountlink_change_list.html"

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request, ("account__organisation",))

    @admin.display(description=_("адрес"))
    def address(self, obj):
        return obj.account.premises.address

    @admin.display(description=_("организация"))
    def organisation(self, obj):
        return obj.account.organisation

    def get_urls(self):
        return [
            path("issue/", self.admin_site.admin_view(self.issue_view), name="users_accountlink_issue"),
            *super().get_urls(),
        ]

    def issue_view(self, request):
        """Seed 000: the operator gives a subscriber a login and a temporary password, printed on a slip."""
        if not is_back_office(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = IssueAccessForm(
            request.POST or None, request=request, initial={"account_number": request.GET.get("account", "")}
        )
        if request.method == "POST" and form.is_valid():
            account = form.cleaned_data["account"]
            try:
                user, password = services.operator_access_issue(
                    account=account, login=form.cleaned_data["login"], actor=request.user
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                # The password is shown once, on the slip, and stored only as a hash.
                return render(
                    request,
                    "users/admin/slip.html",
                    {
                        "account": account,
                        "login": user.username,
                        "password": password,
                        "login_url": request.build_absolute_uri(reverse("users:login")),
                    },
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Выдать доступ абоненту"),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "users/admin/issue.html", context)


@admin.register(AuditEvent)
class AuditEventAdmin(BackOfficeOnly, admin.ModelAdmin):
    list_display = ("at", "action", "account", "actor", "details")
    list_filter = ("action",)
    list_select_related = ("account", "actor")
    search_fields = ("account__number", "actor__username", "details")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request, ("account__organisation",))


class LinkInline(admin.TabularInline):
    model = AccountLink
    fields = ("account", "method", "receipts_by_email", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request, ("account__organisation",))


# /admin/login/ counts failures and asks for a captcha like the subscriber's login (users.login_guard).
admin.site.login_form = AdminLoginForm
admin.site.login_template = "users/admin/login.html"


class UserAddForm(AdminUserCreationForm):
    """Logins set in the back office are in one script too (users.usernames)."""

    def clean_username(self):
        value = super().clean_username()
        username_single_script(value)
        return value


class UserEditForm(UserChangeForm):
    def clean_username(self):
        value = self.cleaned_data["username"]
        username_single_script(value)
        return value


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Superusers manage everyone, operators included (organisation, groups); an operator sees, read-only,
    the subscribers linked to their organisation's accounts."""

    form = UserEditForm
    add_form = UserAddForm
    list_display = ("username", "email", "phone", "organisation", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "organisation")
    search_fields = ("username", "email", "phone", "account_links__account__number")
    inlines = [LinkInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Личные данные"), {"fields": ("first_name", "last_name", "email", "phone", "consent_at")}),
        (
            _("Оператор"),
            {"fields": ("organisation", "is_active", "is_staff", "is_superuser", "groups", "must_change_password")},
        ),
        (_("Права по отдельности"), {"classes": ("collapse",), "fields": ("user_permissions",)}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "organisation", "password1", "password2")}),
    )
    operator_fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Личные данные"), {"fields": ("first_name", "last_name", "email", "phone", "consent_at")}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.operator_fieldsets
        return super().get_fieldsets(request, obj)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        org_id = user_organisation_id(request)
        if org_id is None:
            return qs
        return qs.filter(is_staff=False, account_links__account__organisation_id=org_id).distinct()

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ("is_active",)

    ACCOUNT_SEARCH = "account_links__account__number"

    def get_search_fields(self, request):
        # An operator's search by account number is added in get_search_results, limited to their own accounts.
        fields = super().get_search_fields(request)
        if user_organisation_id(request) is None:
            return fields
        return tuple(field for field in fields if field != self.ACCOUNT_SEARCH)

    def get_search_results(self, request, queryset, search_term):
        """A subscriber of the operator's organisation may also hold accounts elsewhere: the plain lookup
        (any of the user's links) would tell the operator that they hold number N in another organisation. The
        number must match an account of the operator's own organisation, on the same link (one filter call)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        org_id = user_organisation_id(request)
        term = search_term.strip()
        if org_id is None or not term:
            return found, may_have_duplicates
        own = queryset.filter(
            account_links__account__organisation_id=org_id, account_links__account__number__icontains=term
        )
        return (found | own).distinct(), True

    def has_module_permission(self, request):
        return request.user.is_superuser or is_back_office(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_back_office(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if not change and obj.organisation_id:
            obj.is_staff = True  # a user created with an organisation is that organisation's operator
        super().save_model(request, obj, form, change)
        if obj.organisation_id and obj.is_staff:
            obj.groups.add(operators_group())
