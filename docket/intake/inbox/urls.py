from django.urls import path

from docket.intake.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk", views.inbox_bulk, name="bulk"),
    path("<int:pk>/", views.submission_detail, name="submission"),
    path("<int:pk>/reply", views.submission_reply, name="reply"),
    path("<int:pk>/status", views.submission_status, name="status"),
    path("<int:pk>/accept", views.submission_accept, name="accept"),
    path("<int:pk>/event", views.submission_event, name="event"),
    path("<int:pk>/reveal", views.submission_reveal, name="reveal"),
    path("<int:pk>/assign", views.submission_assign, name="assign"),
]
