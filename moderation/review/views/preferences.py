"""A staff member's own preferences: how the workspace behaves for them (open the next case
after an action, blur video thumbnails) and, for the kinds of notification they receive,
whether they also come by email."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation.models import ModeratorPreference
from moderation.review.workspace import moderator_preference_for, moderator_preference_set
from moderation.web import request_user, workspace_view


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = ModeratorPreference
        fields = ["auto_advance", "blur_thumbnails"]
        labels = {
            "auto_advance": gettext_lazy("Buka kasus berikutnya setelah tindakan"),
            "blur_thumbnails": gettext_lazy("Samarkan gambar mini video"),
        }


@workspace_view
def preferences_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    current = moderator_preference_for(user)
    form = PreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        moderator_preference_set(
            user=user,
            auto_advance=form.cleaned_data["auto_advance"],
            blur_thumbnails=form.cleaned_data["blur_thumbnails"],
        )
        messages.success(request, _("Preferensi disimpan."))
        return redirect("preferences")
    return render(request, "moderation/preferences.html", {"form": form})
