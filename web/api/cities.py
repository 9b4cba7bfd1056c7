"""Cities: registration, profiles, stakeholders."""

from __future__ import annotations

from uuid import UUID

from domain.model.city import City
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import Suggester, page, programme_filter
from web.api.reads import read_one
from web.http import if_match, principal, programme, recorded
from web.schemas import (
    AsOfQuery,
    CityIn,
    CityListQuery,
    CityOut,
    CityPage,
    CityPatch,
    InvitationPage,
    PageQuery,
    StakeholderIn,
    SuggestionPage,
    SuggestionsQuery,
)


def blueprint():
    bp = api_blueprint("cities", "Cities")

    @bp.post("/cities")
    @bp.input(CityIn, arg_name="body")
    @bp.output(CityOut, status_code=201)
    @bp.doc(summary="Register a city (facilitator)")
    def register_city(body: CityIn):
        result = programme().register_city(
            principal(),
            body.name,
            body.country,
            body.timezone,
            body.themes_offered,
            body.themes_sought,
            local_name=body.local_name,
            population=body.population,
            description=body.description,
            working_hours=body.working_hours.model_dump() if body.working_hours else None,
        )
        return recorded(result, rep.city, 201, location=f"/api/v1/cities/{result.aggregate.id}")

    @bp.get("/cities/<uuid:city_id>")
    @bp.input(AsOfQuery, location="query", arg_name="query")
    @bp.output(CityOut)
    @bp.doc(summary="One city (as it is now, or ?as_of=)")
    def get_city(city_id: UUID, query: AsOfQuery):
        return read_one(City, city_id, query.as_of, rep.city)

    @bp.patch("/cities/<uuid:city_id>")
    @bp.input(CityPatch, arg_name="body")
    @bp.output(CityOut)
    @bp.doc(summary="Update a city's profile (its officer, facilitator)")
    def update_city(city_id: UUID, body: CityPatch):
        changes = body.model_dump(exclude_unset=True)
        return recorded(
            programme().update_city(principal(), str(city_id), changes, expected_version=if_match()), rep.city
        )

    @bp.post("/cities/<uuid:city_id>/stakeholders")
    @bp.input(StakeholderIn, arg_name="body")
    @bp.output(CityOut, status_code=201, description="the city with the new stakeholder (last in the list)")
    @bp.doc(summary="Add a triple-helix stakeholder (its officer, facilitator)")
    def add_stakeholder(city_id: UUID, body: StakeholderIn):
        result = programme().add_stakeholder(
            principal(), str(city_id), body.name, body.kind, body.themes, expected_version=if_match()
        )
        return recorded(result, rep.city, 201, location=f"/api/v1/cities/{city_id}")

    @bp.get("/cities")
    @bp.input(CityListQuery, location="query", arg_name="query")
    @bp.output(CityPage)
    @bp.doc(summary="The city directory, by name (?region=&country=&theme=&q=&status=)")
    def list_cities(query: CityListQuery):
        return page(
            query.after,
            lambda v: v.cities(
                region=query.region,
                theme=query.theme,
                q=query.q,
                status=query.status,
                limit=query.limit,
                cursor=query.cursor,
                country=query.country,
            ),
        )

    @bp.get("/cities/<uuid:city_id>/invitations")
    @bp.input(PageQuery, location="query", arg_name="query")
    @bp.output(InvitationPage)
    @bp.doc(summary="Partnership invitations awaiting the city's answer, oldest first")
    def invitations_awaiting(city_id: UUID, query: PageQuery):
        programme().load(City, city_id)
        return page(query.after, lambda v: v.invitations_awaiting(str(city_id), limit=query.limit, cursor=query.cursor))

    suggester = Suggester()

    @bp.get("/cities/<uuid:city_id>/suggestions")
    @bp.input(SuggestionsQuery, location="query", arg_name="query")
    @bp.output(SuggestionPage)
    @bp.doc(
        summary="Partner suggestions for the city, best first, each with its score (0–100) and reasons",
        description="Top-k by design: the `limit` best candidates (at most 50), never paged; "
        "`next_cursor` is always null. Ask for a larger `limit` to see more. Under the cross-region rule, "
        "candidates of the city's own region come after all others, each saying it can join only as a third member.",
    )
    def suggestions(city_id: UUID, query: SuggestionsQuery):
        app = programme()
        app.load(City, city_id)

        scope = programme_filter(query.programme_id)

        def suggest(views) -> dict:
            # Within the named programme, or the city's own programmes (none: a store without programmes).
            scopes = [scope] if scope else views.programmes_of_city(str(city_id))
            within = frozenset(c["city_id"] for p in scopes for c in views.programme_cities(p)) if scopes else None
            found = suggester.suggest(
                views, str(city_id), query.limit, cross_region=app.require_cross_region, within=within
            )
            return {
                "items": [
                    {"city_id": s.city_id, "name": s.name, "score": s.score, "reasons": list(s.reasons)} for s in found
                ],
                "next_cursor": None,
            }

        return page(query.after, suggest)

    return bp
