from django.urls import path

from . import two_factor_views, views

app_name = "users"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_choice, name="register"),
    path("register/receipt/", views.register_receipt, name="register_receipt"),
    path("register/username/", views.register_username, name="register_username"),
    path("register/confirm/<uidb64>/<token>/", views.register_confirm, name="register_confirm"),
    path("password/set/<uidb64>/<token>/", views.password_set, name="password_set"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/change/", views.password_change_forced, name="password_change_forced"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/accounts/add/", views.account_add, name="account_add"),
    path("cabinet/accounts/add/houses/", views.account_add_houses, name="account_add_houses"),
    path("consent/", views.consent, name="consent"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/", views.profile_email, name="profile_email"),
    path("profile/email/confirm/<str:token>/", views.profile_email_confirm, name="email_confirm"),
    path("profile/phone/", views.profile_phone, name="profile_phone"),
    path("profile/password/", views.profile_password, name="profile_password"),
    path("profile/accounts/<int:link_id>/receipts/", views.profile_receipts, name="profile_receipts"),
    path("profile/accounts/<int:link_id>/unlink/", views.profile_unlink, name="profile_unlink"),
    path("profile/delete/", views.profile_delete, name="profile_delete"),
    path("two-factor/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("two-factor/setup/qr.svg", two_factor_views.setup_qr, name="two_factor_qr"),
]
