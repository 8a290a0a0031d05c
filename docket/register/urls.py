from django.urls import path

from docket.register import (
    corrections,
    saved,
    views,
    views_data,
    views_items,
    views_mentions,
    views_registers,
    views_vocabularies,
)

app_name = "register"
urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/new", views.event_new, name="event_new"),
    path("events/bulk", views.events_bulk, name="events_bulk"),
    path("events/overview", views_data.overview, name="overview"),
    path("events/map.json", views_data.map_data, name="map_data"),
    path("events/export.<str:fmt>", views_data.event_export, name="event_export"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit", views.event_edit, name="event_edit"),
    path("events/<int:pk>/acts/new", views.act_new, name="act_new"),
    path("events/<int:pk>/names", views.names, name="names"),
    path("events/<int:pk>/evidence/new", views.evidence_new, name="evidence_new"),
    path("events/<int:pk>/accounts/new", views.information_new, name="information_new"),
    path("persons/", views_registers.persons, name="persons"),
    path("units/", views_registers.units, name="units"),
    path("places/", views_registers.places, name="places"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/edit", views.person_edit, name="person_edit"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/members/new", views.membership_new, name="membership_new"),
    path("items/bulk", views_items.items_bulk, name="items_bulk"),
    path("items/<int:pk>/record", views_items.item_record_edit, name="item_record"),
    path("mentions/decide", views_mentions.decide, name="mention_decide"),
    path("search/", views.search_page, name="search"),
    path("saved/", saved.save, name="saved_new"),
    path("saved/delete", saved.delete, name="saved_delete"),
    path("import/", views_data.import_page, name="import"),
    path("vocabularies/", views_vocabularies.vocabularies, name="vocabularies"),
]
urlpatterns += corrections.urlpatterns
