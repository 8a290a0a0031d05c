"""What enrichment tells the pages of an item: its type, when and where it says it was made,
its thumbnail and what it was derived from (docket/vault/describe.py); and the item list's
default of showing originals, not the files Docket derived from them."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext

from docket.enrich.models import Capture, Derivative, FileType
from docket.vault.describe import describer, scope

#: Derived files that are pictures ffmpeg drew, never a sender's bytes: shown as thumbnails.
DRAWN_PICTURES = {
    Derivative.Kind.THUMBNAIL, Derivative.Kind.KEYFRAME, Derivative.Kind.CONTACT_SHEET,
    Derivative.Kind.PAGE_IMAGE,
}  # fmt: skip


@describer
def enriched(pks: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {pk: {} for pk in pks}
    for item_id, mime, kind in FileType.objects.filter(item_id__in=pks).values_list(
        "item_id", "mime", "kind"
    ):
        found[item_id].update(mime=mime, kind=kind)
    captures = Capture.objects.filter(item_id__in=pks).values_list(
        "item_id", "taken_at", "latitude", "longitude"
    )
    for item_id, taken_at, latitude, longitude in captures:
        # A sealed position (from the public intake) is null here and shown only on the
        # item's page, opened for those who may see it.
        found[item_id].update(taken_at=taken_at, latitude=latitude, longitude=longitude)
    thumbnails = Derivative.objects.filter(original_id__in=pks, kind=Derivative.Kind.THUMBNAIL)
    for original_id, derived_id in thumbnails.values_list("original_id", "derived_id"):
        if derived_id != original_id:
            found[original_id]["thumbnail"] = derived_id
    copies = Derivative.objects.filter(original_id__in=pks, kind=Derivative.Kind.CLEAN_COPY)
    for original_id, derived_id in copies.values_list("original_id", "derived_id"):
        found[original_id]["shown_copy"] = derived_id
    made = Derivative.objects.filter(derived_id__in=pks).exclude(derived_id=F("original_id"))
    for derivative in made.order_by("id"):
        found[derivative.derived_id].setdefault("derived_from", {
            "pk": derivative.original_id,
            "kind": derivative.get_kind_display(),
            "position": derivative.position,
        })  # fmt: skip
        if derivative.kind in DRAWN_PICTURES:
            found[derivative.derived_id].setdefault("thumbnail", derivative.derived_id)
        found[derivative.derived_id].setdefault(
            "name",
            gettext("%(kind)s of item %(pk)s")
            % {"kind": derivative.get_kind_display(), "pk": derivative.original_id},
        )
    return found


@scope("originals", lambda: gettext("Originals"))
def originals(items: QuerySet[Any]) -> QuerySet[Any]:
    """Without the thumbnails, keyframes and clean copies Docket made (each is an item)."""
    derived = Derivative.objects.exclude(derived_id=F("original_id")).values("derived_id")
    return items.exclude(pk__in=derived)
