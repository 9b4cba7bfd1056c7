"""The city directory (the API's folding search, filters, cursor pages) and a city's profile."""

from __future__ import annotations

from uuid import UUID

from flask import request

from domain.model.city import City
from domain.regions import REGIONS
from web import representations as rep
from web.http import programme
from web.pages.base import render
from web.pages.forms import Form
from web.pages.reading import all_cities, city_names, content_blueprint, may_act, page_url, viewer_zone, views
from web.pages.session import current_principal, signed_in
from web.pages.theme_names import theme_choices
from web.schemas import CityListQuery

FILTERS = ("q", "country", "region", "theme", "limit")


def blueprint():
    bp = content_blueprint("cities")

    @bp.get("/cities")
    @signed_in()
    def directory():
        found = views()
        form = Form(values={k: request.args.get(k, "") for k in FILTERS})
        query = form.validate(CityListQuery, cursor=request.args.get("cursor") or None)
        result = {"items": [], "next_cursor": None}
        if query is not None:
            result = (
                form.run(
                    lambda: found.cities(
                        region=query.region,
                        theme=query.theme,
                        q=query.q,
                        country=query.country,
                        limit=query.limit,
                        cursor=query.cursor,
                    )
                )
                or result
            )
        countries = sorted({c["country"] for c in all_cities(found)})
        return render(
            "cities/directory.html",
            status=form.status if form.refused else 200,
            form=form,
            cities=result["items"],
            more=page_url("pages_cities.directory", result["next_cursor"]),
            countries=countries,
            regions=list(REGIONS),
            themes=theme_choices(),
        )

    @bp.get("/cities/<uuid:city_id>")
    @signed_in()
    def one(city_id: UUID):
        me = current_principal()
        app = programme()
        city = rep.city(app.load(City, city_id))
        found = views()
        partnerships = found.partnerships(city_id=str(city_id), limit=50)["items"]
        partner_ids = {
            other
            for p in partnerships
            for other in [p["proposer_city_id"], *(i["city_id"] for i in p["invitations"])]
            if other != str(city_id)
        }
        timeline = found.timeline(str(city_id), cursor=request.args.get("cursor"), log=app)
        return render(
            "cities/one.html",
            city=city,
            partnerships=partnerships,
            partners=sorted(city_names(found, partner_ids).items(), key=lambda pair: pair[1]),
            timeline=timeline["items"],
            more=page_url("pages_cities.one", timeline["next_cursor"], city_id=str(city_id)),
            may_propose=me.city_id not in (None, str(city_id)) and may_act(me, [me.city_id]),
            zone=viewer_zone(me),
        )

    return bp
