"""Needs-based finding: a few questions about a person, then the services that answer them.

`/needs/` asks what the person needs help with, their circumstances, their age and postcode, in
one GOV.UK page of fieldsets sent by GET (so the answers are a shareable address and the page
works without JavaScript). The LGA mapping (`TermMapping`) links each need and circumstance to
the service types that answer it; the page names those types and shows the services the
finder's engine finds for them, nearest first when a postcode is given, with a link to the full
results page carrying the same answers. `/needs/personas/` lists made-up people for training;
choosing one fills the questions in with that persona's answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.generic import ListView, TemplateView

from core.forms import GDSForm
from core.views import PageTitleMixin
from directory.geo import InvalidPostcode, normalise_postcode
from directory.models import Circumstance, Need, TaxonomyTerm, TermMapping
from publish.finder.models import Persona

MAX_AGE = 120
RESULTS_SHOWN = 10


def _choices(model: type[Need] | type[Circumstance]) -> list[tuple[str, str]]:
    terms = model.objects.filter(discontinued=False).order_by("name").values_list("pk", "name")
    return [(str(pk), name) for pk, name in terms]


class NeedsForm(GDSForm):
    """The questions of needs-based finding; every one optional but a need or a circumstance."""

    submit_label = "Find services"
    submit_name = ""

    need = forms.MultipleChoiceField(
        label="What do they need help with?",
        help_text="Select all that apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    circumstance = forms.MultipleChoiceField(
        label="Which of these describe them?",
        help_text="Select all that apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age = forms.IntegerField(
        label="How old are they? (optional)",
        required=False,
        error_messages={"invalid": "Enter their age as a number, like 15"},
    )
    postcode = forms.CharField(
        label="Their postcode (optional)",
        help_text="To show the nearest services first.",
        required=False,
        max_length=16,
    )
    field_widths = {"age": 3, "postcode": 10}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = _choices(Need)
        self.fields["circumstance"].choices = _choices(Circumstance)
        self.fields["need"].error_messages["invalid_choice"] = "Select needs from the list"
        self.fields["circumstance"].error_messages["invalid_choice"] = (
            "Select circumstances from the list"
        )
        self.helper.form_method = "get"
        self.helper.form_action = reverse("finder:needs")

    def clean_age(self) -> int | None:
        age = self.cleaned_data.get("age")
        if age is not None and not 0 <= age <= MAX_AGE:
            raise forms.ValidationError(f"Enter an age between 0 and {MAX_AGE}")
        return age

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data.get("postcode", "").strip()
        if not postcode:
            return ""
        try:
            return normalise_postcode(postcode)
        except InvalidPostcode as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("need") and not data.get("circumstance") and not self.errors:
            self.add_error("need", "Select what they need help with, or their circumstances")
        return data


@dataclass(frozen=True)
class ServiceTypeLink:
    label: str
    url: str


def mapped_service_types(term_ids: list[str]) -> list[TaxonomyTerm]:
    """The LGA service types the needs and circumstances `term_ids` map to, by name, once each."""
    if not term_ids:
        return []
    type_ids = TermMapping.objects.filter(from_term_id__in=term_ids).values("service_type_id")
    return list(TaxonomyTerm.objects.filter(pk__in=type_ids).order_by("name"))


def results_url(data: dict[str, Any]) -> str:
    """The finder's results page with the same answers (its `need`, `circumstance`, `age` and
    `postcode` parameters)."""
    params: list[tuple[str, str]] = [("need", v) for v in data.get("need") or []]
    params += [("circumstance", v) for v in data.get("circumstance") or []]
    if data.get("age") is not None:
        params.append(("age", str(data["age"])))
    if data.get("postcode"):
        params.append(("postcode", data["postcode"]))
    return reverse("finder:search") + "?" + urlencode(params)


ANSWERS = ("need", "circumstance", "age", "postcode")


class NeedsView(PageTitleMixin, TemplateView):
    """The questions, and once answered, the service types and services that fit."""

    title = "Find services for someone's needs"
    template_name = "publish/finder/needs.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        persona = None
        slug = request.GET.get("persona", "")
        answered = any(name in request.GET for name in ANSWERS)
        if slug and not answered:
            persona = (
                Persona.objects.filter(slug=slug[:60], is_active=True)
                .prefetch_related("needs", "circumstances")
                .first()
            )
        if answered:
            form = NeedsForm(request.GET)
        else:
            form = NeedsForm(initial=_persona_answers(persona) if persona else None)
        context = self.get_context_data(form=form, persona=persona)
        if answered and form.is_valid():
            context.update(self._answers(form))
        return self.render_to_response(context)

    def _answers(self, form: NeedsForm) -> dict[str, Any]:
        data = form.cleaned_data
        types = mapped_service_types([*data["need"], *data["circumstance"]])
        search = reverse("finder:search")
        type_links = [
            ServiceTypeLink(t.name, f"{search}?{urlencode({'service_type': str(t.pk)})}")
            for t in types
        ]
        answers: dict[str, Any] = {
            "answered": True,
            "service_types": type_links,
            "results_url": results_url(data),
        }
        answers.update(self._results(form))
        return answers

    def _results(self, form: NeedsForm) -> dict[str, Any]:
        """The engine's results for the answers (the engine maps needs to types itself)."""
        from publish.finder.search import FinderInputError, FinderQuery, find

        data = form.cleaned_data
        query = FinderQuery(
            needs=tuple(data["need"]),
            circumstances=tuple(data["circumstance"]),
            age=data["age"],
            postcode=data["postcode"],
        )
        try:
            results = find(query, per_page=RESULTS_SHOWN)
        except FinderInputError as error:
            field = getattr(error, "field", None)
            message = getattr(error, "message", None) or str(error)
            form.add_error(field if field in form.fields else None, message)
            return {"answered": False}
        return {"results": results.results, "total": results.total}


def _persona_answers(persona: Persona) -> dict[str, Any]:
    return {
        "need": [str(t.pk) for t in persona.needs.all()],
        "circumstance": [str(t.pk) for t in persona.circumstances.all()],
        "age": persona.age,
    }


class PersonaListView(PageTitleMixin, ListView):
    """The training personas: each link fills the questions in with that person's answers."""

    title = "Practise with a persona"
    template_name = "publish/finder/needs_personas.html"
    context_object_name = "personas"

    def get_queryset(self):
        return Persona.objects.filter(is_active=True).prefetch_related("needs", "circumstances")
