from admissions.api.router import ApiNamespace, api

urlpatterns = [ApiNamespace(api)]
