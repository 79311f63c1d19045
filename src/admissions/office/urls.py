app_name = "office"
urlpatterns: list[object] = []
