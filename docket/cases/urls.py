from django.urls import path

from docket.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/edit", views.case_edit, name="case_edit"),
    path("<int:pk>/delete", views.case_delete, name="case_delete"),
    path("<int:pk>/missing", views.missing, name="missing"),
    path("<int:pk>/history", views.case_history, name="history"),
    path("<int:pk>/suspects/new", views.suspect_new, name="suspect_new"),
    path("<int:pk>/incidents", views.incidents, name="incidents"),
    path("<int:pk>/incidents/remove", views.incident_remove, name="incident_remove"),
    path("<int:pk>/qualifications", views.qualifications, name="qualifications"),
    path("<int:pk>/cell", views.cell_edit, name="cell"),
    path("<int:pk>/verify", views.verification_new, name="verify"),
    path("suspects/<int:pk>/edit", views.suspect_edit, name="suspect_edit"),
    path("suspects/<int:pk>/delete", views.suspect_delete, name="suspect_delete"),
    path("cells/<int:pk>/delete", views.cell_delete, name="cell_delete"),
    path("verifications/<int:pk>/edit", views.verification_edit, name="verification_edit"),
    path("verifications/<int:pk>/delete", views.verification_delete, name="verification_delete"),
]
