from django.urls import path

from admissions.core.lazy_views import Views

# Each view loads with its first request (core/lazy_views.py).
views = Views("admissions.portal.payments_views")

app_name = "payments"
LINE = "<slug:charge>/<int:instalment>"
urlpatterns = [
    path("simulator/", views.simulator, name="simulator"),
    path("demo/<str:session_id>/", views.demo_checkout, name="demo_checkout"),
    path("<str:reference>/", views.overview, name="overview"),
    path("<str:reference>/mandate/", views.mandate, name="mandate"),
    path("<str:reference>/quote/", views.quote, name="quote"),
    path("<str:reference>/documents/<int:pk>/", views.document, name="document"),
    path(f"<str:reference>/transfer/{LINE}/", views.transfer, name="transfer"),
    path(f"<str:reference>/transfer/{LINE}/pdf/", views.transfer_pdf, name="transfer_pdf"),
    path(f"<str:reference>/card/{LINE}/", views.card_start, name="card_start"),
    path(f"<str:reference>/card/{LINE}/done/", views.card_done, name="card_done"),
    path(f"<str:reference>/invoice/{LINE}/", views.invoice, name="invoice"),
]
