"""How the schema describes the authentication: a bearer token (abt_… of a resident, abk_… of an organisation)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "abonent.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Личный токен абонента (abt_…, выпускается в профиле) или API-ключ организации (abk_…).",
        }
