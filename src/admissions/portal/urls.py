from django.urls import path

from admissions.core.lazy_views import Views
from admissions.portal import urls_applications, views

# The candidate's other pages load their views with their first request (core/lazy_views.py).
logins_views = Views("admissions.portal.logins_views")
profile_views = Views("admissions.portal.profile_views")
programme_views = Views("admissions.portal.programme_views")
tokens_views = Views("admissions.portal.tokens_views")

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # Early: Django tries the patterns in turn, and a file's pages (its status page above
    # all) are the ones candidates load most. No pattern of it matches a path of the others.
    # Placed here as they are rather than include()d under "": each level of resolvers costs
    # every request through it a match and a ResolverMatch more.
    *urls_applications.urlpatterns,
    path("me/", views.dashboard, name="dashboard"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("programmes/", programme_views.programme_list, name="programmes"),
    path(
        "programmes/<slug:institution>/forms/<slug:code>/",
        programme_views.programme_form,
        name="programme_form",
    ),
    path(
        "programmes/<slug:institution>/<slug:programme>/",
        programme_views.programme_detail,
        name="programme",
    ),
    path("me/profile/", profile_views.overview, name="profile"),
    path("me/profile/identity/", profile_views.identity, name="profile_identity"),
    path("me/profile/residence/", profile_views.residence, name="profile_residence"),
    path("me/profile/french/", profile_views.french, name="profile_french"),
    path("me/profile/education/add/", profile_views.education_add, name="education_add"),
    path("me/profile/education/<int:pk>/", profile_views.education_edit, name="education_edit"),
    path(
        "me/profile/education/<int:pk>/delete/",
        profile_views.education_delete,
        name="education_delete",
    ),
    path("me/profile/work/add/", profile_views.work_add, name="work_add"),
    path("me/profile/work/<int:pk>/", profile_views.work_edit, name="work_edit"),
    path("me/profile/work/<int:pk>/delete/", profile_views.work_delete, name="work_delete"),
    path("me/tokens/", tokens_views.tokens, name="tokens"),
    path("me/logins/", logins_views.logins, name="logins"),
    path("me/tokens/<int:pk>/revoke/", tokens_views.revoke, name="token_revoke"),
]
