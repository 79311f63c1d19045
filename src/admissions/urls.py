from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from admissions.core import views as core_views
from admissions.core.namespaces import NamespaceOnUse
from admissions.office import documents_urls as office_documents
from admissions.people import auth_urls, sso_views
from admissions.portal import documents_urls as portal_documents
from admissions.portal import views as portal_views

# One namespace for a file's documents, whoever reads them: the staff's paths come first.
DOCUMENTS = (office_documents.urlpatterns + portal_documents.urlpatterns, "documents")

# Each namespace's names are gathered by the first link into it (core/namespaces.py).
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Django's language switch, which also keeps a signed-in person's choice for their emails.
    path("i18n/setlang/", portal_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("admissions.api.urls")),
    # Provider callbacks carry no language prefix.
    NamespaceOnUse("hooks/payments/", include("admissions.payments.hook_urls")),
    # SAML's addresses (metadata, assertion consumer) are registered with the identity
    # providers: the same in every language, so without the language prefix.
    # allauth's, with views loaded by their first request (people/auth_urls.py).
    path("accounts/", include(auth_urls.saml_urlpatterns)),
]
urlpatterns += i18n_patterns(
    NamespaceOnUse("", include("admissions.portal.urls")),
    path("accounts/institution/", sso_views.choose_institution, name="account_sso"),
    # allauth's pages but its providers' (the SAML ones above).
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include(auth_urls.mfa_urlpatterns)),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    NamespaceOnUse("documents/", include(DOCUMENTS)),
    NamespaceOnUse("payments/", include("admissions.portal.payments_urls")),
    NamespaceOnUse("privacy/", include("admissions.portal.privacy_urls")),
    NamespaceOnUse("office/", include("admissions.office.urls")),
    NamespaceOnUse("admin/", admin.site.urls),
    prefix_default_language=False,
)
# Never Django's bare "Bad Request (400)": a page in the reader's language, or JSON.
handler400 = core_views.bad_request
# allauth's limits (sign-up, password reset, log-in) answer with this one too.
handler429 = core_views.too_many_requests
