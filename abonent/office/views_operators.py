"""The organisation's administrator manages the operators: add one, set a role, deactivate."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from abonent.lib.forms import apply_error
from abonent.users.models import User

from . import access, roles, services
from .forms import OperatorForm, RoleForm
from .web import office_page


@office_page("operators", methods=("GET", "HEAD", "POST"))
def operators(request):
    organisation = request.office.organisation
    form = OperatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.operator_add(organisation=organisation, admin=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, f"Оператор {user.username} добавлен.")
            return redirect("office:operators")
    staff = User.objects.filter(organisation=organisation, is_staff=True).select_related("office_role").order_by(
        "username")  # fmt: skip
    lines = [(u, roles.role_of(u)) for u in staff]
    context = {"form": form, "lines": lines, "role_choices": RoleForm.base_fields["role"].choices}
    return render(request, "office/operators.html", context, status=400 if form.errors else 200)


@office_page("operators", methods=("POST",))
def operator_change(request, user_id):
    organisation = request.office.organisation
    operator = access.operator_for(organisation, user_id)
    try:
        if request.POST.get("action") == "deactivate":
            services.operator_deactivate(organisation=organisation, admin=request.user, operator=operator)
            messages.success(request, f"Оператор {operator.username} отключён.")
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Выберите роль.")
            services.operator_set_role(organisation=organisation, admin=request.user, operator=operator,
                                       role=form.cleaned_data["role"])  # fmt: skip
            messages.success(request, f"Роль оператора {operator.username} изменена.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("office:operators")
