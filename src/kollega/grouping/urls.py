app_name = "grouping"
urlpatterns: list = []
