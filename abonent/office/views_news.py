"""The organisation's news in the office: the list (drafts and items taken down too), a new item, an edit, publish
or take down, pin. The item's form and rules are the news app's; every change is logged."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from abonent.news.forms import NewsForm
from abonent.news.models import News

from . import access, services
from .web import office_page

PAGE = 200


def _list_page(request, status=200):
    organisation = request.office.organisation
    items = News.objects.filter(organisation=organisation).order_by("-pinned", "-published_on", "-id")[:PAGE]
    return render(request, "office/news.html", {"items": items, "today": organisation.today()}, status=status)


@office_page("news")
def news_list(request):
    return _list_page(request)


def _form_page(request, form, item, status=200):
    return render(request, "office/news_form.html", {"form": form, "item": item}, status=status)


def _saved(request, form):
    try:
        item = services.news_write(organisation=request.office.organisation, operator=request.user, form=form)
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return None
    messages.success(request, f"Новость «{item.title}» записана.")
    return redirect("office:news_edit", news_id=item.pk)


@office_page("news_edit", methods=("GET", "HEAD", "POST"))
def news_new(request):
    organisation = request.office.organisation
    form = NewsForm(request.POST or None, initial={"published_on": organisation.today()})
    if request.method == "POST" and form.is_valid() and (response := _saved(request, form)):
        return response
    return _form_page(request, form, None, status=400 if request.method == "POST" else 200)


@office_page("news", methods=("GET", "HEAD", "POST"))
def news_edit(request, news_id):
    item = access.news_for(request.office.organisation, news_id)
    if request.method != "POST":
        return _form_page(request, NewsForm(instance=item), item)
    if not request.office.may("news_edit"):
        return render(request, "office/refused.html", {"reason": "Менять новости эта роль не может."}, status=403)
    form = NewsForm(request.POST, instance=item)
    if form.is_valid() and (response := _saved(request, form)):
        return response
    item.refresh_from_db()  # the form wrote what was typed onto the instance; the page shows the stored item
    return _form_page(request, form, item, status=400)


@office_page("news_edit", methods=("POST",))
def news_state(request, news_id):
    item = access.news_for(request.office.organisation, news_id)
    action = request.POST.get("action", "")
    try:
        services.news_change(organisation=request.office.organisation, operator=request.user, item=item, action=action)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _list_page(request, status=400)
    done = {"publish": "опубликована", "unpublish": "снята с публикации", "pin": "закреплена", "unpin": "откреплена"}
    messages.success(request, f"Новость «{item.title}» {done[action]}.")
    return redirect("office:news")
