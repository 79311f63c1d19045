from django.urls import path

from admissions.core.lazy_views import Views

# Each view loads with its first request (core/lazy_views.py).
views = Views("admissions.office.finance.views")

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("issues/", views.issue_list, name="issues"),
    path("issues/<int:pk>/resolve/", views.issue_resolve, name="issue_resolve"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("refunds/", views.refund_list, name="refunds"),
    path("refunds/<int:pk>/<slug:action>/", views.refund_decide, name="refund_decide"),
    path("files/<str:reference>/", views.file_detail, name="file"),
    path("files/<str:reference>/refund/", views.file_refund, name="file_refund"),
    path("files/<str:reference>/tuition/", views.file_tuition, name="file_tuition"),
    path("sepa/", views.sepa_index, name="sepa"),
    path("sepa/<int:pk>/", views.sepa_institution, name="sepa_institution"),
    path("sepa/<int:pk>/creditor/", views.sepa_creditor, name="sepa_creditor"),
    path("sepa/<int:pk>/export/", views.sepa_export, name="sepa_export"),
    path("sepa/batches/<int:pk>/", views.sepa_batch, name="sepa_batch"),
    path("sepa/batches/<int:pk>/xml/", views.sepa_batch_file, name="sepa_batch_file"),
    path("sepa/debits/<int:pk>/reject/", views.sepa_reject, name="sepa_reject"),
    path("balances/", views.balance_list, name="balances"),
    path("balances/<int:pk>/", views.balance_campaign, name="balance_campaign"),
    path("export/", views.export, name="export"),
]
