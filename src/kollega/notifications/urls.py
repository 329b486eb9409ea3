from django.urls import path

from kollega.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/send-again/", views.resend, name="resend"),
    path("failing-addresses/clear/", views.failing_address_clear, name="failing_address_clear"),
]
